// consumer (nats-server 2.9.10 consumer.go), pull side and the rest: pull
// requests and their statuses, heartbeats, flow control, retention, state
// round trips, expiry, info, replay and rate limits. See consumer_test.cpp.
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/consumer_fake_host.h"

using namespace natrium;
using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

TEST_CASE("pull: batches, no_wait, expiry and their statuses") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  h.add("foo.0", "hello0");
  h.add("foo.1", "hello1");
  auto c = make(h, R"({"durable_name":"P","ack_policy":"explicit"})", "P");
  CHECK(h.take().empty());
  CHECK(info(*c)["num_pending"] == 2);
  c->on_next_request("_INBOX.a", R"({"batch":5,"no_wait":true})");
  auto v = h.take();
  REQUIRE(v.size() == 3);
  CHECK(v[0].subject == "_INBOX.a");
  CHECK(v[0].original_subject == "foo.0");
  CHECK(v[0].payload == "hello0");
  CHECK(v[0].reply == "$JS.ACK.S.P.1.1.1." + std::to_string(h.msgs[1].timestamp_ns) + ".1");
  CHECK(v[1].reply == "$JS.ACK.S.P.1.2.2." + std::to_string(h.msgs[2].timestamp_ns) + ".0");
  CHECK(v[2].subject == "_INBOX.a");
  CHECK(v[2].headers == pending_status("408 Request Timeout", 3, 0));
  CHECK(v[2].reply.empty());
  c->on_next_request("_INBOX.a", R"({"batch":5,"no_wait":true})");
  v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].headers == status("404 No Messages"));
  c->on_next_request("_INBOX.a", R"({"batch":1,"expires":200000000})");
  CHECK(h.take().empty());
  CHECK(info(*c)["num_waiting"] == 1);
  h.advance(199 * ms);
  CHECK(h.take().empty());
  h.advance(2 * ms);
  v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].headers == pending_status("408 Request Timeout", 1, 0));
  CHECK(info(*c)["num_waiting"] == 0);
  // A waiting batch is filled as messages arrive.
  c->on_next_request("_INBOX.b", "2");
  h.add("foo.2");
  c->kick();
  CHECK(seqs(h.take()) == seq_list{3});
  CHECK(info(*c)["num_waiting"] == 1);
  h.add("foo.3");
  c->kick();
  CHECK(seqs(h.take()) == seq_list{4});
  CHECK(info(*c)["num_waiting"] == 0);
  // Empty body: one message.
  h.add("foo.4");
  h.add("foo.5");
  c->on_next_request("_INBOX.c", "");
  CHECK(seqs(h.take()) == seq_list{5});
  // Requests without interest are dropped; no reply is no request.
  c->on_next_request("nobody", "1");
  c->on_next_request("", "1");
  CHECK(h.take().empty());
  CHECK(info(*c)["num_waiting"] == 0);
}

TEST_CASE("pull: batches are served round robin") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  auto c = make(h, R"({"durable_name":"P","ack_policy":"explicit"})", "P");
  c->on_next_request("_INBOX.a", "2");
  c->on_next_request("_INBOX.b", "2");
  for (int i = 0; i < 4; ++i) h.add("foo.x");
  c->kick();
  auto v = h.take();
  REQUIRE(v.size() == 4);
  CHECK(v[0].subject == "_INBOX.a");
  CHECK(v[1].subject == "_INBOX.b");
  CHECK(v[2].subject == "_INBOX.a");
  CHECK(v[3].subject == "_INBOX.b");
}

TEST_CASE("pull: request limits and errors") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  h.add("foo.1", "hello1");
  h.add("foo.2", "hello2", "NATS/1.0\r\nA: b\r\n\r\n");
  h.add("foo.3", std::string(100, 'x'));
  auto c = make(h, R"({"durable_name":"N","ack_policy":"explicit","max_batch":2,"max_expires":1000000000,
                       "max_bytes":10,"max_waiting":1})", "N");
  auto one = [&](std::string_view body) {
    c->on_next_request("_INBOX.p", body);
    auto v = h.take();
    REQUIRE(v.size() == 1);
    return v[0].headers;
  };
  CHECK(one("3") == status("409 Exceeded MaxRequestBatch of 2"));
  CHECK(one(R"({"expires":2000000000})") == status("409 Exceeded MaxRequestExpires of 1s"));
  CHECK(one(R"({"max_bytes":11})") == status("409 Exceeded MaxRequestMaxBytes of 10"));
  CHECK(one(R"({"batch":"x"})") ==
        status("400 Bad Request - json: cannot unmarshal string into Go struct field "
               "JSApiConsumerGetNextRequest.batch of type int"));
  CHECK(one(R"({"idle_heartbeat":100000000,"expires":150000000})") ==
        status("400 Bad Request - heartbeat value too large"));
  CHECK(one(R"({"batch":1,)") == status("400 Bad Request - unexpected end of JSON input"));
  // max_waiting 1: a second waiting request is refused.
  h.add("foo.x");
  c->on_next_request("_INBOX.w1", R"({"batch":2,"max_bytes":1})");  // 409 size at once
  auto v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].headers == pending_status("409 Message Size Exceeds MaxBytes", 2, 1));
  consumer_config push = make_consumer(R"({"deliver_subject":"d"})", h.scfg);
  consumer pc(h, "PC", push, h.wall, std::nullopt);
  pc.on_next_request("_INBOX.p", "1");
  v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].headers == status("409 Consumer is push based"));
  h.cons = c.get();
}

TEST_CASE("pull: max_waiting, max_bytes, heartbeats and deletion") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  auto c = make(h, R"({"durable_name":"W","ack_policy":"explicit","max_waiting":1})", "W");
  c->on_next_request("_INBOX.a", "1");
  c->on_next_request("_INBOX.b", "1");
  auto v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "_INBOX.b");
  CHECK(v[0].headers == status("409 Exceeded MaxWaiting"));
  c->on_delete();
  v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "_INBOX.a");
  CHECK(v[0].headers == status("409 Consumer Deleted"));

  fake_host h2;
  h2.interest.insert("_INBOX.>");
  h2.add("foo.1", "hello1");
  h2.add("foo.2", "hello2", "NATS/1.0\r\nA: b\r\n\r\n");
  h2.add("foo.3", std::string(100, 'x'));
  auto b = make(h2, R"({"durable_name":"B","ack_policy":"explicit"})", "B");
  const std::string ack1 = "$JS.ACK.S.B.1.1.1." + std::to_string(h2.msgs[1].timestamp_ns) + ".2";
  const auto size1 = static_cast<int>(std::string("foo.1").size() + ack1.size() + 6);
  b->on_next_request("_INBOX.p", R"({"batch":5,"max_bytes":)" + std::to_string(size1) + "}");
  v = h2.take();
  REQUIRE(v.size() == 1);  // exactly used up: done, no status
  CHECK(v[0].reply == ack1);
  const std::string ack2 = "$JS.ACK.S.B.1.2.2." + std::to_string(h2.msgs[2].timestamp_ns) + ".1";
  const auto size2 = static_cast<int>(5 + ack2.size() + 18 + 6);
  b->on_next_request("_INBOX.p", R"({"batch":5,"max_bytes":)" + std::to_string(size2 + 12) + "}");
  v = h2.take();
  REQUIRE(v.size() == 2);
  CHECK(v[0].reply == ack2);
  CHECK(v[1].headers == pending_status("409 Message Size Exceeds MaxBytes", 4, 12));
  // Pull heartbeats: three at 100ms steps, then the timeout.
  b->on_next_request("_INBOX.h", R"({"batch":2,"idle_heartbeat":100000000,"expires":350000000})");
  v = h2.take();
  REQUIRE(v.size() == 1);  // message 3
  h2.advance(400 * ms);
  v = h2.take();
  REQUIRE(v.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(v[i].headers == "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 3\r\nNats-Last-Stream: 3\r\n\r\n");
  }
  CHECK(v[3].headers == pending_status("408 Request Timeout", 1, 0));
}

TEST_CASE("pull: +NXT acks and asks for more") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  h.add("foo.1");
  h.add("foo.2");
  h.add("foo.3");
  auto c = make(h, R"({"durable_name":"P","ack_policy":"explicit"})", "P");
  c->on_next_request("_INBOX.p", "1");
  auto v = h.take();
  REQUIRE(v.size() == 1);
  c->on_ack(v[0].reply, "+NXT 2", "_INBOX.p");
  v = h.take();
  CHECK(seqs(v) == seq_list{2, 3});
  CHECK(h.durable_out.empty());  // +NXT gets messages, not an ack reply
  auto j = info(*c);
  CHECK(j["ack_floor"]["stream_seq"] == 1);
  CHECK(j["num_ack_pending"] == 2);
}

TEST_CASE("pull: no_wait with other requests pending") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  h.add("foo.1");
  auto c = make(h, R"({"durable_name":"P","ack_policy":"explicit","max_ack_pending":1})", "P");
  c->on_next_request("_INBOX.a", "1");
  CHECK(seqs(h.take()) == seq_list{1});
  h.add("foo.2");
  c->on_next_request("_INBOX.b", "5");  // stalled by max_ack_pending
  CHECK(h.take().empty());
  c->on_next_request("_INBOX.c", R"({"batch":1,"no_wait":true})");
  auto v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].headers == status("408 Requests Pending"));
}

TEST_CASE("idle heartbeats and flow control for push consumers") {
  fake_host h;
  h.interest.insert("d");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","idle_heartbeat":1000000000,
                       "flow_control":true})");
  h.advance(999 * ms);
  CHECK(h.take().empty());
  h.advance(2 * ms);
  auto v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "d");
  CHECK(v[0].headers == "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 0\r\nNats-Last-Stream: 0\r\n\r\n");
  // Flow control: over half of the 2 MiB window asks for a reply, over the
  // window stalls delivery until it comes.
  const std::string big(600 * 1024, 'x');
  for (int i = 0; i < 6; ++i) h.add("foo.x", big);
  c->kick();
  v = h.take();
  std::vector<std::string> fc;
  for (const auto& m : v) {
    if (m.headers == "NATS/1.0 100 FlowControl Request\r\n\r\n") fc.push_back(m.reply);
  }
  REQUIRE(fc.size() == 1);
  CHECK(fc[0].rfind("$JS.FC.S.C.", 0) == 0);
  CHECK(fc[0].size() == std::string("$JS.FC.S.C.").size() + 4);
  CHECK(seqs(v) == seq_list{1, 2, 3, 4});
  h.advance(1100 * ms);
  v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].headers == "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 4\r\nNats-Last-Stream: 4\r\n"
                        "Nats-Consumer-Stalled: " + fc[0] + "\r\n\r\n");
  c->on_flow_control_reply("$JS.FC.S.C.nope");
  CHECK(h.take().empty());
  c->on_flow_control_reply(fc[0]);
  CHECK(seqs(h.take()) == seq_list{5, 6});
}

TEST_CASE("interest retention: needs and releases") {
  fake_host h;
  h.scfg = make_stream(R"({"name":"S","subjects":["foo.>"],"retention":"interest"})");
  h.interest.insert("d");
  for (int i = 0; i < 3; ++i) h.add("foo.a");
  h.add("foo.b");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","filter_subject":"foo.a",
                       "max_ack_pending":2})");
  auto v = h.take();
  REQUIRE(v.size() == 2);
  CHECK(c->needs(1, "foo.a"));     // pending
  CHECK(c->needs(3, "foo.a"));     // not yet delivered
  CHECK_FALSE(c->needs(4, "foo.b"));  // not ours
  CHECK_FALSE(c->needs(4, ""));    // subject from the index
  CHECK(c->needs(3, ""));
  c->on_ack(v[1].reply, "+ACK", "");
  CHECK_FALSE(c->needs(2, "foo.a"));
  CHECK(h.released_seqs == seq_list{2});
  v = h.take();
  CHECK(seqs(v) == seq_list{3});
  c->on_ack(v[0].reply, "+TERM", "");
  CHECK(h.released_seqs == seq_list{2, 3});
}

TEST_CASE("removed and purged messages leave pending") {
  fake_host h;
  h.interest.insert("d");
  for (int i = 0; i < 4; ++i) h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","max_ack_pending":3})");
  CHECK(seqs(h.take()) == seq_list{1, 2, 3});
  h.remove(1);
  c->on_message_removed(1);
  REQUIRE(h.adv.size() == 1);  // handled like a +TERM
  CHECK(h.adv[0].first == "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C");
  CHECK(seqs(h.take()) == seq_list{4});  // room under max_ack_pending again
  auto j = info(*c);
  CHECK(j["num_ack_pending"] == 3);
  CHECK(j["ack_floor"]["stream_seq"] == 1);
  h.remove(4);
  c->on_message_removed(4);
  CHECK(info(*c)["num_ack_pending"] == 2);
  CHECK(h.adv.size() == 2);
  h.remove(2);
  h.remove(3);
  h.add("foo.x");  // 5
  c->on_purged(5);  // drops all pending, then 5 goes out
  CHECK(seqs(h.take()) == seq_list{5});
  j = info(*c);
  CHECK(j["num_ack_pending"] == 1);
  CHECK(j["ack_floor"]["stream_seq"] == 4);
  CHECK(j["ack_floor"]["consumer_seq"] == 4);
  CHECK(j["delivered"]["consumer_seq"] == 5);
}

TEST_CASE("state round trip restores delivery, pending and redeliveries") {
  fake_host h;
  h.interest.insert("d");
  for (int i = 0; i < 4; ++i) h.add("foo.x");
  store::consumer_state saved;
  {
    auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","ack_wait":2000000000})");
    auto v = h.take();
    REQUIRE(v.size() == 4);
    c->on_ack(v[0].reply, "", "");
    c->on_ack(v[2].reply, "-NAK", "");
    auto r = h.take();
    REQUIRE(r.size() == 1);
    CHECK(h.state_changes > 0);
    saved = c->state();
    CHECK(saved.delivered_consumer_seq == 5);
    CHECK(saved.delivered_stream_seq == 4);
    CHECK(saved.ack_floor_consumer_seq == 1);
    CHECK(saved.ack_floor_stream_seq == 1);
    CHECK(saved.pending.size() == 3);
    CHECK(saved.pending.at(3).consumer_seq == 3);
    CHECK(saved.redelivered == std::map<std::uint64_t, std::uint64_t>{{3, 1}});
    h.cons = nullptr;
  }
  h.advance(1 * sec);
  h.add("foo.x");  // 5
  h.wake.reset();
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","ack_wait":2000000000})",
                "C", saved);
  CHECK(c->state() == [&] {
    auto s = saved;
    s.delivered_consumer_seq = 6;
    s.delivered_stream_seq = 5;
    s.pending[5] = store::pending_entry{6, h.wall.ns};
    return s;
  }());
  CHECK(seqs(h.take()) == seq_list{5});
  // The restored pending messages are redelivered after their ack wait
  // (checked 1s after the restart); 5 was delivered just now.
  h.advance(1100 * ms);
  auto v = h.take();
  CHECK(seqs(v) == seq_list{2, 3, 4});
  CHECK(token(v[1].reply, 4) == "3");
}

TEST_CASE("ephemeral consumers expire after their inactive threshold") {
  fake_host h;
  auto c = make(h, R"({"inactive_threshold":2000000000})");  // pull
  CHECK(c->config().inactive_threshold_ns == 2 * sec);
  h.advance(2 * sec);
  CHECK(h.expire_calls == 0);
  h.advance(200 * ms);
  CHECK(h.expire_calls == 1);

  fake_host p;
  p.interest.insert("d");
  auto pc = make(p, R"({"deliver_subject":"d"})");
  CHECK(pc->config().inactive_threshold_ns == 5 * sec);
  p.advance(30 * sec);
  CHECK(p.expire_calls == 0);
  p.interest.clear();
  p.advance(4 * sec);
  CHECK(p.expire_calls == 0);
  p.advance(4 * sec);
  CHECK(p.expire_calls == 1);

  fake_host d;
  auto dc = make(d, R"({"durable_name":"D"})");
  d.advance(60 * sec);
  CHECK(d.expire_calls == 0);
}

TEST_CASE("pull requests keep an ephemeral alive") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  auto c = make(h, R"({"inactive_threshold":1000000000})");
  c->on_next_request("_INBOX.a", R"({"batch":1,"expires":5000000000})");
  h.advance(4900 * ms);  // checked every 1.1s: the request is still there
  CHECK(h.expire_calls == 0);
  CHECK(h.take().empty());
  h.advance(200 * ms);  // 408 at 5s
  CHECK(h.take().size() == 1);
  CHECK(h.expire_calls == 0);
  h.advance(500 * ms);  // next check at 5.5s: idle since the request came
  CHECK(h.expire_calls == 1);
}

TEST_CASE("info JSON in the reference's field order") {
  fake_host h;
  h.add("foo.x");
  auto c = make(h, R"({"durable_name":"D","ack_policy":"explicit"})", "D");
  CHECK(c->info_json() ==
        R"({"stream_name":"S","name":"D","created":"2023-11-14T22:13:20Z","config":{"durable_name":"D",)"
        R"("deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,)"
        R"("replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"num_replicas":0},)"
        R"("delivered":{"consumer_seq":0,"stream_seq":0},"ack_floor":{"consumer_seq":0,"stream_seq":0},)"
        R"("num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":1})");
  consumer_info_opts o;
  o.include_type = true;
  CHECK(c->info_json(o).rfind(R"({"type":"io.nats.jetstream.api.v1.consumer_info_response","stream_name")", 0) == 0);
  o.type = "io.nats.jetstream.api.v1.consumer_create_response";
  o.cluster_json = R"({"leader":"srv"})";
  const std::string j = c->info_json(o);
  CHECK(j.rfind(R"({"type":"io.nats.jetstream.api.v1.consumer_create_response")", 0) == 0);
  CHECK(j.find(R"("num_pending":1,"cluster":{"leader":"srv"}})") != std::string::npos);
}

TEST_CASE("last_per_subject counts pending subjects") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  h.add("foo.a");
  h.add("foo.b");
  h.add("foo.a");
  h.add("foo.c");
  auto c = make(h, R"({"durable_name":"L","deliver_policy":"last_per_subject","filter_subject":"foo.*",
                       "ack_policy":"explicit"})", "L");
  CHECK(info(*c)["num_pending"] == 3);
  c->on_next_request("_INBOX.a", "1");
  auto v = h.take();
  CHECK(seqs(v) == seq_list{2});
  CHECK(token(v[0].reply, 8) == "2");
  CHECK(info(*c)["num_pending"] == 2);
  c->on_next_request("_INBOX.a", "5");
  v = h.take();
  CHECK(seqs(v) == seq_list{3, 4});
  CHECK(info(*c)["num_pending"] == 0);
  CHECK(info(*c)["delivered"]["stream_seq"] == 4);
  h.add("foo.b");
  c->kick();
  CHECK(seqs(h.take()) == seq_list{5});
}

TEST_CASE("last_per_subject: a listed message replaced before delivery is skipped, not a later one twice") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  for (const char* k : {"foo.a", "foo.b", "foo.c", "foo.d"}) h.add(k);  // 1..4
  auto c = make(h, R"({"durable_name":"W","deliver_policy":"last_per_subject","filter_subject":"foo.>",
                       "ack_policy":"none"})", "W");
  c->on_next_request("_INBOX.a", "1");
  CHECK(seqs(h.take()) == seq_list{1});
  // A KV update of foo.b under history 1: the new revision replaces seq 2.
  h.add("foo.b");  // 5
  h.remove(2);
  c->on_next_request("_INBOX.a", "10");
  CHECK(seqs(h.take()) == seq_list{3, 4, 5});  // each subject once; foo.b's new revision from the stream
  h.add("foo.c");  // 6
  c->kick();
  CHECK(seqs(h.take()) == seq_list{6});
}

TEST_CASE("replay original spaces deliveries like the originals") {
  fake_host h;
  h.interest.insert("d");
  h.add("foo.x");
  h.advance(500 * ms);
  h.add("foo.x");
  h.advance(2 * sec);
  auto c = make(h, R"({"deliver_subject":"d","replay_policy":"original"})");
  CHECK(seqs(h.take()) == seq_list{1});
  h.advance(490 * ms);
  CHECK(h.take().empty());
  h.advance(20 * ms);
  CHECK(seqs(h.take()) == seq_list{2});
}

TEST_CASE("rate limit paces deliveries") {
  fake_host h;
  h.scfg.max_msg_size = 1000;
  h.interest.insert("d");
  for (int i = 0; i < 3; ++i) h.add("foo.x", std::string(900, 'x'));
  auto c = make(h, R"({"deliver_subject":"d","rate_limit_bps":8000})");  // 1000 bytes/s
  CHECK(seqs(h.take()) == seq_list{1});
  h.advance(500 * ms);
  CHECK(h.take().empty());
  h.advance(600 * ms);
  CHECK(seqs(h.take()) == seq_list{2});
}

TEST_CASE("pull request parsing") {
  using detail::parse_next_request;
  CHECK(parse_next_request("").batch == 1);
  CHECK(parse_next_request(" 7 ").batch == 7);
  CHECK(parse_next_request("junk").batch == 1);
  CHECK(parse_next_request("[1]").batch == 1);
  auto r = parse_next_request(R"({"batch":3,"expires":5,"no_wait":true,"max_bytes":9,"BATCH":4})");
  CHECK(r.error.empty());
  CHECK(r.batch == 4);
  CHECK(r.expires_ns == 5);
  CHECK(r.no_wait);
  CHECK(r.max_bytes == 9);
  auto err = [](std::string_view s) { return parse_next_request(s).error; };
  const std::string pre = "json: cannot unmarshal ";
  const std::string mid = " into Go struct field JSApiConsumerGetNextRequest.";
  CHECK(err(R"({"batch":[1]})") == pre + "array" + mid + "batch of type int");
  CHECK(err(R"({"batch":{"a":1}})") == pre + "object" + mid + "batch of type int");
  CHECK(err(R"({"no_wait":"x"})") == pre + "string" + mid + "no_wait of type bool");
  CHECK(err(R"({"no_wait":1})") == pre + "number" + mid + "no_wait of type bool");
  CHECK(err(R"({"batch":true})") == pre + "bool" + mid + "batch of type int");
  CHECK(err(R"({"batch":1e3})") == pre + "number 1e3" + mid + "batch of type int");
  CHECK(err(R"({"batch":1.5})") == pre + "number 1.5" + mid + "batch of type int");
  CHECK(err(R"({"batch":99999999999999999999})") == pre + "number 99999999999999999999" + mid + "batch of type int");
  CHECK(err(R"({"expires":"x","batch":"y"})") == pre + "string" + mid + "expires of type time.Duration");
  CHECK(err(R"({"batch":tru})") == "invalid character '}' in literal true (expecting 'e')");
  CHECK(err(R"({"batch":-})") == "invalid character '}' in numeric literal");
  CHECK(err(R"({"batch":1.})") == "invalid character '}' after decimal point in numeric literal");
  CHECK(err(R"({"batch":1e})") == "invalid character '}' in exponent of numeric literal");
  CHECK(err(R"({"a":"\x"})") == "invalid character 'x' in string escape code");
  CHECK(err(R"({"a":"\u12g4"})") == "invalid character 'g' in \\u hexadecimal character escape");
  CHECK(err(R"({"a" 1})") == "invalid character '1' after object key");
  CHECK(err(R"({"a":1 "b"})") == "invalid character '\"' after object key:value pair");
  CHECK(err("{1}") == "invalid character '1' looking for beginning of object key string");
  CHECK(err(R"({"batch":1}x)") == "invalid character 'x' after top-level value");
  CHECK(err(R"({"a":[1 2]})") == "invalid character '2' after array element");
  CHECK(err("{\"a\":\"\x01\"}") == "invalid character '\\x01' in string literal");
  CHECK(err(R"({"a":'x'})") == "invalid character '\\'' looking for beginning of value");
  CHECK(err("{\"a\":\xc3\xa9}") == "invalid character '\xc3\x83' looking for beginning of value");
  CHECK(err(R"({"batch":01})") == "invalid character '1' after object key:value pair");
  CHECK(err(R"({"batch":)") == "unexpected end of JSON input");
}

TEST_CASE("Go durations and ack subjects") {
  std::int64_t d = 0;
  CHECK(detail::go_parse_duration("1s", d));
  CHECK(d == sec);
  CHECK(detail::go_parse_duration("1.5m", d));
  CHECK(d == 90 * sec);
  CHECK(detail::go_parse_duration("1h2m3.5s", d));
  CHECK(d == 3723 * sec + 500 * ms);
  CHECK(detail::go_parse_duration("-250ms", d));
  CHECK(d == -250 * ms);
  CHECK(detail::go_parse_duration("0", d));
  CHECK(d == 0);
  CHECK_FALSE(detail::go_parse_duration("5", d));
  CHECK_FALSE(detail::go_parse_duration("s", d));
  CHECK_FALSE(detail::go_parse_duration("1x", d));
  const auto a = detail::parse_ack_subject("$JS.ACK.S.C.2.10.7.123.4");
  CHECK(a.dc == 2);
  CHECK(a.sseq == 10);
  CHECK(a.dseq == 7);
  CHECK(detail::parse_ack_subject("$JS.ACK.S.C.2.10.7.123").sseq == 0);
  CHECK(detail::parse_ack_subject("$JS.NAK.S.C.2.10.7.123.4").sseq == 0);
}

TEST_CASE("store failures stop delivery") {
  fake_host h;
  h.interest.insert("d");
  h.add("foo.x");
  h.fail_loads = true;
  auto c = make(h, R"({"deliver_subject":"d"})");
  CHECK(h.take().empty());
  h.fail_loads = false;
  c->kick();
  CHECK(seqs(h.take()) == seq_list{1});
}

TEST_CASE("the pending count in ack subjects matches info after each delivery") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  const char* subjects[] = {"foo.a.1", "foo.b.1", "foo.a.2", "foo.c", "foo.a.3"};
  for (int i = 0; i < 10; ++i) h.add(subjects[i % 5]);
  auto c = make(h, R"({"durable_name":"P","ack_policy":"explicit","filter_subject":"foo.a.*"})", "P");
  for (int round = 0; round < 12; ++round) {
    if (round % 3 == 1) h.add(subjects[round % 5]);
    if (round == 4) {
      const std::uint64_t next = h.ix.next_matching("foo.a.*", info(*c)["delivered"]["stream_seq"].get<std::uint64_t>() + 1);
      if (next != 0) {
        h.remove(next);
        c->on_message_removed(next);
      }
    }
    c->on_next_request("_INBOX.p", "1");
    auto v = h.take();
    if (v.empty()) continue;
    REQUIRE(v.size() == 1);
    INFO("round " << round);
    CHECK(num(token(v[0].reply, 8)) == info(*c)["num_pending"].get<std::uint64_t>());
  }
  CHECK(info(*c)["num_pending"] == 0);
}

// The same steps against nats-server 2.9.10 gave these numbers.
TEST_CASE("reference scenario: ack, nak, term and max_deliver on a pull consumer") {
  fake_host h;
  h.interest.insert("_INBOX.>");
  for (int i = 0; i < 5; ++i) h.add(i % 2 == 0 ? "foo.0" : "foo.1");
  auto c = make(h, R"({"durable_name":"E","ack_policy":"explicit","max_deliver":2})", "E");
  c->on_next_request("_INBOX.p", "5");
  auto v = h.take();
  REQUIRE(v.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(token(v[i].reply, 8) == std::to_string(4 - i));
  auto check = [&](int dseq, int sseq, int afc, int afs, int pending, int redelivered, int waiting) {
    auto j = info(*c);
    CHECK(j["delivered"]["consumer_seq"] == dseq);
    CHECK(j["delivered"]["stream_seq"] == sseq);
    CHECK(j["ack_floor"]["consumer_seq"] == afc);
    CHECK(j["ack_floor"]["stream_seq"] == afs);
    CHECK(j["num_ack_pending"] == pending);
    CHECK(j["num_redelivered"] == redelivered);
    CHECK(j["num_waiting"] == waiting);
    CHECK(j["num_pending"] == 0);
  };
  c->on_ack(v[2].reply, "+ACK", "");
  check(5, 5, 0, 0, 4, 0, 0);
  c->on_ack(v[0].reply, "-NAK", "");
  check(5, 5, 0, 0, 4, 0, 0);
  c->on_next_request("_INBOX.p", "1");
  auto r = h.take();
  REQUIRE(r.size() == 1);
  CHECK(r[0].reply == "$JS.ACK.S.E.2.1.6." + std::to_string(h.msgs[1].timestamp_ns) + ".0");
  c->on_ack(v[1].reply, "+TERM", "");
  check(6, 5, 0, 0, 3, 1, 0);
  c->on_ack(r[0].reply, "-NAK", "");
  check(6, 5, 0, 0, 3, 1, 0);
  c->on_next_request("_INBOX.p", R"({"batch":1,"no_wait":true})");
  CHECK(h.take().empty());  // past max_deliver; the no_wait request stays
  check(6, 5, 0, 0, 2, 1, 1);
  c->on_ack(v[4].reply, "+ACK", "");
  check(6, 5, 0, 0, 1, 1, 1);
  c->on_ack(v[3].reply, "+ACK", "");
  check(6, 5, 6, 5, 0, 1, 1);
}

TEST_CASE("ack sampling and config updates") {
  fake_host h;
  h.interest.insert("d");
  h.interest.insert("e");
  h.add("foo.x");
  h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"explicit","sample_freq":"100%"})");
  auto v = h.take();
  REQUIRE(v.size() == 2);
  h.advance(3 * ms);
  c->on_ack(v[0].reply, "+ACK", "");
  REQUIRE(h.adv.size() == 1);
  CHECK(h.adv[0].first == "$JS.EVENT.METRIC.CONSUMER.ACK.S.C");
  auto j = nlohmann::json::parse(h.adv[0].second);
  CHECK(j["type"] == "io.nats.jetstream.metric.v1.consumer_ack");
  CHECK(j["ack_time"] == 3 * ms);
  CHECK(j["consumer_seq"] == 1);
  CHECK(j["deliveries"] == 1);
  // A new deliver subject gets everything still pending again.
  consumer_config n = c->config();
  n.deliver_subject = "e";
  n.max_ack_pending = 5;
  c->update_config(n);
  CHECK(c->config().max_ack_pending == 5);
  v = h.take();
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "e");
  CHECK(token(v[0].reply, 4) == "2");
  CHECK(token(v[0].reply, 5) == "2");
}

TEST_CASE("ack all: a removed pending message acks up to it") {
  fake_host h;
  h.interest.insert("d");
  for (int i = 0; i < 3; ++i) h.add("foo.x");
  auto c = make(h, R"({"durable_name":"C","deliver_subject":"d","ack_policy":"all"})");
  CHECK(seqs(h.take()) == seq_list{1, 2, 3});
  h.remove(2);
  c->on_message_removed(2);
  auto j = info(*c);
  CHECK(j["ack_floor"]["stream_seq"] == 2);
  CHECK(j["num_ack_pending"] == 1);
  CHECK(h.adv.size() == 1);
}
