// Server semantics through the core interface, with no sockets.
#include <catch2/catch.hpp>

#include <map>

#include "tests/unit/server/node_harness.h"

using natrium::testing::node_harness;
using natrium::base::conn_id;

namespace {

constexpr std::string_view quiet = "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true}\r\n";

conn_id client(node_harness& h, std::string_view connect = quiet) {
  conn_id c = h.open();
  h.take(c);  // INFO
  h.send(c, connect);
  return c;
}

}  // namespace

TEST_CASE("a new connection gets INFO with the reference's fields") {
  natrium::server::config cfg;
  cfg.port = 4333;
  cfg.server_name = "n1";
  node_harness h(cfg);
  conn_id c = h.open("10.1.2.3");
  const std::string info = h.take(c);
  REQUIRE(info.rfind("INFO {", 0) == 0);
  REQUIRE(info.size() > 4);
  CHECK(info.substr(info.size() - 3) == " \r\n");
  CHECK(info.find("\"server_id\":\"N") != std::string::npos);
  CHECK(info.find("\"server_name\":\"n1\"") != std::string::npos);
  CHECK(info.find("\"version\":\"2.9.10\"") != std::string::npos);
  CHECK(info.find("\"proto\":1") != std::string::npos);
  CHECK(info.find("\"port\":4333") != std::string::npos);
  CHECK(info.find("\"headers\":true") != std::string::npos);
  CHECK(info.find("\"max_payload\":1048576") != std::string::npos);
  CHECK(info.find("\"client_id\":1") != std::string::npos);
  CHECK(info.find("\"client_ip\":\"10.1.2.3\"") != std::string::npos);
  CHECK(info.find("\"jetstream\"") == std::string::npos);
}

TEST_CASE("verbose is on until CONNECT turns it off, as nats-server's defaults") {
  node_harness h;
  conn_id c = h.open();
  h.take(c);
  h.send(c, "SUB a 1\r\n");
  CHECK(h.take(c) == "+OK\r\n");
  h.send(c, "CONNECT {}\r\n");
  CHECK(h.take(c) == "+OK\r\n");
  h.send(c, "CONNECT {\"verbose\":false}\r\nSUB b 2\r\nPING\r\n");
  CHECK(h.take(c) == "PONG\r\n");
}

TEST_CASE("publish reaches matching subscriptions in order, with reply subjects") {
  node_harness h;
  conn_id sub = client(h);
  conn_id pub = client(h);
  h.send(sub, "SUB foo.* 1\r\nSUB foo.> 2\r\nSUB foo.bar 3\r\nSUB bar 4\r\n");
  h.send(pub, "PUB foo.bar 2\r\nhi\r\nPUB foo.bar.baz reply.1 3\r\nabc\r\nPUB foo 0\r\n\r\n");
  CHECK(h.take(sub) ==
        "MSG foo.bar 1 2\r\nhi\r\nMSG foo.bar 2 2\r\nhi\r\nMSG foo.bar 3 2\r\nhi\r\n"
        "MSG foo.bar.baz 2 reply.1 3\r\nabc\r\n");
  CHECK(h.take(pub).empty());
  CHECK(h.node().stats().in_msgs == 3);
  CHECK(h.node().stats().out_msgs == 4);
}

TEST_CASE("queue groups: one member of each group gets each message") {
  node_harness h;
  conn_id a = client(h), b = client(h), c = client(h), p = client(h);
  h.send(a, "SUB q.x workers 1\r\nSUB q.x 9\r\n");
  h.send(b, "SUB q.x workers 1\r\n");
  h.send(c, "SUB q.* workers 1\r\nSUB q.x other 2\r\n");
  constexpr int n = 300;
  std::string batch;
  for (int i = 0; i < n; ++i) batch += "PUB q.x 1\r\nz\r\n";
  h.send(p, batch);
  auto count = [](const std::string& s, std::string_view needle) {
    int k = 0;
    for (auto pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1)) ++k;
    return k;
  };
  const std::string oa = h.take(a), ob = h.take(b), oc = h.take(c);
  const int wa = count(oa, "MSG q.x 1 "), wb = count(ob, "MSG q.x 1 "), wc = count(oc, "MSG q.x 1 ");
  CHECK(wa + wb + wc == n);
  CHECK(wa > 0);
  CHECK(wb > 0);
  CHECK(wc > 0);
  CHECK(count(oa, "MSG q.x 9 ") == n);  // the plain subscriber gets all
  CHECK(count(oc, "MSG q.x 2 ") == n);  // the only member of `other`
}

TEST_CASE("UNSUB with max delivers exactly max messages") {
  node_harness h;
  conn_id s = client(h), p = client(h);
  h.send(s, "SUB m 7\r\nUNSUB 7 2\r\n");
  h.send(p, "PUB m 1\r\na\r\nPUB m 1\r\nb\r\nPUB m 1\r\nc\r\n");
  CHECK(h.take(s) == "MSG m 7 1\r\na\r\nMSG m 7 1\r\nb\r\n");
  CHECK(h.node().stats().subscriptions == 0);  // removed once max was reached
}

TEST_CASE("UNSUB removes the subscription; a duplicate sid keeps the first") {
  node_harness h;
  conn_id s = client(h), p = client(h);
  h.send(s, "SUB x 1\r\nSUB y 1\r\n");
  h.send(p, "PUB y 1\r\n1\r\nPUB x 1\r\n2\r\n");
  CHECK(h.take(s) == "MSG x 1 1\r\n2\r\n");
  h.send(s, "UNSUB 1\r\n");
  h.send(p, "PUB x 1\r\n3\r\n");
  CHECK(h.take(s).empty());
  CHECK(h.node().stats().subscriptions == 0);
}

TEST_CASE("echo false: a connection does not receive its own messages") {
  node_harness h;
  conn_id a = client(h, "CONNECT {\"verbose\":false,\"echo\":false}\r\n");
  conn_id b = client(h);
  h.send(a, "SUB e 1\r\n");
  h.send(b, "SUB e 1\r\n");
  h.send(a, "PUB e 1\r\nx\r\n");
  CHECK(h.take(a).empty());
  CHECK(h.take(b) == "MSG e 1 1\r\nx\r\n");
}

TEST_CASE("no responders: a request with no subscriber gets a 503 status message") {
  node_harness h;
  conn_id c = client(h);
  h.send(c, "SUB _INBOX.abc.* 1\r\nPUB svc _INBOX.abc.1 2\r\nhi\r\n");
  CHECK(h.take(c) == "HMSG _INBOX.abc.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  // without no_responders in CONNECT there is none
  conn_id d = client(h, "CONNECT {\"verbose\":false,\"headers\":true}\r\n");
  h.send(d, "SUB _INBOX.d.* 1\r\nPUB svc _INBOX.d.1 2\r\nhi\r\nPING\r\n");
  CHECK(h.take(d) == "PONG\r\n");
}

TEST_CASE("no_responders without headers is rejected and closed") {
  node_harness h;
  conn_id c = h.open();
  h.take(c);
  h.send(c, "CONNECT {\"verbose\":false,\"no_responders\":true}\r\n");
  CHECK(h.take(c) == "-ERR 'no responders requires headers support'\r\n");
  CHECK(h.is_closed(c));
}

TEST_CASE("headers go as HMSG to header-aware clients, stripped for others") {
  node_harness h;
  conn_id hdr = client(h);
  conn_id plain = client(h, "CONNECT {\"verbose\":false}\r\n");
  conn_id p = client(h);
  h.send(hdr, "SUB h 1\r\n");
  h.send(plain, "SUB h 1\r\n");
  h.send(p, "HPUB h 24 29\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nhello\r\n");
  CHECK(h.take(hdr) == "HMSG h 1 24 29\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nhello\r\n");
  CHECK(h.take(plain) == "MSG h 1 5\r\nhello\r\n");
}

TEST_CASE("bad input gets the reference's -ERR and closes where it closes") {
  node_harness h;
  SECTION("unknown op") {
    conn_id c = client(h);
    h.send(c, "FOO bar\r\n");
    CHECK(h.take(c) == "-ERR 'Unknown Protocol Operation'\r\n");
    CHECK(h.is_closed(c));
  }
  SECTION("payload over max_payload") {
    conn_id c = client(h);
    h.send(c, "PUB foo 2000000\r\n");
    CHECK(h.take(c) == "-ERR 'Maximum Payload Violation'\r\n");
    CHECK(h.is_closed(c));
  }
  SECTION("invalid subject on SUB keeps the connection") {
    conn_id c = client(h);
    h.send(c, "SUB foo..bar 1\r\nPING\r\n");
    CHECK(h.take(c) == "-ERR 'Invalid Subject'\r\nPONG\r\n");
    CHECK_FALSE(h.is_closed(c));
  }
  SECTION("pedantic publish to a wildcard") {
    conn_id c = client(h, "CONNECT {\"verbose\":false,\"pedantic\":true}\r\n");
    h.send(c, "PUB foo.* 1\r\nx\r\nPING\r\n");
    CHECK(h.take(c) == "-ERR 'Invalid Publish Subject'\r\nPONG\r\n");
    CHECK_FALSE(h.is_closed(c));
  }
}

TEST_CASE("a client's INFO and +OK are ignored, its -ERR closes the connection") {
  node_harness h;
  conn_id c = client(h);
  h.send(c, "INFO {\"server_id\":\"x\"}\r\n+OK\r\nPING\r\n");
  CHECK(h.take(c) == "PONG\r\n");
  h.send(c, "-ERR 'bye'\r\n");
  CHECK(h.take(c).empty());
  CHECK(h.is_closed(c));
  conn_id d = client(h);
  h.send(d, "INFO {not json\r\n");
  CHECK(h.take(d).empty());
  CHECK(h.is_closed(d));
}

TEST_CASE("PING/PONG both ways, and a stale connection is closed after ping_max") {
  natrium::server::config cfg;
  cfg.ping_interval_ns = 1'000'000'000;
  cfg.ping_max = 2;
  node_harness h(cfg);
  conn_id c = client(h);
  h.send(c, "PING\r\n");
  CHECK(h.take(c) == "PONG\r\n");
  h.advance_ms(1300);  // the first ping: 1 s (capped at 2 s) plus up to 20% jitter
  CHECK(h.take(c) == "PING\r\n");
  h.send(c, "PONG\r\n");
  h.advance_ms(2100);
  CHECK(h.take(c) == "PING\r\n");
  h.advance_ms(1100);
  CHECK(h.take(c) == "PING\r\n");
  CHECK_FALSE(h.is_closed(c));
  h.advance_ms(1100);
  CHECK(h.take(c) == "-ERR 'Stale Connection'\r\n");
  CHECK(h.is_closed(c));
}

TEST_CASE("max_connections: the extra connection gets INFO, -ERR and is closed") {
  natrium::server::config cfg;
  cfg.max_connections = 2;
  node_harness h(cfg);
  conn_id a = h.open(), b = h.open(), c = h.open();
  CHECK_FALSE(h.is_closed(a));
  CHECK_FALSE(h.is_closed(b));
  const std::string out = h.take(c);
  CHECK(out.rfind("INFO ", 0) == 0);
  CHECK(out.find("-ERR 'maximum connections exceeded'\r\n") != std::string::npos);
  CHECK(h.is_closed(c));
}

TEST_CASE("max_subscriptions per connection") {
  natrium::server::config cfg;
  cfg.max_subscriptions = 2;
  node_harness h(cfg);
  conn_id c = client(h);
  h.send(c, "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n");
  CHECK(h.take(c) == "-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n");
  CHECK(h.node().stats().subscriptions == 2);
}

TEST_CASE("slow consumer: a reader that does not drain is closed, memory stays bounded") {
  natrium::server::config cfg;
  cfg.max_pending = 64 * 1024;
  node_harness h(cfg);
  conn_id s = client(h), p = client(h);
  h.send(s, "SUB slow 1\r\n");
  h.hold_writes(s);
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += "PUB slow 1000\r\n" + std::string(1000, 'x') + "\r\n";
  h.send(p, batch);
  h.send(p, batch);
  CHECK(h.is_closed(s));
  CHECK(h.node().stats().slow_consumers == 1);
  CHECK_FALSE(h.is_closed(p));
  h.send(p, "PING\r\n");
  CHECK(h.take(p) == "PONG\r\n");
}

TEST_CASE("flow control: a publisher pauses while its subscriber's write is outstanding and pending is high") {
  natrium::server::config cfg;
  cfg.max_pending = 64 * 1024;
  node_harness h(cfg);
  conn_id s = client(h), p = client(h);
  h.send(s, "SUB fc 1\r\n");
  h.hold_writes(s);
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += "PUB fc 1000\r\n" + std::string(1000, 'x') + "\r\n";
  h.send(p, batch);  // ~20 KiB: under half, no pause
  CHECK_FALSE(h.reads_paused(p));
  h.send(p, batch);  // ~40 KiB pending: over half
  CHECK(h.reads_paused(p));
  CHECK_FALSE(h.is_closed(s));
  h.release_writes(s);  // the subscriber drains: the publisher resumes
  CHECK_FALSE(h.reads_paused(p));
  SECTION("a stalled publisher resumes after the stall timeout anyway") {
    h.hold_writes(s);
    h.send(p, batch);
    h.send(p, batch);
    h.send(p, batch);
    CHECK(h.reads_paused(p));
    h.advance_ms(1001);
    CHECK_FALSE(h.reads_paused(p));
  }
}

TEST_CASE("a write that never completes trips the write deadline") {
  natrium::server::config cfg;
  cfg.write_deadline_ns = 500'000'000;
  node_harness h(cfg);
  conn_id s = client(h), p = client(h);
  h.send(s, "SUB w 1\r\n");
  h.hold_writes(s);
  h.send(p, "PUB w 1\r\nx\r\n");
  CHECK_FALSE(h.is_closed(s));
  h.advance_ms(600);
  CHECK(h.is_closed(s));
  CHECK(h.node().stats().slow_consumers == 1);
}

TEST_CASE("a closed subscriber stops receiving, others continue") {
  node_harness h;
  conn_id a = client(h), b = client(h), p = client(h);
  h.send(a, "SUB k 1\r\n");
  h.send(b, "SUB k 1\r\n");
  h.peer_close(a);
  CHECK(h.stray_closes() == 0);  // no close_conn for a connection the host closed
  h.send(p, "PUB k 1\r\nx\r\n");
  CHECK(h.take(b) == "MSG k 1 1\r\nx\r\n");
  CHECK(h.node().stats().connections == 2);
}

TEST_CASE("the first ping measures RTT even on a busy connection, later ones only when idle") {
  natrium::server::config cfg;  // ping_interval 2 min: the first ping comes after 2-2.4 s
  node_harness h(cfg);
  conn_id c = client(h);
  h.advance_ms(1900);
  h.send(c, "PING\r\n");
  CHECK(h.take(c) == "PONG\r\n");
  h.advance_ms(600);
  CHECK(h.take(c) == "PING\r\n");
  h.send(c, "PONG\r\n");
  h.advance_ms(60'000);
  h.send(c, "PING\r\n");
  CHECK(h.take(c) == "PONG\r\n");
  h.advance_ms(70'000);  // activity 70 s ago, within the 2 min interval: no ping
  CHECK(h.take(c).empty());
  h.advance_ms(120'000);
  CHECK(h.take(c) == "PING\r\n");
}

TEST_CASE("the same seed gives the same queue picks") {
  auto run = [] {
    node_harness h;
    conn_id a = client(h), b = client(h), p = client(h);
    h.send(a, "SUB q g 1\r\n");
    h.send(b, "SUB q g 1\r\n");
    std::string batch;
    for (int i = 0; i < 50; ++i) batch += "PUB q 1\r\nz\r\n";
    h.send(p, batch);
    return h.take(a) + "|" + h.take(b);
  };
  CHECK(run() == run());
}
