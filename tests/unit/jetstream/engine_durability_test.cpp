// JetStream's durability rules through the node's interface (node_harness
// with a memory_store as the disk): nothing is acknowledged or delivered
// before the batch that holds it is durable, a failed write fences
// JetStream, and a new node on the same store carries on exactly where the
// old one stopped (streams, consumers, dedup window).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "tests/unit/jetstream/engine_test_util.h"

using namespace natrium;
using namespace natrium::jetstream::test;

namespace {

bool logged(const node_harness& h, std::string_view text) {
  return std::any_of(h.logs().begin(), h.logs().end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

constexpr std::string_view insufficient_resources =
    R"({"error":{"code":503,"err_code":10023,"description":"insufficient resources"},"stream":"S","seq":0})";

}  // namespace

// --- acknowledgements wait for storage -------------------------------------------

TEST_CASE("durability: a PubAck is sent only once its batch is durable") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  h.hold_storage();
  const std::string i1 = c.request_async("foo.a", "one");
  const std::string i2 = c.request_async("foo.a", "two");
  CHECK(h.held_batches() == 2);
  CHECK_FALSE(c.reply(i1).has_value());
  CHECK_FALSE(c.reply(i2).has_value());
  run_ms(h, 5000);  // time alone releases nothing
  CHECK_FALSE(c.reply(i1).has_value());
  // A read waits for the writes in flight too: it never shows what a crash
  // could still take back.
  const std::string info = c.request_async("$JS.API.STREAM.INFO.S", "");
  CHECK_FALSE(c.reply(info).has_value());
  h.release_storage(true);
  CHECK(c.reply(i1) == R"({"stream":"S", "seq":1})");
  CHECK(c.reply(i2) == R"({"stream":"S", "seq":2})");
  auto got = c.reply(info);
  REQUIRE(got.has_value());
  CHECK(num(parse_json(*got), "state.messages") == 2);
}

TEST_CASE("durability: API replies wait for the writes in flight, reads included") {
  node_harness h(js_config());
  js_client c(h);
  const std::string idle = c.request_async("$JS.API.INFO", "");
  CHECK(c.reply(idle).has_value());  // nothing in flight: at once
  h.hold_storage();
  const std::string create = c.request_async("$JS.API.STREAM.CREATE.S", R"({"name":"S","subjects":["foo.>"]})");
  CHECK_FALSE(c.reply(create).has_value());
  const std::string info = c.request_async("$JS.API.STREAM.INFO.S", "");
  const std::string account = c.request_async("$JS.API.INFO", "");
  CHECK_FALSE(c.reply(info).has_value());
  CHECK_FALSE(c.reply(account).has_value());
  h.release_storage(true);
  auto created = c.reply(create);
  REQUIRE(created.has_value());
  CHECK(at(parse_json(*created), "did_create") == true);
  CHECK(c.reply(info).has_value());
  auto acc = c.reply(account);
  REQUIRE(acc.has_value());
  CHECK(num(parse_json(*acc), "streams") == 1);

  h.hold_storage();
  const std::string cons = c.request_async("$JS.API.CONSUMER.DURABLE.CREATE.S.D",
                                           R"({"stream_name":"S","config":{"durable_name":"D","ack_policy":"explicit"}})");
  CHECK_FALSE(c.reply(cons).has_value());
  h.release_storage(true);
  CHECK(c.reply(cons).has_value());

  publish(c, "foo.a", "x");
  h.hold_storage();
  const std::string del = c.request_async("$JS.API.STREAM.MSG.DELETE.S", R"({"seq":1})");
  const std::string purge = c.request_async("$JS.API.STREAM.PURGE.S", "");
  const std::string cdel = c.request_async("$JS.API.CONSUMER.DELETE.S.D", "");
  CHECK_FALSE(c.reply(del).has_value());
  CHECK_FALSE(c.reply(purge).has_value());
  CHECK_FALSE(c.reply(cdel).has_value());
  h.release_storage(true);
  CHECK(c.reply(del).has_value());
  CHECK(c.reply(purge).has_value());
  CHECK(c.reply(cdel).has_value());

  h.hold_storage();
  const std::string sdel = c.request_async("$JS.API.STREAM.DELETE.S", "");
  CHECK_FALSE(c.reply(sdel).has_value());
  h.release_storage(true);
  CHECK(c.reply(sdel) == R"({"type":"io.nats.jetstream.api.v1.stream_delete_response","success":true})");
}

TEST_CASE("durability: an AckAck waits for the batch that saves the ack") {
  node_harness h(js_config());
  js_client c(h);
  js_client sub(h, "_S");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  sub.sub("deliver.d", "9");
  create_consumer(c, "S", "D", R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit"})");
  publish(c, "foo.a", "x");
  auto d = sub.take_sid("9");
  REQUIRE(d.size() == 1);
  h.hold_storage();
  const std::string inbox = sub.new_inbox();
  sub.pub(d[0].reply, "+ACK", inbox);
  CHECK(h.held_batches() == 1);
  CHECK_FALSE(sub.reply(inbox).has_value());
  const std::string info = c.request_async("$JS.API.CONSUMER.INFO.S.D", "");
  CHECK_FALSE(c.reply(info).has_value());
  h.release_storage(true);
  CHECK(sub.reply(inbox) == "");
  auto got = c.reply(info);
  REQUIRE(got.has_value());
  CHECK(num(parse_json(*got), "num_ack_pending") == 0);
  CHECK(num(parse_json(*got), "ack_floor.stream_seq") == 1);
}

TEST_CASE("durability: a memory stream's PubAck needs no batch") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "M", R"({"name":"M","subjects":["mem.>"],"storage":"memory"})");
  h.hold_storage();
  CHECK(publish(c, "mem.a", "x").seq == 1);
  CHECK(h.held_batches() == 0);
  h.release_storage(true);
}

// --- consumers deliver only durable messages -----------------------------------

TEST_CASE("durability: a push consumer delivers a message only once it is durable") {
  node_harness h(js_config());
  js_client c(h);
  js_client sub(h, "_S");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  sub.sub("deliver.d", "9");
  create_consumer(c, "S", "D", R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit"})");
  h.hold_storage();
  const std::string i1 = c.request_async("foo.a", "one");
  run_ms(h, 1000);
  CHECK(sub.take_sid("9").empty());
  const std::string i2 = c.request_async("foo.a", "two");
  CHECK(sub.take_sid("9").empty());
  h.release_storage(true);
  auto d = sub.take_sid("9");
  REQUIRE(d.size() == 2);
  CHECK(d[0].payload == "one");
  CHECK(d[1].payload == "two");
  CHECK(parse_ack(d[1].reply).sseq == 2);
  CHECK(c.reply(i1).has_value());
  CHECK(c.reply(i2).has_value());
}

TEST_CASE("durability: a waiting pull request gets a message only once it is durable") {
  node_harness h(js_config());
  js_client c(h);
  js_client puller(h, "_P");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  create_consumer(c, "S", "P", R"({"durable_name":"P","ack_policy":"explicit"})");
  const std::string want = puller.new_inbox();
  puller.pub("$JS.API.CONSUMER.MSG.NEXT.S.P", R"({"batch":1,"expires":10000000000})", want);
  CHECK(puller.take_all().empty());
  h.hold_storage();
  c.request_async("foo.a", "x");
  CHECK(puller.take_all().empty());
  h.release_storage(true);
  auto got = puller.take_all();
  REQUIRE(got.size() == 1);
  CHECK(got[0].payload == "x");
  CHECK(parse_ack(got[0].reply).sseq == 1);
}

// --- a failed write fences JetStream ------------------------------------------

TEST_CASE("storage failure: nothing in the failed batches is acknowledged and JetStream refuses writes") {
  node_harness h(js_config());
  js_client c(h);
  js_client sub(h, "_S");
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  sub.sub("deliver.d", "9");
  create_consumer(c, "S", "D", R"({"durable_name":"D","deliver_subject":"deliver.d","ack_policy":"explicit"})");
  publish(c, "foo.a", "durable");
  auto d = sub.take_sid("9");
  REQUIRE(d.size() == 1);

  h.hold_storage();
  const std::string p1 = c.request_async("foo.a", "lost-1");
  const std::string ackack = sub.new_inbox();
  sub.pub(d[0].reply, "+ACK", ackack);
  const std::string p2 = c.request_async("foo.a", "lost-2");
  const std::string create = c.request_async("$JS.API.STREAM.CREATE.T", R"({"name":"T","subjects":["bar"]})");
  CHECK(h.held_batches() == 4);
  h.release_storage(false, "disk full");

  CHECK(h.node().jetstream()->stats().fenced);
  CHECK(logged(h, "JetStream storage failure, refusing writes: storage write failed: disk full"));
  run_ms(h, 60'000);
  CHECK_FALSE(c.reply(p1).has_value());
  CHECK_FALSE(c.reply(p2).has_value());
  CHECK_FALSE(c.reply(create).has_value());
  CHECK_FALSE(sub.reply(ackack).has_value());
  CHECK(sub.take_sid("9").empty());  // the failed messages are never delivered

  // Writes are refused at once, with nothing written.
  const std::uint64_t writes = h.storage_writes();
  CHECK(c.request("foo.a", "after") == insufficient_resources);
  auto cs = c.request_json("$JS.API.STREAM.CREATE.U", R"({"name":"U","subjects":["baz"]})");
  CHECK(num(cs, "error.err_code") == 10023);
  auto cc = c.request_json("$JS.API.CONSUMER.DURABLE.CREATE.S.E",
                           R"({"stream_name":"S","config":{"durable_name":"E","ack_policy":"explicit"}})");
  CHECK(num(cc, "error.err_code") == 10023);
  CHECK(num(c.request_json("$JS.API.STREAM.PURGE.S"), "error.err_code") == 10023);
  CHECK(num(c.request_json("$JS.API.STREAM.MSG.DELETE.S", R"({"seq":1})"), "error.err_code") == 10023);
  CHECK(num(c.request_json("$JS.API.CONSUMER.DELETE.S.D"), "error.err_code") == 10023);
  CHECK(num(c.request_json("$JS.API.STREAM.DELETE.S"), "error.err_code") == 10023);
  // An ack after the fence gets no AckAck either.
  const std::string late = sub.new_inbox();
  sub.pub(d[0].reply, "+ACK", late);
  CHECK_FALSE(sub.reply(late).has_value());
  CHECK(h.storage_writes() == writes);
  // Reads still work.
  CHECK(at(stream_info(c, "S"), "error").is_null());
}

TEST_CASE("storage failure: a restart sees only what was acknowledged") {
  node_harness h1(js_config());
  store::memory_store disk;
  {
    js_client c(h1);
    create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
    CHECK(publish(c, "foo.a", "kept").seq == 1);
    h1.hold_storage();
    const std::string lost = c.request_async("foo.a", "lost");
    h1.release_storage(false, "disk full");
    CHECK_FALSE(c.reply(lost).has_value());
    disk = h1.store();
  }
  node_harness h2(js_config(), disk, h1.now_ns() + 5 * sec_ns);
  REQUIRE(h2.attach_error().empty());
  js_client c(h2);
  const auto info = stream_info(c, "S");
  CHECK(num(info, "state.messages") == 1);
  CHECK(num(info, "state.last_seq") == 1);
  CHECK(publish(c, "foo.a", "again").seq == 2);
  CHECK_FALSE(h2.node().jetstream()->stats().fenced);
}

TEST_CASE("crash: a batch that never completed is gone after a restart, and was never acknowledged") {
  node_harness h1(js_config());
  js_client c1(h1);
  create_stream(c1, "S", R"({"name":"S","subjects":["foo.>"]})");
  CHECK(publish(c1, "foo.a", "kept").seq == 1);
  h1.hold_storage();
  const std::string lost = c1.request_async("foo.a", "in flight");
  CHECK_FALSE(c1.reply(lost).has_value());
  // The process dies with the batch unwritten: the disk is what the store holds.
  node_harness h2(js_config(), h1.store(), h1.now_ns() + sec_ns);
  js_client c(h2);
  CHECK(num(stream_info(c, "S"), "state.last_seq") == 1);
  CHECK(publish(c, "foo.a", "next").seq == 2);
}


TEST_CASE("storage failure: a read parked behind a failed batch is never answered; later reads are") {
  node_harness h(js_config());
  js_client c(h);
  create_stream(c, "S", R"({"name":"S","subjects":["foo.>"]})");
  h.hold_storage();
  c.request_async("foo.a", "lost");
  const std::string parked = c.request_async("$JS.API.STREAM.INFO.S", "");
  h.release_storage(false, "disk full");
  CHECK_FALSE(c.reply(parked).has_value());
  CHECK(at(stream_info(c, "S"), "error").is_null());
}
