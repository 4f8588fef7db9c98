#pragma once
// Drives monitor::handle against a node_harness and parses the JSON answers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "core/monitor/monitor.h"
#include "tests/unit/server/node_harness.h"

namespace natrium::testing {

constexpr std::string_view quiet_connect =
    "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"name\":\"%s\",\"lang\":\"test\",\"version\":\"1.0\"}\r\n";

class monitor_fixture {
 public:
  explicit monitor_fixture(server::config cfg = {}) : h(std::move(cfg)) { h.advance_ms(1); }

  // A client that sent CONNECT with this name (lang "test", version "1.0").
  base::conn_id client(const std::string& name) {
    base::conn_id c = h.open();
    h.take(c);
    std::string line(quiet_connect);
    line.replace(line.find("%s"), 2, name);
    h.send(c, line);
    return c;
  }

  monitor::response raw(std::string_view target) {
    monitor::host_stats hs;
    hs.now = h.node().wall_now();
    hs.mem_bytes = 1234;
    hs.cpu_percent = 1.5;
    hs.cpu_seconds = 0.25;
    hs.cores = 2;
    hs.max_procs = 1;
    hs.http_host = "127.0.0.1";
    hs.http_port = 8222;
    hs.ready = ready;
    hs.jetstream = jetstream;
    return monitor::handle(h.node(), monitor::parse_target(target), hs, stats);
  }

  // GET target, expecting 200 and JSON.
  nlohmann::ordered_json get(std::string_view target) {
    const monitor::response r = raw(target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    REQUIRE(r.content_type == "application/json");
    auto j = nlohmann::ordered_json::parse(r.body, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }

  node_harness h;
  monitor::request_stats stats;
  bool ready = true;
  monitor::jetstream_settings jetstream;
};

}  // namespace natrium::testing
