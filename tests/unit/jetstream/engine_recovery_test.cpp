// JetStream recovery through the node's interface: a node builds state on a
// memory_store, is destroyed, and a new node attached to the same store
// carries on exactly: stream state, consumer state (no redelivery of acked
// messages, the same sequences), the dedup window rebuilt from the newest
// messages, max_age expiry across the restart, memory streams empty.
#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/jetstream/engine_test_util.h"

using namespace natrium;
using namespace natrium::jetstream::test;

namespace {

// The parts of STREAM.INFO / CONSUMER.INFO that must survive a restart.
nlohmann::json stream_state(js_client& c, std::string_view name) {
  auto j = stream_info(c, name, R"({"subjects_filter":">","deleted_details":true})");
  return at(j, "state");
}

nlohmann::json consumer_state(js_client& c, std::string_view stream, std::string_view name) {
  auto j = consumer_info(c, stream, name);
  nlohmann::json s;
  for (const char* k : {"delivered", "ack_floor", "num_ack_pending", "num_redelivered", "num_pending", "config"}) {
    s[k] = at(j, k);
  }
  // Last delivery and ack times are not persisted (nor are they in the
  // reference's consumer store): a restarted consumer shows none until it
  // delivers or is acked again.
  for (const char* k : {"delivered", "ack_floor"}) {
    if (s[k].is_object()) s[k].erase("last_active");
  }
  return s;
}

// A pull fetch of up to `batch` messages, no wait.
std::vector<frame> fetch(js_client& c, std::string_view stream, std::string_view consumer, int batch) {
  const std::string inbox = c.new_inbox();
  c.pub("$JS.API.CONSUMER.MSG.NEXT." + std::string(stream) + "." + std::string(consumer),
        "{\"batch\":" + std::to_string(batch) + ",\"no_wait\":true}", inbox);
  std::vector<frame> got;
  for (auto& f : c.take_all()) {
    if (f.reply.rfind("$JS.ACK.", 0) == 0) got.push_back(std::move(f));
  }
  return got;
}

void ack(js_client& c, const frame& f) {
  const std::string inbox = c.new_inbox();
  c.pub(f.reply, "+ACK", inbox);
  REQUIRE(c.reply(inbox) == "");
}

}  // namespace

TEST_CASE("recovery: streams, consumers and sequences carry on exactly after a restart") {
  node_harness h1(js_config());
  nlohmann::json s_before, d_before, p_before, m_config_before;
  {
    js_client c(h1);
    js_client sub(h1, "_S");
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"duplicate_window":60000000000})");
    create_stream(c, "M", R"({"name":"M","subjects":["mem.>"],"storage":"memory"})");
    for (int i = 1; i <= 10; ++i) {
      const char* subj = i % 3 == 0 ? "foo.b" : (i % 3 == 1 ? "foo.a" : "foo.c");
      CHECK(publish_id(c, subj, "id-" + std::to_string(i), "m" + std::to_string(i)).seq == static_cast<std::uint64_t>(i));
    }
    publish(c, "mem.x", "gone after restart");
    // Deletes and purges: 5 deleted, foo.b (3, 6, 9) purged.
    CHECK(at(c.request_json("$JS.API.STREAM.MSG.DELETE.S", R"({"seq":5})"), "success") == true);
    CHECK(num(c.request_json("$JS.API.STREAM.PURGE.S", R"({"filter":"foo.b"})"), "purged") == 3);
    // Push consumer: gets 1, 2, 4, 7, 8, 10 and acks 1, 2, 4.
    sub.sub("deliver.d", "9");
    create_consumer(c, "S", "D",
                    R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit","ack_wait":30000000000})");
    auto d = sub.take_sid("9");
    REQUIRE(d.size() == 6);
    for (int i : {0, 1, 2}) ack(sub, d[static_cast<std::size_t>(i)]);
    // Pull consumer on foo.a (1, 4, 7, 10): takes two, acks the first.
    create_consumer(c, "S", "P", R"({"durable_name":"P","ack_policy":"explicit","filter_subject":"foo.a"})");
    auto p = fetch(c, "S", "P", 2);
    REQUIRE(p.size() == 2);
    ack(c, p[0]);
    s_before = stream_state(c, "S");
    d_before = consumer_state(c, "S", "D");
    p_before = consumer_state(c, "S", "P");
    m_config_before = at(stream_info(c, "M"), "config");
    CHECK(num(s_before, "messages") == 6);
    CHECK(num(d_before, "num_ack_pending") == 3);
    CHECK(num(p_before, "num_ack_pending") == 1);
  }
  run_ms(h1, 100);
  node_harness h2(js_config(), h1.store(), h1.now_ns() + 10 * sec_ns);
  REQUIRE(h2.attach_error().empty());
  js_client c(h2);
  js_client sub(h2, "_S");

  // (bytes: see the test on messages with headers below)
  auto s_after = stream_state(c, "S");
  s_after.erase("bytes");
  s_before.erase("bytes");
  CHECK(s_after == s_before);
  CHECK(consumer_state(c, "S", "D") == d_before);
  CHECK(consumer_state(c, "S", "P") == p_before);
  // The memory stream is back, empty.
  const auto m = stream_info(c, "M");
  CHECK(at(m, "config") == m_config_before);
  CHECK(num(m, "state.messages") == 0);
  CHECK(num(m, "state.last_seq") == 0);

  SECTION("the push consumer redelivers only unacked messages, after their ack wait") {
    sub.sub("deliver.d", "9");
    // Delivered at wall 0; the new node starts at wall 10.1 s, checks its
    // pending messages 1 s later and then waits for the rest of the 30 s
    // ack wait (+1 ms): redelivery at mono 19.901 s (wall 30.001 s).
    run_ms(h2, 19'900);
    CHECK(sub.take_sid("9").empty());
    run_ms(h2, 1);
    auto d = sub.take_sid("9");
    std::vector<std::uint64_t> seqs;
    for (auto& f : d) {
      const auto a = parse_ack(f.reply);
      CHECK(a.dc == 2);
      seqs.push_back(a.sseq);
    }
    CHECK(seqs == std::vector<std::uint64_t>{7, 8, 10});
    // A new message continues the stream's and the consumer's sequences.
    CHECK(publish(c, "foo.c", "new").seq == 11);
    d = sub.take_sid("9");
    REQUIRE(d.size() == 1);
    const auto a = parse_ack(d[0].reply);
    CHECK(a.sseq == 11);
    CHECK(a.dc == 1);
    CHECK(num(d_before, "delivered.consumer_seq") == 6);
    CHECK(a.dseq == 10);  // after the three redeliveries
  }
  SECTION("the pull consumer continues after its last delivery") {
    auto p = fetch(c, "S", "P", 5);
    std::vector<std::uint64_t> seqs;
    for (auto& f : p) seqs.push_back(parse_ack(f.reply).sseq);
    CHECK(seqs == std::vector<std::uint64_t>{7, 10});  // 4 is still pending, not yet due
  }
  SECTION("the dedup window is rebuilt from the newest messages") {
    auto dup = publish_id(c, "foo.a", "id-10", "again");
    CHECK(dup.duplicate);
    CHECK(dup.seq == 10);
    auto dup7 = publish_id(c, "foo.a", "id-7", "again");
    CHECK(dup7.duplicate);
    CHECK(dup7.seq == 7);
    CHECK(publish_id(c, "foo.a", "id-new", "x").seq == 11);
    // The window (60 s from the original publishes) ends on the new node's clock too.
    run_ms(h2, 50'000);
    auto fresh = publish_id(c, "foo.a", "id-10", "after the window");
    CHECK_FALSE(fresh.duplicate);
    CHECK(fresh.seq == 12);
  }
  SECTION("the last Nats-Msg-Id is known for Nats-Expected-Last-Msg-Id") {
    const std::string inbox = c.new_inbox();
    c.hpub("foo.a", "Nats-Expected-Last-Msg-Id: id-10\r\n", "x", inbox);
    auto r = c.reply(inbox);
    REQUIRE(r.has_value());
    CHECK(parse_pub_ack(*r).seq == 11);
  }
}

TEST_CASE("recovery: a purged stream keeps its sequence across a restart") {
  node_harness h1(js_config());
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
    for (int i = 0; i < 4; ++i) publish(c, "foo.a", "x");
    CHECK(num(c.request_json("$JS.API.STREAM.PURGE.S"), "purged") == 4);
  }
  node_harness h2(js_config(), h1.store(), h1.now_ns() + sec_ns);
  js_client c(h2);
  const auto st = at(stream_info(c, "S"), "state");
  CHECK(num(st, "messages") == 0);
  CHECK(num(st, "first_seq") == 5);
  CHECK(num(st, "last_seq") == 4);
  CHECK(publish(c, "foo.a", "x").seq == 5);
}

TEST_CASE("recovery: a stream whose newest messages were deleted keeps its last sequence") {
  node_harness h1(js_config());
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
    for (int i = 0; i < 4; ++i) publish(c, "foo.a", "x");
    c.request_json("$JS.API.STREAM.MSG.DELETE.S", R"({"seq":4})");
    c.request_json("$JS.API.STREAM.MSG.DELETE.S", R"({"seq":3})");
  }
  node_harness h2(js_config(), h1.store(), h1.now_ns() + sec_ns);
  js_client c(h2);
  const auto st = at(stream_info(c, "S"), "state");
  CHECK(num(st, "messages") == 2);
  CHECK(num(st, "last_seq") == 4);
  CHECK(publish(c, "foo.a", "x").seq == 5);
}

TEST_CASE("recovery: max_age expires what aged while the node was down, and times the rest") {
  node_harness h1(js_config());
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"max_age":10000000000})");
    publish(c, "foo.a", "old");  // wall 0
    run_ms(h1, 6000);
    publish(c, "foo.a", "young");  // wall 6 s
  }
  // The new node starts at wall 8 s with its monotonic clock at 0.
  node_harness h2(js_config(), h1.store(), 8 * sec_ns);
  js_client c(h2);
  CHECK(num(stream_info(c, "S"), "state.messages") == 2);
  auto d = h2.node().next_deadline();
  REQUIRE(d.has_value());
  CHECK(d->ns == 2 * sec_ns);  // the first message is 10 s old at wall 10 s
  run_ms(h2, 1999);
  CHECK(num(stream_info(c, "S"), "state.messages") == 2);
  run_ms(h2, 1);
  CHECK(num(stream_info(c, "S"), "state.messages") == 1);
  // The new node's first wall time is past both: everything goes at attach.
  node_harness h3(js_config(), h2.store(), 20 * sec_ns);
  js_client c3(h3);
  const auto st = at(stream_info(c3, "S"), "state");
  CHECK(num(st, "messages") == 0);
  CHECK(num(st, "last_seq") == 2);
}

TEST_CASE("recovery: an acked message of an interest stream is not back after a restart") {
  node_harness h1(js_config());
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"retention":"workqueue"})");
    create_consumer(c, "S", "W", R"({"durable_name":"W","ack_policy":"explicit"})");
    for (int i = 0; i < 3; ++i) publish(c, "foo.a", "job" + std::to_string(i));
    auto got = fetch(c, "S", "W", 2);
    REQUIRE(got.size() == 2);
    ack(c, got[0]);
    CHECK(num(stream_info(c, "S"), "state.messages") == 2);
  }
  node_harness h2(js_config(), h1.store(), h1.now_ns() + sec_ns);
  js_client c(h2);
  const auto st = at(stream_info(c, "S"), "state");
  CHECK(num(st, "messages") == 2);
  CHECK(num(st, "first_seq") == 2);
  auto got = fetch(c, "S", "W", 5);
  REQUIRE(got.size() == 1);
  CHECK(parse_ack(got[0].reply).sseq == 3);  // 2 is pending (ack wait 30 s)
}

// The recovery scan reports each record's header length, so sizes counted as
// the reference's fileStoreMsgSize (+4 with headers) survive a restart.
TEST_CASE("recovery: stream bytes are the same after a restart for messages with headers") {
  node_harness h1(js_config());
  nlohmann::json before;
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
    publish_id(c, "foo.a", "id-1", "x");
    before = at(stream_info(c, "S"), "state");
  }
  node_harness h2(js_config(), h1.store(), h1.now_ns() + sec_ns);
  js_client c(h2);
  CHECK(at(stream_info(c, "S"), "state") == before);
}

TEST_CASE("recovery: a dedup window that ended while the node was down is not rebuilt") {
  node_harness h1(js_config());
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"],"duplicate_window":60000000000})");
    CHECK(publish_id(c, "foo.a", "id-1", "x").seq == 1);  // wall 0
    run_ms(h1, 30'000);
    CHECK(publish_id(c, "foo.a", "id-2", "y").seq == 2);  // wall 30 s
  }
  // Back at wall 70 s: id-1's window (to 60 s) is over, id-2's (to 90 s) is not.
  node_harness h2(js_config(), h1.store(), 70 * sec_ns);
  js_client c(h2);
  auto one = publish_id(c, "foo.a", "id-1", "again");
  CHECK_FALSE(one.duplicate);
  CHECK(one.seq == 3);
  auto two = publish_id(c, "foo.a", "id-2", "again");
  CHECK(two.duplicate);
  CHECK(two.seq == 2);
  run_ms(h2, 19'999);  // wall 89.999 s
  CHECK(publish_id(c, "foo.a", "id-2", "again").duplicate);
  run_ms(h2, 1);  // wall 90 s
  auto late = publish_id(c, "foo.a", "id-2", "late");
  CHECK_FALSE(late.duplicate);
  CHECK(late.seq == 4);
}

TEST_CASE("recovery: consumers of a stream restarted twice keep their acks") {
  node_harness h1(js_config());
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
    create_consumer(c, "S", "P", R"({"durable_name":"P","ack_policy":"explicit"})");
    for (int i = 0; i < 3; ++i) publish(c, "foo.a", "x");
    auto got = fetch(c, "S", "P", 1);
    REQUIRE(got.size() == 1);
    ack(c, got[0]);
  }
  node_harness h2(js_config(), h1.store(), h1.now_ns() + sec_ns);
  {
    js_client c(h2);
    auto got = fetch(c, "S", "P", 1);
    REQUIRE(got.size() == 1);
    CHECK(parse_ack(got[0].reply).sseq == 2);
    CHECK(parse_ack(got[0].reply).dseq == 2);
    ack(c, got[0]);
  }
  node_harness h3(js_config(), h2.store(), h1.now_ns() + 2 * sec_ns);
  js_client c(h3);
  const auto info = consumer_info(c, "S", "P");
  CHECK(num(info, "ack_floor.stream_seq") == 2);
  CHECK(num(info, "num_ack_pending") == 0);
  CHECK(num(info, "num_pending") == 1);
  auto got = fetch(c, "S", "P", 5);
  REQUIRE(got.size() == 1);
  CHECK(parse_ack(got[0].reply).sseq == 3);
  CHECK(parse_ack(got[0].reply).dseq == 3);
}
