// Config reload and lame duck mode through the core interface.
#include <catch2/catch.hpp>

#include "tests/unit/server/node_harness.h"

using natrium::base::conn_id;
using natrium::testing::node_harness;

namespace {
conn_id client(node_harness& h, std::string_view connect = "CONNECT {\"verbose\":false,\"protocol\":1}\r\n") {
  conn_id c = h.open();
  h.take(c);
  h.send(c, connect);
  return c;
}
}  // namespace

TEST_CASE("reload: a lower max_payload applies to live connections and new INFO") {
  node_harness h;
  conn_id c = client(h);
  h.send(c, "PUB a 600\r\n" + std::string(600, 'x') + "\r\nPING\r\n");
  CHECK(h.take(c) == "PONG\r\n");
  natrium::server::config next = h.node().cfg();
  next.max_payload = 512;
  REQUIRE(h.node().reconfigure(next).ok());
  h.send(c, "PUB a 600\r\n");
  CHECK(h.take(c) == "-ERR 'Maximum Payload Violation'\r\n");
  CHECK(h.is_closed(c));
  conn_id d = h.open();
  CHECK(h.take(d).find("\"max_payload\":512") != std::string::npos);
  bool logged = false;
  for (const auto& l : h.logs()) logged = logged || l == "Reloaded: max_payload = 512";
  CHECK(logged);
}

TEST_CASE("reload: options that need a restart are refused and nothing changes") {
  node_harness h;
  natrium::server::config next = h.node().cfg();
  next.max_payload = 100;
  next.server_name = "other";
  auto r = h.node().reconfigure(next);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().text.rfind("config reload not supported for ServerName", 0) == 0);
  CHECK(h.node().cfg().max_payload == 1024 * 1024);
}

TEST_CASE("lame duck: INFO with ldm, clients closed over the duration, then stop") {
  node_harness h;
  conn_id a = client(h), b = client(h), c = client(h);
  conn_id old = client(h, "CONNECT {\"verbose\":false,\"protocol\":0}\r\n");
  h.node().enter_lame_duck(4'000'000'000, 1'000'000'000);
  h.advance_ms(0);
  const std::string info = h.take(a);
  CHECK(info.rfind("INFO {", 0) == 0);
  CHECK(info.find("\"ldm\":true") != std::string::npos);
  CHECK(h.take(old).empty());  // protocol 0 clients get no async INFO
  CHECK_FALSE(h.is_closed(a));
  h.advance_ms(1000);  // grace period over: the first client goes
  CHECK(h.is_closed(a));
  CHECK_FALSE(h.is_closed(b));
  CHECK_FALSE(h.stopped());
  for (int i = 0; i < 40 && !h.stopped(); ++i) h.advance_ms(100);
  CHECK(h.is_closed(b));
  CHECK(h.is_closed(c));
  CHECK(h.is_closed(old));
  CHECK(h.stopped());
}

TEST_CASE("lame duck with no clients stops at once") {
  node_harness h;
  h.node().enter_lame_duck(4'000'000'000, 1'000'000'000);
  h.advance_ms(0);
  CHECK(h.stopped());
}
