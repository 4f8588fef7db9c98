// /varz, /subsz, /routez, /jsz, /accountz, /healthz, /, /metrics, JSONP and
// errors, through monitor::handle on a node driven by the test harness.
#include <regex>
#include <set>
#include <sstream>

#include "tests/unit/monitor/monitor_test_util.h"

using natrium::testing::monitor_fixture;
using json = nlohmann::ordered_json;

namespace {

// The top-level keys, in order.
std::vector<std::string> keys(const json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("varz has the reference's fields, types and units, plus natrium_version") {
  natrium::server::config cfg;
  cfg.server_name = "n1";
  cfg.port = 4333;
  cfg.max_subscriptions = 7;
  monitor_fixture f(cfg);
  const json v = f.get("/varz");
  const std::vector<std::string> expected = {
      "server_id", "server_name", "version", "proto", "go", "host", "port", "max_connections",
      "max_subscriptions", "ping_interval", "ping_max", "http_host", "http_port", "http_base_path", "https_port",
      "auth_timeout", "max_control_line", "max_payload", "max_pending", "cluster", "gateway", "leaf", "mqtt",
      "websocket", "jetstream", "tls_timeout", "write_deadline", "start", "now", "uptime", "mem", "cores",
      "gomaxprocs", "cpu", "connections", "total_connections", "routes", "remotes", "leafnodes", "in_msgs",
      "out_msgs", "in_bytes", "out_bytes", "slow_consumers", "subscriptions", "http_req_stats",
      "config_load_time", "natrium_version"};
  CHECK(keys(v) == expected);
  CHECK(v["server_name"] == "n1");
  CHECK(v["version"] == "2.9.10");
  CHECK(v["port"] == 4333);
  CHECK(v["max_subscriptions"] == 7);
  CHECK(v["ping_interval"] == 120'000'000'000LL);  // time.Duration: nanoseconds
  CHECK(v["write_deadline"] == 10'000'000'000LL);
  CHECK(v["auth_timeout"].is_number_integer());     // Go prints float64 2 as 2
  CHECK(v["cpu"] == 1.5);
  CHECK(v["mem"] == 1234);
  CHECK(v["http_port"] == 8222);
  CHECK(v["jetstream"] == json::object());
  CHECK(v["http_req_stats"] == json{{"/varz", 1}});
  CHECK(v["natrium_version"] == "0.1.0");
  CHECK(v["start"].get<std::string>().back() == 'Z');
}

TEST_CASE("varz counters move with traffic; config_load_time follows a reload") {
  monitor_fixture f;
  auto sub = f.client("sub");
  auto pub = f.client("pub");
  f.h.send(sub, "SUB foo 1\r\nSUB bar 2\r\n");
  f.h.send(pub, "PUB foo 5\r\nhello\r\nPUB nobody 3\r\nabc\r\n");
  const json v = f.get("/varz");
  CHECK(v["connections"] == 2);
  CHECK(v["total_connections"] == 2);
  CHECK(v["subscriptions"] == 2);
  CHECK(v["in_msgs"] == 2);
  CHECK(v["in_bytes"] == 8);
  CHECK(v["out_msgs"] == 1);
  CHECK(v["out_bytes"] == 5);
  CHECK(v["config_load_time"] == v["start"]);
  f.h.advance_ms(1500);
  natrium::server::config next = f.h.node().cfg();
  next.max_payload = 1000;
  REQUIRE(f.h.node().reconfigure(next).ok());
  const json after = f.get("/varz");
  CHECK(after["max_payload"] == 1000);
  CHECK(after["config_load_time"] != after["start"]);
  CHECK(after["uptime"] == "1s");
}

TEST_CASE("subsz: stats only, or the list with test/offset/limit as the reference") {
  monitor_fixture f;
  auto c = f.client("c");
  f.h.send(c, "SUB orders.* 1\r\nSUB orders.> 2\r\nSUB users.x q 3\r\nUNSUB 9\r\n");
  f.h.send(c, "PUB orders.new 1\r\nx\r\nPUB orders.new 1\r\ny\r\n");
  const json stats = f.get("/subsz");
  CHECK(keys(stats) == std::vector<std::string>{"num_subscriptions", "num_cache", "num_inserts", "num_removes",
                                                 "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout"});
  CHECK(stats["num_subscriptions"] == 3);
  CHECK(stats["num_matches"] == 2);
  CHECK(stats["cache_hit_rate"] == 0.5);
  CHECK(stats["max_fanout"] == 2);
  CHECK(f.get("/subscriptionsz") == f.get("/subsz"));

  const json list = f.get("/subsz?subs=1");
  CHECK(list["server_id"] == f.h.node().server_id());
  CHECK(list["total"] == 3);
  REQUIRE(list["subscriptions_list"].size() == 3);
  const json& q = list["subscriptions_list"][2];
  CHECK(q == json{{"account", "$G"}, {"subject", "users.x"}, {"qgroup", "q"}, {"sid", "3"}, {"msgs", 0}, {"cid", 1}});
  CHECK(list["subscriptions_list"][0]["msgs"] == 2);

  const json matched = f.get("/subsz?subs=1&test=orders.new");
  REQUIRE(matched["subscriptions_list"].size() == 2);
  const json page = f.get("/subsz?subs=1&offset=1&limit=1");
  CHECK(page["total"] == 1);  // the page size, as the reference
  CHECK(page["offset"] == 1);
  CHECK(page["limit"] == 1);
  CHECK(f.get("/subsz?subs=1&test=nothing.here").contains("subscriptions_list") == false);

  auto bad = f.raw("/subsz?test=orders.*");
  CHECK(bad.status == 400);
  CHECK(bad.body == "invalid test subject, must be valid publish subject: orders.*");
  CHECK(f.raw("/subsz?subs=maybe").body == "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"maybe\": invalid syntax");
  CHECK(f.stats.at("/subsz") == 9);
}

TEST_CASE("routez, accountz and jsz have the reference's shapes") {
  monitor_fixture f;
  auto c = f.client("c");
  f.h.send(c, "SUB a 1\r\n");
  const json r = f.get("/routez");
  CHECK(keys(r) == std::vector<std::string>{"server_id", "now", "num_routes", "routes"});
  CHECK(r["routes"] == json::array());

  const json a = f.get("/accountz");
  CHECK(a["accounts"] == json::array({"$G"}));
  const json g = f.get("/accountz?acc=%24G");
  CHECK(g["account_detail"]["client_connections"] == 1);
  CHECK(g["account_detail"]["subscriptions"] == 1);
  CHECK(g["account_detail"]["sublist_stats"]["num_subscriptions"] == 1);
  auto missing = f.raw("/accountz?acc=nope");
  CHECK(missing.status == 400);
  CHECK(missing.body == "Account nope does not exist");

  const json j = f.get("/jsz?accounts=true&streams=1&consumers=1&config=1");
  CHECK(j["disabled"] == true);
  CHECK(j["config"] == json{{"max_memory", 0}, {"max_storage", 0}});
  CHECK(j["api"] == json{{"total", 0}, {"errors", 0}});
  CHECK(j["streams"] == 0);
  CHECK_FALSE(j.contains("account_details"));
  CHECK(f.raw("/jsz?leader-only=true").status == 400);
  CHECK(f.raw("/jsz?streams=2").body == "Error decoding boolean for 'streams': strconv.ParseBool: parsing \"2\": invalid syntax");
}

TEST_CASE("with JetStream on, varz and jsz report its (empty) config, stats and the global account") {
  natrium::server::config cfg;
  cfg.jetstream = true;
  monitor_fixture f(cfg);
  const json v = f.get("/varz");
  CHECK(v["jetstream"]["config"]["max_memory"] == 0);
  CHECK(v["jetstream"]["stats"]["accounts"] == 1);
  const json j = f.get("/jsz?accounts=1");
  CHECK_FALSE(j.contains("disabled"));
  REQUIRE(j["account_details"].size() == 1);
  CHECK(j["account_details"][0]["name"] == "$G");
  CHECK(j["account_details"][0]["reserved_memory"] == ~std::uint64_t{0});
  CHECK_FALSE(f.get("/jsz").contains("account_details"));
  CHECK_FALSE(f.get("/jsz?accounts=1&offset=1").contains("account_details"));
  CHECK(f.get("/accountz?acc=$G")["account_detail"]["jetstream_enabled"] == true);
}

TEST_CASE("JetStream settings from the host (-js, -sd) show in varz and jsz as the reference's") {
  monitor_fixture f;
  f.jetstream = {true, "/data/jetstream", 1000, 2000, ""};
  const json v = f.get("/varz");
  CHECK(v["jetstream"]["config"] == json{{"max_memory", 1000}, {"max_storage", 2000}, {"store_dir", "/data/jetstream"}});
  CHECK(v["jetstream"]["stats"]["api"] == json{{"total", 0}, {"errors", 0}});
  const json j = f.get("/jsz?acc=%24G");
  CHECK(j["config"]["max_storage"] == 2000);
  CHECK(j["account_details"][0]["id"] == "$G");
  f.jetstream.domain = "hub";
  CHECK(f.get("/jsz")["config"]["domain"] == "hub");
}

TEST_CASE("healthz: ok, 503 when not accepting or in lame duck mode; bad options are 400") {
  monitor_fixture f;
  auto ok = f.raw("/healthz?js-enabled-only=true&js-server-only=1");
  CHECK(ok.status == 200);
  CHECK(ok.body == "{\"status\":\"ok\"}");
  CHECK(f.raw("/healthz?js-enabled-only=x").body ==
        "Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing \"x\": invalid syntax");
  f.ready = false;
  auto down = f.raw("/healthz");
  CHECK(down.status == 503);
  CHECK(down.content_type == "text/plain; charset=utf-8");
  CHECK(down.body == "{\"status\":\"error\",\"error\":\"failed to be ready for connections after 1ms: server\"}");
  f.ready = true;
  f.client("c");
  f.h.node().enter_lame_duck(10'000'000'000, 1'000'000'000);
  CHECK(f.raw("/healthz").status == 503);
}

TEST_CASE("JSONP, the index page, 404 and request counting") {
  monitor_fixture f;
  auto p = f.raw("/healthz?callback=cb");
  CHECK(p.content_type == "application/javascript");
  CHECK(p.body == "cb({\"status\":\"ok\"})");
  auto root = f.raw("/");
  CHECK(root.status == 200);
  CHECK(root.content_type == "text/html; charset=utf-8");
  CHECK(root.body.find("href=./connz") != std::string::npos);
  auto missing = f.raw("/varz/");
  CHECK(missing.status == 404);
  CHECK(missing.body == "404 page not found\n");
  f.raw("/connz?limit=x");  // not counted: the reference counts /connz after decoding
  f.raw("/connz");
  f.raw("/metrics");
  CHECK(f.stats == natrium::monitor::request_stats{{"/", 1}, {"/connz", 1}, {"/healthz", 1}});
}

TEST_CASE("metrics: a strict Prometheus 0.0.4 exposition") {
  monitor_fixture f;
  auto c = f.client("c");
  f.h.send(c, "SUB a 1\r\nPUB a 2\r\nhi\r\n");
  f.raw("/varz");
  auto m = f.raw("/metrics");
  CHECK(m.status == 200);
  CHECK(m.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  const std::regex sample_re(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (\S+))");
  std::map<std::string, std::string> types;
  std::set<std::string> helps;
  std::map<std::string, std::string> values;
  std::istringstream in(m.body);
  int samples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0) {
      helps.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      CHECK(std::regex_match(name, name_re));
      CHECK((type == "counter" || type == "gauge"));
      CHECK(types.count(name) == 0);
      types[name] = type;
      if (type == "counter") CHECK(name.size() > 6);
      if (type == "counter") CHECK(name.substr(name.size() - 6) == "_total");
      CHECK(name.rfind("natrium_", 0) == 0);
    } else {
      std::smatch sm;
      INFO(line);
      REQUIRE(std::regex_match(line, sm, sample_re));
      CHECK(types.count(sm[1]) == 1);
      CHECK(helps.count(sm[1]) == 1);
      values[sm[1]] = sm[5];
      ++samples;
    }
  }
  CHECK(samples >= 20);
  CHECK(values["natrium_in_messages_total"] == "1");
  CHECK(values["natrium_out_bytes_total"] == "2");
  CHECK(values["natrium_connections"] == "1");
  CHECK(values["natrium_subscriptions"] == "1");
  CHECK(values["natrium_process_resident_memory_bytes"] == "1234");
  CHECK(values["natrium_process_cpu_seconds_total"] == "0.25");
  CHECK(values["natrium_info"] == "1");
  CHECK(values["natrium_http_requests_total"] == "1");
}
