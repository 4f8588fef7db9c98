// /connz: fields, sort keys, offset/limit, state, cid, subscriptions, RTT,
// errors, and the bounded ring of closed connections.
#include "tests/unit/monitor/monitor_test_util.h"

using natrium::testing::monitor_fixture;
using json = nlohmann::ordered_json;

namespace {

std::vector<std::uint64_t> cids(const json& z) {
  std::vector<std::uint64_t> out;
  for (const auto& c : z["connections"]) out.push_back(c["cid"].get<std::uint64_t>());
  return out;
}

}  // namespace

TEST_CASE("connz lists open connections with the reference's ConnInfo fields") {
  monitor_fixture f;
  auto a = f.client("alpha");
  f.h.advance_ms(3);
  auto b = f.client("beta");
  f.h.send(a, "SUB foo.* 1\r\nSUB bar q1 2\r\nSUB baz 10\r\nUNSUB 10 5\r\n");
  f.h.send(b, "PUB foo.x 5\r\nhello\r\n");
  const json z = f.get("/connz");
  CHECK(z["server_id"] == f.h.node().server_id());
  CHECK(z["num_connections"] == 2);
  CHECK(z["total"] == 2);
  CHECK(z["offset"] == 0);
  CHECK(z["limit"] == 1024);
  REQUIRE(z["connections"].size() == 2);
  const json& ca = z["connections"][0];
  std::vector<std::string> keys;
  for (const auto& [k, v] : ca.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"cid", "kind", "type", "ip", "port", "start", "last_activity", "rtt",
                                         "uptime", "idle", "pending_bytes", "in_msgs", "out_msgs", "in_bytes",
                                         "out_bytes", "subscriptions", "name", "lang", "version"});
  CHECK(ca["cid"] == a.value);
  CHECK(ca["kind"] == "Client");
  CHECK(ca["type"] == "nats");
  CHECK(ca["ip"] == "127.0.0.1");
  CHECK(ca["port"] == 5001);
  CHECK(ca["name"] == "alpha");
  CHECK(ca["lang"] == "test");
  CHECK(ca["version"] == "1.0");
  CHECK(ca["subscriptions"] == 3);
  CHECK(ca["out_msgs"] == 1);
  CHECK(ca["out_bytes"] == 5);
  CHECK(ca["uptime"] == "0s");
  CHECK(z["connections"][1]["in_msgs"] == 1);
  CHECK(z["connections"][1]["in_bytes"] == 5);
  // The first RTT estimate is the time from accept to CONNECT (0 in this harness: "1ns").
  CHECK(ca["rtt"] == "1ns");

  const json s = f.get("/connz?subs=1");
  CHECK(s["connections"][0]["subscriptions_list"] == json::array({"foo.*", "bar", "baz"}));
  CHECK_FALSE(s["connections"][1].contains("subscriptions_list"));  // omitempty
  const json d = f.get("/connz?subs=detail");
  const json& detail = d["connections"][0]["subscriptions_list_detail"];
  REQUIRE(detail.size() == 3);
  CHECK(detail[0] == json{{"subject", "foo.*"}, {"sid", "1"}, {"msgs", 1}, {"cid", a.value}});
  CHECK(detail[1]["qgroup"] == "q1");
  CHECK(detail[2]["max"] == 5);
}

TEST_CASE("connz sorts as the reference: cid ascending, counters descending") {
  monitor_fixture f;
  auto c1 = f.client("one");
  auto c2 = f.client("two");
  auto c3 = f.client("three");
  f.h.send(c2, "PUB x 3\r\nabc\r\nPUB x 3\r\nabc\r\n");
  f.h.send(c3, "PUB x 10\r\n0123456789\r\n");
  f.h.send(c1, "SUB x 1\r\nSUB y 2\r\n");
  f.h.send(c3, "SUB z 1\r\n");
  CHECK(cids(f.get("/connz")) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(cids(f.get("/connz?sort=start")) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(cids(f.get("/connz?sort=msgs_from")) == std::vector<std::uint64_t>{2, 3, 1});
  CHECK(cids(f.get("/connz?sort=bytes_from")) == std::vector<std::uint64_t>{3, 2, 1});
  CHECK(cids(f.get("/connz?sort=subs")) == std::vector<std::uint64_t>{1, 3, 2});
  CHECK(cids(f.get("/connz?sort=msgs_to")) == std::vector<std::uint64_t>{1, 2, 3});  // all zero: cid order
  CHECK(cids(f.get("/connz?sort=pending")) == std::vector<std::uint64_t>{1, 2, 3});
  f.h.advance_ms(5);
  f.h.send(c1, "PUB q 0\r\n\r\n");
  CHECK(cids(f.get("/connz?sort=last")).front() == 1);
  CHECK(cids(f.get("/connz?sort=idle")).front() == 1);  // last - start, largest first
  CHECK(cids(f.get("/connz?sort=uptime")) == std::vector<std::uint64_t>{1, 2, 3});  // all 0 ms apart

  CHECK(f.raw("/connz?sort=nope").body == "invalid sorting option: nope");
  CHECK(f.raw("/connz?sort=stop").body == "sort by stop only valid on closed connections");
  CHECK(f.raw("/connz?sort=reason&state=all").body == "sort by reason only valid on closed connections");
  CHECK(f.raw("/connz?sort=stop&state=closed").status == 200);
}

TEST_CASE("connz offset, limit and cid") {
  monitor_fixture f;
  for (int i = 0; i < 5; ++i) f.client("c" + std::to_string(i));
  const json page = f.get("/connz?offset=1&limit=2");
  CHECK(cids(page) == std::vector<std::uint64_t>{2, 3});
  CHECK(page["num_connections"] == 2);
  CHECK(page["total"] == 5);
  CHECK(page["offset"] == 1);
  CHECK(page["limit"] == 2);
  CHECK(f.get("/connz?offset=9")["connections"] == json::array());
  const json neg = f.get("/connz?offset=-3&limit=-1");
  CHECK(neg["offset"] == 0);
  CHECK(neg["limit"] == 1024);
  const json one = f.get("/connz?cid=4");
  CHECK(cids(one) == std::vector<std::uint64_t>{4});
  CHECK(one["limit"] == 1);
  CHECK(one["total"] == 5);
  CHECK(f.get("/connz?cid=99")["num_connections"] == 0);
  CHECK(f.raw("/connz?cid=-1").body == "Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax");
  CHECK(f.raw("/connz?state=bogus").body == "Error decoding state for bogus");
  CHECK(f.raw("/connz?auth=2").status == 400);
  CHECK(f.get("/connz?user=bob")["connections"] == json::array());  // no user names: nothing matches
  const json other = f.get("/connz?acc=OTHER");
  CHECK(other["connections"].is_null());  // as the reference for an unknown account
  CHECK(other["server_id"] == "");
}

TEST_CASE("closed connections: state=closed/all, reason, stop, subscriptions kept") {
  monitor_fixture f;
  auto a = f.client("stays");
  auto b = f.client("leaves");
  f.h.send(b, "SUB one 1\r\nSUB two q 2\r\n");
  f.h.advance_ms(2000);
  f.h.peer_close(b);
  f.h.advance_ms(10);
  auto c = f.client("bad");
  f.h.send(c, "FOO\r\n");  // unknown op: closed by the server
  const json closed = f.get("/connz?state=closed&subs=1");
  CHECK(closed["total"] == 2);
  REQUIRE(cids(closed) == std::vector<std::uint64_t>{b.value, c.value});
  const json& cb = closed["connections"][0];
  CHECK(cb["reason"] == "Client Closed");
  CHECK(cb["uptime"] == "2s");
  CHECK(cb["subscriptions"] == 2);
  CHECK(cb["subscriptions_list"] == json::array({"one", "two"}));
  CHECK(cb.contains("stop"));
  CHECK(closed["connections"][1]["reason"] == "Parse Error");
  // Closed connections keep their SubDetails with the account, as the reference's.
  const json detail = f.get("/connz?state=closed&subs=detail");
  CHECK(detail["connections"][0]["subscriptions_list_detail"][0]["account"] == "$G");

  const json all = f.get("/connz?state=all");
  CHECK(all["total"] == 3);
  CHECK(cids(all) == std::vector<std::uint64_t>{a.value, b.value, c.value});
  CHECK_FALSE(all["connections"][0].contains("stop"));
  CHECK(cids(f.get("/connz?state=closed&sort=reason")) == std::vector<std::uint64_t>{b.value, c.value});
  CHECK(cids(f.get("/connz?state=closed&sort=stop")) == std::vector<std::uint64_t>{c.value, b.value});
  // As the reference: cid with state=all looks in the closed ones only.
  CHECK(f.get("/connz?state=all&cid=" + std::to_string(a.value))["num_connections"] == 0);
  CHECK(f.get("/connz?state=any&cid=" + std::to_string(b.value))["num_connections"] == 1);
  CHECK(f.get("/connz?state=closed&acc=%24G")["total"] == 0);
}

TEST_CASE("the closed-connection ring is bounded, oldest evicted first") {
  natrium::server::config cfg;
  cfg.max_closed_clients = 5;
  monitor_fixture f(cfg);
  for (int i = 0; i < 8; ++i) f.h.peer_close(f.client("c" + std::to_string(i)));
  const json z = f.get("/connz?state=closed");
  CHECK(z["total"] == 5);
  CHECK(cids(z) == std::vector<std::uint64_t>{4, 5, 6, 7, 8});
  CHECK(f.h.node().closed_connections().total() == 8);
  CHECK(f.h.node().closed_connections().size() == 5);
}

TEST_CASE("default ring size is nats-server's 10000") {
  natrium::server::node n{natrium::server::config{}};
  CHECK(n.closed_connections().max() == 10000);
}

TEST_CASE("rtt comes from the server's PING to the client's PONG; last_activity from messages") {
  monitor_fixture f;
  auto c = f.client("rtt");
  f.h.take(c);
  f.h.advance_ms(2500);  // the first server PING is due after ~2 s
  REQUIRE(f.h.take(c).find("PING\r\n") != std::string::npos);
  f.h.advance_ms(7);
  f.h.send(c, "PONG\r\n");
  json z = f.get("/connz");
  CHECK(z["connections"][0]["rtt"] == "7ms");
  CHECK(z["connections"][0]["idle"] == "2s");
  const std::string before = z["connections"][0]["last_activity"];
  f.h.send(c, "PING\r\n");  // not activity, as the reference
  CHECK(f.get("/connz")["connections"][0]["last_activity"] == before);
  f.h.send(c, "PUB a 0\r\n\r\n");
  z = f.get("/connz");
  CHECK(z["connections"][0]["last_activity"] != before);
  CHECK(z["connections"][0]["idle"] == "0s");
}

TEST_CASE("pending_bytes counts output the client has not taken yet") {
  monitor_fixture f;
  auto sub = f.client("slow");
  auto pub = f.client("pub");
  f.h.send(sub, "SUB s 1\r\n");
  f.h.hold_writes(sub);
  f.h.send(pub, "PUB s 4\r\nabcd\r\nPUB s 4\r\nabcd\r\n");
  const json z = f.get("/connz?sort=pending");
  CHECK(z["connections"][0]["cid"] == sub.value);
  CHECK(z["connections"][0]["pending_bytes"].get<int>() > 0);
}
