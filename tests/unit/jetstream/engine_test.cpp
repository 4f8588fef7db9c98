// JetStream through the node's interface (node_harness, virtual time):
// limits on every write, max_age expiry on the node's timers, the duplicate
// window, and the consumer timers (ack_wait, backoff, max_deliver,
// inactive_threshold) driven by advancing the node's clock, with clients that
// speak the protocol. Durability gating and recovery: engine_durability_test.
#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/jetstream/engine_test_util.h"

using namespace natrium;
using namespace natrium::jetstream::test;

namespace {

std::int64_t messages(js_client& c, std::string_view stream) { return num(stream_info(c, stream), "state.messages"); }

// When JetStream next needs the clock, in ms of virtual time.
std::int64_t next_deadline_ms(node_harness& h) {
  auto d = h.node().jetstream()->next_deadline();
  REQUIRE(d.has_value());
  return d->ns / ms_ns;
}

}  // namespace

// --- limits --------------------------------------------------------------------

TEST_CASE("max_msgs with discard old drops the oldest on every write") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_msgs":3})");
  for (int i = 1; i <= 5; ++i) CHECK(publish(c, "foo.a", "m" + std::to_string(i)).seq == static_cast<std::uint64_t>(i));
  const auto info = stream_info(c, "S");
  CHECK(num(info, "state.messages") == 3);
  CHECK(num(info, "state.first_seq") == 3);
  CHECK(num(info, "state.last_seq") == 5);
  // The dropped ones are gone from the store too.
  auto gone = c.request_json("$JS.API.STREAM.MSG.GET.S", R"({"seq":2})");
  CHECK(num(gone, "error.err_code") == 10037);
  auto kept = c.request_json("$JS.API.STREAM.MSG.GET.S", R"({"seq":3})");
  CHECK(num(kept, "message.seq") == 3);
}

TEST_CASE("max_msgs with discard new refuses the write and keeps the stream") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_msgs":2,"discard":"new"})");
  CHECK(publish(c, "foo.a", "1").seq == 1);
  CHECK(publish(c, "foo.a", "2").seq == 2);
  const std::uint64_t writes = h.storage_writes();
  CHECK(c.request("foo.a", "3") ==
        R"({"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"S","seq":0})");
  CHECK(h.storage_writes() == writes);  // nothing written for a refused message
  const auto info = stream_info(c, "S");
  CHECK(num(info, "state.messages") == 2);
  CHECK(num(info, "state.last_seq") == 2);
  // Room again after a delete: the next message takes the next sequence.
  CHECK(at(c.request_json("$JS.API.STREAM.MSG.DELETE.S", R"({"seq":1})"), "success") == true);
  CHECK(publish(c, "foo.a", "3").seq == 3);
}

TEST_CASE("max_bytes counts the file store's record size, discard old and new") {
  // A file-store record of subject "foo.a" (5) and a 40-byte payload counts
  // 5 + 40 + 30 = 75 bytes.
  const std::string payload(40, 'p');
  SECTION("discard old: the second message pushes the first out") {
    node_harness h(js_config());
    js_client c(h);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_bytes":100})");
    CHECK(publish(c, "foo.a", payload).seq == 1);
    CHECK(num(stream_info(c, "S"), "state.bytes") == 75);
    CHECK(publish(c, "foo.a", payload).seq == 2);
    const auto info = stream_info(c, "S");
    CHECK(num(info, "state.messages") == 1);
    CHECK(num(info, "state.bytes") == 75);
    CHECK(num(info, "state.first_seq") == 2);
  }
  SECTION("discard new: bytes + the new message's size must stay below max_bytes") {
    node_harness h(js_config());
    js_client c(h);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_bytes":100,"discard":"new"})");
    CHECK(publish(c, "foo.a", payload).seq == 1);
    CHECK(c.request("foo.a", payload) ==
          R"({"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"},"stream":"S","seq":0})");
    // 75 + 24 = 99 < 100: accepted, then the stream is over its bytes and
    // the oldest goes (the reference enforces max_bytes after every store).
    CHECK(publish(c, "foo.a", std::string(24, 'q')).seq == 2);
    const auto info = stream_info(c, "S");
    CHECK(num(info, "state.messages") == 1);
    CHECK(num(info, "state.first_seq") == 2);
    CHECK(num(info, "state.bytes") == 5 + 24 + 30);
  }
}

TEST_CASE("max_msgs_per_subject keeps the newest per subject, or refuses with discard new per subject") {
  SECTION("discard old") {
    node_harness h(js_config());
    js_client c(h);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_msgs_per_subject":2})");
    for (const char* subj : {"foo.a", "foo.b", "foo.a", "foo.a", "foo.b", "foo.a"}) publish(c, subj, "x");
    const auto info = stream_info(c, "S", R"({"subjects_filter":">","deleted_details":true})");
    CHECK(num(info, "state.messages") == 4);
    CHECK(num(info, "state.first_seq") == 2);
    CHECK(num(info, "state.last_seq") == 6);
    CHECK(at(info, "state.subjects") == parse_json(R"({"foo.a":2,"foo.b":2})"));
    CHECK(at(info, "state.deleted") == parse_json("[3]"));  // foo.a's seq 1 and 3 are gone
  }
  SECTION("discard new per subject") {
    node_harness h(js_config());
    js_client c(h);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_msgs_per_subject":1,"discard":"new",)"
                          R"("discard_new_per_subject":true})");
    CHECK(publish(c, "foo.a", "1").seq == 1);
    CHECK(c.request("foo.a", "2") ==
          R"({"error":{"code":503,"err_code":10077,"description":"maximum messages per subject exceeded"},)"
          R"("stream":"S","seq":0})");
    CHECK(publish(c, "foo.b", "3").seq == 2);
    CHECK(messages(c, "S") == 2);
  }
  SECTION("discard new without per subject: the subject's oldest goes") {
    node_harness h(js_config());
    js_client c(h);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_msgs_per_subject":1,"discard":"new"})");
    CHECK(publish(c, "foo.a", "1").seq == 1);
    CHECK(publish(c, "foo.a", "2").seq == 2);
    const auto info = stream_info(c, "S");
    CHECK(num(info, "state.messages") == 1);
    CHECK(num(info, "state.first_seq") == 2);
  }
}

TEST_CASE("a stream update that lowers max_msgs applies it at once") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  for (int i = 0; i < 5; ++i) publish(c, "foo.a", "x");
  auto up = c.request_json("$JS.API.STREAM.UPDATE.S", R"({"name":"S","subjects":["foo.>"],"max_msgs":2})");
  CHECK(at(up, "error").is_null());
  CHECK(num(up, "state.messages") == 2);
  CHECK(num(up, "state.first_seq") == 4);
  CHECK(publish(c, "foo.a", "x").seq == 6);
  CHECK(num(stream_info(c, "S"), "state.first_seq") == 5);
}

// --- max_age ----------------------------------------------------------------

TEST_CASE("max_age: a message goes exactly when the node's timer fires, not before, with no sweep") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_age":1000000000})");
  CHECK(publish(c, "foo.a", "one").seq == 1);  // t = 0
  CHECK(next_deadline_ms(h) == 1000);
  run_ms(h, 400);
  CHECK(publish(c, "foo.b", "two").seq == 2);  // t = 400 ms
  CHECK(next_deadline_ms(h) == 1000);          // one timer: the oldest message's expiry
  const std::uint64_t writes = h.storage_writes();
  run_ms(h, 599);  // t = 999 ms
  CHECK(messages(c, "S") == 2);
  CHECK(h.storage_writes() == writes);  // nothing happened in between
  run_ms(h, 1);  // t = 1 s: the first expires
  CHECK(h.storage_writes() == writes + 1);
  auto info = stream_info(c, "S");
  CHECK(num(info, "state.messages") == 1);
  CHECK(num(info, "state.first_seq") == 2);
  CHECK(next_deadline_ms(h) == 1400);
  CHECK(num(c.request_json("$JS.API.STREAM.MSG.GET.S", R"({"seq":1})"), "error.err_code") == 10037);
  run_ms(h, 399);  // t = 1.399 s
  CHECK(messages(c, "S") == 1);
  run_ms(h, 1);  // t = 1.4 s
  info = stream_info(c, "S");
  CHECK(num(info, "state.messages") == 0);
  CHECK(num(info, "state.first_seq") == 3);
  CHECK(num(info, "state.last_seq") == 2);
  CHECK_FALSE(h.node().jetstream()->next_deadline().has_value());  // nothing left to expire
  CHECK(publish(c, "foo.a", "three").seq == 3);
  CHECK(next_deadline_ms(h) == 2400);
}

TEST_CASE("max_age: one big clock jump removes everything that is due at once") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_age":1000000000})");
  for (int i = 0; i < 4; ++i) {
    publish(c, "foo.a", "x");
    run_ms(h, 100);
  }
  // t = 400 ms: messages from 0, 100, 200, 300 ms.
  h.advance_ms(850);  // t = 1.25 s, in one step (a late host): the first three are due
  auto info = stream_info(c, "S");
  CHECK(num(info, "state.messages") == 1);
  CHECK(num(info, "state.first_seq") == 4);
  CHECK(next_deadline_ms(h) == 1300);
}

// --- duplicate window ------------------------------------------------------

TEST_CASE("duplicate window: a repeated Nats-Msg-Id is a duplicate of the original until the window passes") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"duplicate_window":2000000000})");
  auto first = publish_id(c, "foo.a", "id-1", "x");  // t = 0
  CHECK(first.seq == 1);
  CHECK_FALSE(first.duplicate);
  run_ms(h, 1999);
  {
    const std::string inbox = c.publish_id_async("foo.a", "id-1", "again");
    CHECK(c.reply(inbox) == R"({"stream":"S", "seq":1,"duplicate": true})");
  }
  CHECK(publish_id(c, "foo.a", "id-2", "y").seq == 2);  // t = 1.999 s
  run_ms(h, 1);                                         // t = 2 s: id-1's window is over
  auto again = publish_id(c, "foo.a", "id-1", "z");
  CHECK(again.seq == 3);
  CHECK_FALSE(again.duplicate);
  auto dup2 = publish_id(c, "foo.a", "id-2", "y2");
  CHECK(dup2.seq == 2);
  CHECK(dup2.duplicate);
  run_ms(h, 1999);  // t = 3.999 s: id-2 (1.999 s) is over, id-1 (2 s) is not
  auto new2 = publish_id(c, "foo.a", "id-2", "y3");
  CHECK(new2.seq == 4);
  CHECK_FALSE(new2.duplicate);
  auto dup1 = publish_id(c, "foo.a", "id-1", "z2");
  CHECK(dup1.seq == 3);
  CHECK(dup1.duplicate);
  CHECK(messages(c, "S") == 4);  // duplicates are not stored
}

TEST_CASE("duplicate window: a duplicate writes nothing and its ack waits for the original's batch") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  h.hold_storage();
  const std::string i1 = c.publish_id_async("foo.a", "id-1", "x");
  const std::string i2 = c.publish_id_async("foo.a", "id-1", "x");
  CHECK(h.held_batches() == 1);
  CHECK_FALSE(c.reply(i1).has_value());
  CHECK_FALSE(c.reply(i2).has_value());  // acking the duplicate would ack the original early
  h.release_storage(true);
  CHECK(c.reply(i1) == R"({"stream":"S", "seq":1})");
  CHECK(c.reply(i2) == R"({"stream":"S", "seq":1,"duplicate": true})");
}

// --- consumer timers --------------------------------------------------------

namespace {

struct push_setup {
  node_harness h{js_config()};
  js_client c{h};
  js_client sub{h, "_S"};
  explicit push_setup(std::string_view consumer_config, std::string_view durable = "D") {
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
    sub.sub("deliver.d", "9");
    create_consumer(c, "S", durable, consumer_config);
  }
  std::vector<frame> deliveries() { return sub.take_sid("9"); }
};

}  // namespace

TEST_CASE("ack_wait: an unacked message comes again when the ack wait (plus the reference's 1 ms) passes") {
  push_setup s(R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit","ack_wait":1000000000})");
  CHECK(publish(s.c, "foo.a", "hello").seq == 1);  // t = 0
  auto d = s.deliveries();
  REQUIRE(d.size() == 1);
  CHECK(d[0].subject == "foo.a");
  CHECK(d[0].payload == "hello");
  auto m = parse_ack(d[0].reply);
  CHECK(m.dc == 1);
  CHECK(m.sseq == 1);
  CHECK(m.dseq == 1);
  CHECK(m.ts == s.h.wall_ns());
  run_ms(s.h, 1000);
  CHECK(s.deliveries().empty());
  run_ms(s.h, 1);  // t = 1.001 s
  d = s.deliveries();
  REQUIRE(d.size() == 1);
  m = parse_ack(d[0].reply);
  CHECK(m.dc == 2);
  CHECK(m.sseq == 1);
  CHECK(m.dseq == 2);
  // Acked now: never again, and the AckAck comes back.
  const std::string inbox = s.sub.new_inbox();
  s.sub.pub(d[0].reply, "+ACK", inbox);
  CHECK(s.sub.reply(inbox) == "");
  run_ms(s.h, 10'000);
  CHECK(s.deliveries().empty());
  const auto info = consumer_info(s.c, "S", "D");
  CHECK(num(info, "delivered.consumer_seq") == 2);
  CHECK(num(info, "delivered.stream_seq") == 1);
  CHECK(num(info, "ack_floor.consumer_seq") == 2);
  CHECK(num(info, "ack_floor.stream_seq") == 1);
  CHECK(num(info, "num_ack_pending") == 0);
  CHECK(num(info, "num_redelivered") == 0);
}

TEST_CASE("ack_wait: +WPI restarts the wait, -NAK with a delay redelivers after the delay") {
  push_setup s(R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit","ack_wait":1000000000})");
  publish(s.c, "foo.a", "x");
  auto d = s.deliveries();
  REQUIRE(d.size() == 1);
  run_ms(s.h, 800);
  s.sub.pub(d[0].reply, "+WPI");  // t = 0.8 s: the wait now ends at 1.8 s
  run_ms(s.h, 201);            // t = 1.001 s: the timer finds it 0.799 s from expiry
  CHECK(s.deliveries().empty());
  run_ms(s.h, 799);  // t = 1.8 s: expired, but the timer is 1 ms later
  CHECK(s.deliveries().empty());
  run_ms(s.h, 1);  // t = 1.801 s
  d = s.deliveries();
  REQUIRE(d.size() == 1);
  CHECK(parse_ack(d[0].reply).dc == 2);
  // -NAK with a delay of 500 ms: redelivered when the delay (plus the 1 ms
  // ack-wait delay) has passed.
  s.sub.pub(d[0].reply, "-NAK {\"delay\":500000000}");  // t = 1.801 s
  run_ms(s.h, 500);
  CHECK(s.deliveries().empty());
  run_ms(s.h, 1);  // t = 2.302 s
  d = s.deliveries();
  REQUIRE(d.size() == 1);
  CHECK(parse_ack(d[0].reply).dc == 3);
  auto info = consumer_info(s.c, "S", "D");
  CHECK(num(info, "num_redelivered") == 1);
  CHECK(num(info, "delivered.consumer_seq") == 3);
}

TEST_CASE("backoff: redeliveries follow the backoff steps, then max_deliver stops them with an advisory") {
  push_setup s(R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit",)"
               R"("backoff":[1000000000,2000000000,4000000000],"max_deliver":5})");
  js_client adv(s.h, "_A");
  adv.sub("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.D", "7");
  publish(s.c, "foo.a", "x");  // t = 0, delivery 1
  REQUIRE(s.deliveries().size() == 1);
  // Each step: the backoff for the delivery count, plus the 1 ms ack-wait delay.
  const std::int64_t due_ms[] = {1001, 3002, 7003, 11004};
  std::uint64_t dc = 1;
  for (std::int64_t due : due_ms) {
    run_ms(s.h, due - 1 - s.h.now_ns() / ms_ns);
    CHECK(s.deliveries().empty());
    run_ms(s.h, 1);
    auto d = s.deliveries();
    INFO("at " << due << " ms");
    REQUIRE(d.size() == 1);
    const auto m = parse_ack(d[0].reply);
    CHECK(m.dc == ++dc);
    CHECK(m.sseq == 1);
  }
  CHECK(adv.take_sid("7").empty());
  run_ms(s.h, 15004 - s.h.now_ns() / ms_ns);
  CHECK(adv.take_sid("7").empty());
  run_ms(s.h, 1);  // t = 15.005 s: a 6th delivery would exceed max_deliver
  CHECK(s.deliveries().empty());
  auto a = adv.take_sid("7");
  REQUIRE(a.size() == 1);
  const auto j = parse_json(a[0].payload);
  CHECK(at(j, "type") == "io.nats.jetstream.advisory.v1.max_deliver");
  CHECK(at(j, "stream") == "S");
  CHECK(at(j, "consumer") == "D");
  CHECK(num(j, "stream_seq") == 1);
  CHECK(num(j, "deliveries") == 5);
  run_ms(s.h, 60'000);
  CHECK(s.deliveries().empty());
  CHECK(adv.take_sid("7").empty());
  const auto info = consumer_info(s.c, "S", "D");
  CHECK(num(info, "num_ack_pending") == 0);
  CHECK(num(info, "delivered.consumer_seq") == 5);
}

TEST_CASE("max_deliver with ack_wait on a pull consumer") {
  node_harness h(js_config());
  js_client c(h);
  js_client adv(h, "_A");
  adv.sub("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.P", "7");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  create_consumer(c, "S", "P", R"({"durable_name":"P","ack_policy":"explicit","ack_wait":1000000000,"max_deliver":2})");
  publish(c, "foo.a", "x");
  auto fetch = [&] {
    const std::string inbox = c.new_inbox();
    c.pub("$JS.API.CONSUMER.MSG.NEXT.S.P", R"({"batch":1,"no_wait":true})", inbox);
    std::vector<frame> got;
    for (auto& f : c.take_all()) {
      if (f.subject == inbox || f.reply.rfind("$JS.ACK.", 0) == 0) got.push_back(std::move(f));
    }
    return got;
  };
  auto d = fetch();
  REQUIRE(d.size() == 1);
  CHECK(parse_ack(d[0].reply).dc == 1);
  run_ms(h, 1001);
  d = fetch();
  REQUIRE(d.size() == 1);
  CHECK(parse_ack(d[0].reply).dc == 2);
  CHECK(adv.take_sid("7").empty());
  // The timer after a redelivery waits ack_wait + 2 ms, as the reference's
  // checkPending (ackWait(next) adds the 1 ms delay to a next that has it).
  run_ms(h, 1001);
  CHECK(fetch().size() == 1);  // not yet expired: a 404 and no advisory
  CHECK(adv.take_sid("7").empty());
  run_ms(h, 1);
  // Expired, and a third delivery would pass max_deliver: the advisory, and
  // the request gets nothing until it expires.
  const std::string inbox = c.new_inbox();
  c.pub("$JS.API.CONSUMER.MSG.NEXT.S.P", R"({"batch":1,"expires":500000000})", inbox);
  CHECK(c.take_all().empty());
  auto a = adv.take_sid("7");
  REQUIRE(a.size() == 1);
  const auto j = parse_json(a[0].payload);
  CHECK(at(j, "type") == "io.nats.jetstream.advisory.v1.max_deliver");
  CHECK(num(j, "stream_seq") == 1);
  CHECK(num(j, "deliveries") == 2);
  const auto info = consumer_info(c, "S", "P");
  CHECK(num(info, "num_ack_pending") == 0);
  CHECK(num(info, "num_redelivered") == 1);
  run_ms(h, 499);
  CHECK(c.take_all().empty());
  run_ms(h, 1);
  d = c.take_all();
  REQUIRE(d.size() == 1);
  CHECK(d[0].subject == inbox);
  CHECK(d[0].headers.rfind("NATS/1.0 408 Request Timeout", 0) == 0);
}

TEST_CASE("inactive_threshold: an ephemeral push consumer with no interest goes exactly at the threshold") {
  node_harness h(js_config());
  js_client c(h);
  js_client adv(h, "_A");
  adv.sub("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.>", "7");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  const auto created =
      create_consumer(c, "S", "", R"({"deliver_subject":"nobody.home","inactive_threshold":2000000000})");
  const std::string name = at(created, "name").get<std::string>();
  REQUIRE(name.size() == 8);
  run_ms(h, 1999);
  CHECK(at(consumer_info(c, "S", name), "error").is_null());
  CHECK(adv.take_sid("7").empty());
  run_ms(h, 1);
  CHECK(num(consumer_info(c, "S", name), "error.err_code") == 10014);
  auto a = adv.take_sid("7");
  REQUIRE(a.size() == 1);
  CHECK(a[0].subject == "$JS.EVENT.ADVISORY.CONSUMER.DELETED.S." + name);
  CHECK(at(parse_json(a[0].payload), "action") == "delete");
  CHECK(num(stream_info(c, "S"), "state.consumer_count") == 0);
}

TEST_CASE("inactive_threshold: an ephemeral pull consumer goes after the threshold plus the fixed jitter") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  const auto created = create_consumer(c, "S", "", R"({"ack_policy":"explicit","inactive_threshold":2000000000})");
  const std::string name = at(created, "name").get<std::string>();
  run_ms(h, 1500);
  // A pull request counts as activity: the threshold starts again.
  c.pub("$JS.API.CONSUMER.MSG.NEXT.S." + name, R"({"batch":1,"no_wait":true})", c.new_inbox());
  c.take_all();
  run_ms(h, 2099);  // t = 3.599 s
  CHECK(at(consumer_info(c, "S", name), "error").is_null());
  run_ms(h, 1);  // t = 3.6 s: 2 s threshold + 100 ms jitter after the request at 1.5 s
  CHECK(num(consumer_info(c, "S", name), "error.err_code") == 10014);
}

TEST_CASE("inactive_threshold: a push consumer whose subscriber leaves goes within a threshold and a poll") {
  node_harness h(js_config());
  js_client c(h);
  js_client sub(h, "_S");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  sub.sub("deliver.e", "9");
  const auto created = create_consumer(c, "S", "", R"({"deliver_subject":"deliver.e","inactive_threshold":2000000000})");
  const std::string name = at(created, "name").get<std::string>();
  run_ms(h, 5000);  // interest keeps it alive
  CHECK(at(consumer_info(c, "S", name), "error").is_null());
  sub.unsub("9");  // t = 5 s
  run_ms(h, 1999);
  CHECK(at(consumer_info(c, "S", name), "error").is_null());
  run_ms(h, 1001);  // t = 8 s: the threshold plus at most one interest poll (1 s)
  CHECK(num(consumer_info(c, "S", name), "error.err_code") == 10014);
}

