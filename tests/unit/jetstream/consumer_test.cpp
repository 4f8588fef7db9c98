// consumer (nats-server 2.9.10 consumer.go) against a fake stream host: deliver
// policies, pull requests and their statuses, push delivery and interest,
// acks, redelivery, backoff, max_deliver, max_ack_pending, heartbeats, flow
// control, removals, info and state. Expected texts were checked against
// /usr/sbin/nats-server 2.9.10 where they are wire-visible.
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/consumer_fake_host.h"

using namespace natrium;
using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

TEST_CASE("deliver policies pick the starting sequence") {
  fake_host h;
  h.interest.insert("d");
  h.add("foo.a");           // 1
  h.advance(10 * ms);
  h.add("foo.b");           // 2
  h.advance(10 * ms);
  h.add("foo.a");           // 3
  h.advance(10 * ms);
  h.add("foo.c");           // 4
  const std::int64_t t2 = h.msgs[2].timestamp_ns;
  auto run = [&](std::string_view cfg) {
    h.out.clear();
    auto c = make(h, cfg);
    auto r = seqs(h.take());
    h.cons = nullptr;
    return r;
  };
  CHECK(run(R"({"deliver_subject":"d"})") == seq_list{1, 2, 3, 4});
  CHECK(run(R"({"deliver_subject":"d","filter_subject":"foo.a"})") == seq_list{1, 3});
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"last"})") == seq_list{4});
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"last","filter_subject":"foo.b"})") == seq_list{2});
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"last","filter_subject":"foo.z"})").empty());
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"new"})").empty());
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"by_start_sequence","opt_start_seq":3})") == seq_list{3, 4});
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"by_start_sequence","opt_start_seq":99})").empty());
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"last_per_subject","filter_subject":"foo.>"})") ==
        seq_list{2, 3, 4});
  CHECK(run(R"({"deliver_subject":"d","deliver_policy":"last_per_subject","filter_subject":"foo.a"})") ==
        seq_list{3});
  auto at = [&](std::int64_t ns) {
    go_time t;
    t.unix_s = ns / sec;
    t.nanos = static_cast<std::int32_t>(ns % sec);
    return R"({"deliver_subject":"d","deliver_policy":"by_start_time","opt_start_time":")" + go_format_time(t) +
           "\"}";
  };
  CHECK(run(at(t2)) == seq_list{2, 3, 4});
  CHECK(run(at(t2 + 1)) == seq_list{3, 4});
  CHECK(run(at(t2 - 1)) == seq_list{2, 3, 4});
  CHECK(run(at(wall0 - sec)) == seq_list{1, 2, 3, 4});
  CHECK(run(at(h.msgs[4].timestamp_ns + 1)).empty());
  h.remove(3);  // interior delete: the search skips it
  CHECK(run(at(t2 + 1)) == seq_list{4});
}

TEST_CASE("new messages, filters and durability gate delivery") {
  fake_host h;
  h.interest.insert("d");
  auto c = make(h, R"({"deliver_subject":"d","deliver_policy":"new","filter_subject":"foo.a"})");
  CHECK(h.take().empty());
  h.add("foo.b");
  h.add("foo.a");
  h.durable_last = 1;
  c->kick();
  CHECK(h.take().empty());
  // A filtered consumer skips to the end of the stream when nothing matches.
  CHECK(info(*c)["delivered"]["stream_seq"] == 0);
  h.durable_last = 2;
  c->kick();
  auto v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "d");
  CHECK(v[0].original_subject == "foo.a");
  CHECK(v[0].reply == "$JS.ACK.S.C.1.2.1." + std::to_string(h.msgs[2].timestamp_ns) + ".0");
  h.add("foo.b");
  c->kick();
  CHECK(h.take().empty());
  CHECK(info(*c)["delivered"]["stream_seq"] == 3);
  CHECK(info(*c)["num_pending"] == 0);
}

TEST_CASE("push delivery waits for interest; headers and headers_only") {
  fake_host h;
  h.add("foo.1", "hello1");
  h.add("foo.2", "hello2", "NATS/1.0\r\nA: b\r\n\r\n");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","headers_only":true})");
  CHECK(h.take().empty());
  CHECK_FALSE(info(*c).contains("push_bound"));
  h.interest.insert("d");
  c->kick();
  auto v = h.take();
  REQUIRE(v.size() == 2);
  CHECK(v[0].headers == "NATS/1.0\r\nNats-Msg-Size: 6\r\n\r\n");
  CHECK(v[0].payload.empty());
  CHECK(v[1].headers == "NATS/1.0\r\nA: b\r\nNats-Msg-Size: 6\r\n\r\n");
  CHECK(v[1].reply == "$JS.ACK.S.C.1.2.2." + std::to_string(h.msgs[2].timestamp_ns) + ".0");
  CHECK(info(*c)["push_bound"] == true);
}

TEST_CASE("ack none: the floor follows deliveries, acks are only answered") {
  fake_host h;
  h.interest.insert("d");
  h.add("foo.1");
  h.add("foo.2");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"none"})");
  auto v = h.take();
  REQUIRE(v.size() == 2);
  auto j = info(*c);
  CHECK(j["ack_floor"]["consumer_seq"] == 2);
  CHECK(j["ack_floor"]["stream_seq"] == 2);
  CHECK(j["num_ack_pending"] == 0);
  CHECK_FALSE(j["ack_floor"].contains("last_active"));
  CHECK(j["delivered"].contains("last_active"));
  c->on_ack(v[0].reply, "", "inbox");
  REQUIRE(h.durable_out.size() == 1);
  CHECK(h.durable_out[0].subject == "inbox");
  CHECK(h.released_seqs.empty());  // limits retention: nothing to release
}

TEST_CASE("explicit acks move the ack floor like the reference") {
  fake_host h;
  h.interest.insert("d");
  for (int i = 0; i < 4; ++i) h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit"})");
  auto v = h.take();
  REQUIRE(v.size() == 4);
  CHECK(info(*c)["num_ack_pending"] == 4);
  c->on_ack(v[1].reply, "+ACK", "");  // out of order: floor stays
  auto j = info(*c);
  CHECK(j["ack_floor"]["consumer_seq"] == 0);
  CHECK(j["num_ack_pending"] == 3);
  c->on_ack(v[0].reply, "", "r1");  // floor jumps to just below the next pending (3)
  j = info(*c);
  CHECK(j["ack_floor"]["consumer_seq"] == 2);
  CHECK(j["ack_floor"]["stream_seq"] == 2);
  CHECK(j["ack_floor"].contains("last_active"));
  c->on_ack(v[0].reply, "+ACK", "r2");  // duplicate: ignored but answered
  CHECK(h.durable_out.size() == 2);
  c->on_ack(v[3].reply, "+OK", "");
  c->on_ack(v[2].reply, "+ACK", "");
  j = info(*c);
  CHECK(j["ack_floor"]["consumer_seq"] == 4);
  CHECK(j["num_ack_pending"] == 0);
  CHECK(j["num_pending"] == 0);
  // Malformed ack subjects get no ack reply.
  c->on_ack("$JS.ACK.S.C.1.x", "+ACK", "r3");
  CHECK(h.durable_out.size() == 2);
}

TEST_CASE("ack all acks everything up to the sequence") {
  fake_host h;
  h.scfg.retention = retention_policy::interest;
  h.interest.insert("d");
  for (int i = 0; i < 5; ++i) h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"all"})");
  auto v = h.take();
  REQUIRE(v.size() == 5);
  c->on_ack(v[2].reply, "+ACK", "");
  auto j = info(*c);
  CHECK(j["ack_floor"]["consumer_seq"] == 3);
  CHECK(j["ack_floor"]["stream_seq"] == 3);
  CHECK(j["num_ack_pending"] == 2);
  CHECK(h.released_seqs == seq_list{1, 2, 3});
  c->on_ack(v[1].reply, "+ACK", "");  // below the floor: no-op
  CHECK(info(*c)["num_ack_pending"] == 2);
  CHECK(c->needs(4, "foo.x"));
  CHECK_FALSE(c->needs(3, "foo.x"));
}

TEST_CASE("ack wait redelivers with a higher delivery count") {
  fake_host h;
  h.interest.insert("d");
  h.add("foo.x");
  h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","ack_wait":2000000000})");
  auto v = h.take();
  REQUIRE(v.size() == 2);
  c->on_ack(v[1].reply, "+ACK", "");
  h.advance(2 * sec - 10 * ms);
  CHECK(h.take().empty());
  h.advance(20 * ms);
  auto r = h.take();
  REQUIRE(r.size() == 1);
  CHECK(token(r[0].reply, 4) == "2");  // delivery count
  CHECK(token(r[0].reply, 5) == "1");  // stream seq
  CHECK(token(r[0].reply, 6) == "3");  // new consumer seq
  auto j = info(*c);
  CHECK(j["num_redelivered"] == 1);
  CHECK(j["num_ack_pending"] == 1);
  CHECK(j["delivered"]["consumer_seq"] == 3);
  // Acking the redelivery (consumer seq 3) uses the first delivery's seq.
  c->on_ack(r[0].reply, "+ACK", "");
  j = info(*c);
  CHECK(j["num_redelivered"] == 0);
  CHECK(j["ack_floor"]["consumer_seq"] == 3);
  CHECK(j["ack_floor"]["stream_seq"] == 2);
  h.advance(10 * sec);
  CHECK(h.take().empty());
}

TEST_CASE("nak, nak with delay, progress and term") {
  fake_host h;
  h.interest.insert("d");
  h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","ack_wait":5000000000})");
  auto v = h.take();
  REQUIRE(v.size() == 1);
  c->on_ack(v[0].reply, "-NAK", "");
  auto r = h.take();
  REQUIRE(r.size() == 1);
  CHECK(token(r[0].reply, 4) == "2");
  REQUIRE(h.adv.size() == 1);
  CHECK(h.adv[0].first == "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.S.C");
  auto adv = nlohmann::json::parse(h.adv[0].second);
  CHECK(adv["type"] == "io.nats.jetstream.advisory.v1.nak");
  CHECK(adv["consumer_seq"] == 1);
  CHECK(adv["stream_seq"] == 1);
  CHECK(adv["deliveries"] == 1);
  // NAK with a delay (Go duration, then JSON ns).
  c->on_ack(r[0].reply, "-NAK 1s", "");
  h.advance(900 * ms);
  CHECK(h.take().empty());
  h.advance(200 * ms);
  r = h.take();
  REQUIRE(r.size() == 1);
  CHECK(token(r[0].reply, 4) == "3");
  c->on_ack(r[0].reply, R"(-NAK {"delay": 2000000000})", "");
  h.advance(1900 * ms);
  CHECK(h.take().empty());
  h.advance(200 * ms);
  r = h.take();
  REQUIRE(r.size() == 1);
  // +WPI restarts the ack wait.
  h.advance(4 * sec);
  c->on_ack(r[0].reply, "+WPI", "w");
  h.advance(4 * sec);
  CHECK(h.take().empty());
  h.advance(1100 * ms);
  r = h.take();
  REQUIRE(r.size() == 1);
  // +TERM stops redelivery and sends the terminated advisory.
  h.adv.clear();
  c->on_ack(r[0].reply, "+TERM", "t");
  REQUIRE(h.adv.size() == 1);
  CHECK(h.adv[0].first == "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C");
  adv = nlohmann::json::parse(h.adv[0].second);
  CHECK(adv["type"] == "io.nats.jetstream.advisory.v1.terminated");
  CHECK(adv["stream_seq"] == 1);
  CHECK(adv["deliveries"] == 5);
  CHECK(info(*c)["num_ack_pending"] == 0);
  h.advance(30 * sec);
  CHECK(h.take().empty());
  CHECK(h.durable_out.size() == 2);  // w and t
}

TEST_CASE("max_deliver stops redelivery with an advisory; backoff spaces redeliveries") {
  fake_host h;
  h.scfg.retention = retention_policy::workqueue;
  h.interest.insert("d");
  h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit",
                       "max_deliver":3,"backoff":[1000000000,3000000000]})");
  CHECK(seqs(h.take()) == seq_list{1});
  h.advance(1 * sec + 5 * ms);
  auto r = h.take();
  REQUIRE(r.size() == 1);
  CHECK(token(r[0].reply, 4) == "2");
  h.advance(2900 * ms);
  CHECK(h.take().empty());
  h.advance(200 * ms);
  r = h.take();
  REQUIRE(r.size() == 1);
  CHECK(token(r[0].reply, 4) == "3");
  CHECK(h.adv.empty());
  h.advance(3100 * ms);
  CHECK(h.take().empty());
  REQUIRE(h.adv.size() == 1);
  CHECK(h.adv[0].first == "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C");
  auto adv = nlohmann::json::parse(h.adv[0].second);
  CHECK(adv["type"] == "io.nats.jetstream.advisory.v1.max_deliver");
  CHECK(adv["stream"] == "S");
  CHECK(adv["consumer"] == "C");
  CHECK(adv["stream_seq"] == 1);
  CHECK(adv["deliveries"] == 3);
  CHECK_FALSE(adv.contains("consumer_seq"));
  CHECK(adv["id"].get<std::string>().size() == 22);
  CHECK(adv["timestamp"].get<std::string>().back() == 'Z');
  CHECK(h.released_seqs == seq_list{1});
  auto j = info(*c);
  CHECK(j["num_ack_pending"] == 0);
  CHECK(j["num_redelivered"] == 1);
  h.advance(60 * sec);
  CHECK(h.take().empty());
  CHECK(h.adv.size() == 1);
}

TEST_CASE("max_ack_pending stalls delivery until acks") {
  fake_host h;
  h.interest.insert("d");
  for (int i = 0; i < 5; ++i) h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","max_ack_pending":2})");
  auto v = h.take();
  CHECK(seqs(v) == seq_list{1, 2});
  CHECK(token(v[0].reply, 8) == "4");
  CHECK(token(v[1].reply, 8) == "3");
  CHECK(info(*c)["num_pending"] == 3);
  c->on_ack(v[0].reply, "", "");
  v = h.take();
  CHECK(seqs(v) == seq_list{3});
  c->on_ack(v[0].reply, "", "");
  CHECK(seqs(h.take()) == seq_list{4});
}
