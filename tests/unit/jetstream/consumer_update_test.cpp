// jsConsumerCreateRequest subject forms, the work-queue rules of
// addConsumerWithAssignment and checkNewConsumerConfig (nats-server 2.9.10).
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/consumer_test_util.h"

using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

namespace {
const stream_config s1 = make_stream(R"({"name":"S1","subjects":["S1","s1.>"]})");
std::string req(std::string_view config, std::string_view stream = "S1") {
  return R"({"stream_name":")" + std::string(stream) + R"(","config":)" + std::string(config) + "}";
}

std::string update_error(const consumer_config& old, const consumer_config& n, bool interest = false) {
  auto e = check_consumer_update(old, n, interest);
  return e ? api_error_json(*e) : "ok";
}
std::string create_err(std::string_view text) {
  return R"({"code":500,"err_code":10012,"description":")" + std::string(text) + "\"}";
}
}  // namespace

TEST_CASE("create subjects: legacy ephemeral, legacy durable, new style") {
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1", req("{}", "S2"), s1) ==
        cbody(400, 10056, "stream name in subject does not match request"));
  // The reference only routes DURABLE.CREATE.*.* (7 tokens): these two get no
  // reply from it at all; check_consumer_create_subject mirrors its code path.
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1", req("{}"), s1) ==
        cbody(400, 10016, "consumer expected to be durable but no durable name set in subject"));
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.D.x", req(R"({"durable_name":"D"})"), s1) ==
        cbody(400, 10016, "consumer expected to be durable but no durable name set in subject"));
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.D", req("{}"), s1) ==
        cbody(400, 10018, "consumer expected to be durable but a durable name was not set"));
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.D", req(R"({"durable_name":"E"})"), s1) ==
        cbody(400, 10017, "consumer name in subject does not match durable name in request"));
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.a/b", req(R"({"durable_name":"a/b"})"), s1) ==
        cbody(400, 10127, "Consumer name can not contain path separators"));
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.a\\b", req("{}"), s1) ==
        cbody(400, 10127, "Consumer name can not contain path separators"));
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1", req(R"({"durable_name":"D"})"), s1) ==
        cbody(400, 10020, "consumer expected to be ephemeral but a durable name was set in request"));
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.N.s1.x", req(R"({"filter_subject":"s1.y"})"), s1) ==
        cbody(400, 10131, "Consumer create request did not match filtered subject from create subject"));
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.N.s1.x", req("{}"), s1) ==
        cbody(400, 10131, "Consumer create request did not match filtered subject from create subject"));
}

TEST_CASE("new-style create names the consumer from the subject") {
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.N", req("{}"), s1) ==
        R"({"name":"N","deliver_policy":"all","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","max_waiting":512,"inactive_threshold":5000000000,"num_replicas":0})");
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.N.s1.x", req(R"({"filter_subject":"s1.x"})"), s1)
            .find(R"("name":"N")") != std::string::npos);
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.D", req(R"({"durable_name":"D"})"), s1) ==
        R"({"durable_name":"D","name":"D","deliver_policy":"all","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","max_waiting":512,"num_replicas":0})");
  consumer_create_request r;
  r.stream_name = "S1";
  r.config.filter_subject = "a.b.c";
  CHECK_FALSE(check_consumer_create_subject("$JS.API.CONSUMER.CREATE.S1.N.a.b.c", r));
  CHECK(r.config.name == "N");
}

TEST_CASE("work queue streams") {
  const stream_config wq = make_stream(R"({"name":"S1","subjects":["w.>"],"retention":"workqueue"})");
  const std::string eph = "$JS.API.CONSUMER.CREATE.S1";
  CHECK(create_consumer(eph, req(R"({"ack_policy":"all"})"), wq) == cbody(400, 10098, "workqueue stream requires explicit ack"));
  const consumer_config first = make_consumer(R"({"ack_policy":"explicit","filter_subject":"w.a.>"})", wq);
  const std::vector<const consumer_config*> existing = {&first};
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit"})"), wq, {}, existing) ==
        cbody(400, 10099, "multiple non-filtered consumers not allowed on workqueue stream"));
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","filter_subject":"w.a.b"})"), wq, {}, existing) ==
        cbody(400, 10100, "filtered consumer not unique on workqueue stream"));
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","filter_subject":"w.>"})"), wq, {}, existing) ==
        cbody(400, 10100, "filtered consumer not unique on workqueue stream"));
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","filter_subject":"w.b","deliver_policy":"new"})"), wq, {}, existing) ==
        cbody(400, 10101, "consumer must be deliver all on workqueue stream"));
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","filter_subject":"w.b"})"), wq, {}, existing).substr(0, 2) == "{\"");
  const consumer_config unfiltered = make_consumer(R"({"ack_policy":"explicit"})", wq);
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","filter_subject":"w.b"})"), wq, {}, {&unfiltered}) ==
        cbody(400, 10100, "filtered consumer not unique on workqueue stream"));
}

TEST_CASE("updates: identical configs are fine, fixed fields can not change") {
  const consumer_config old = make_consumer(R"({"durable_name":"D","ack_policy":"explicit","max_deliver":5})", s1);
  CHECK(update_error(old, old) == "ok");
  auto with = [&](auto change) {
    consumer_config n = old;
    change(n);
    return n;
  };
  CHECK(update_error(old, with([](consumer_config& n) { n.description = "x"; n.max_ack_pending = 7; n.ack_wait_ns = 1; })) == "ok");
  CHECK(update_error(old, with([](consumer_config& n) { n.deliver = deliver_policy::new_msgs; })) ==
        create_err("deliver policy can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.opt_start_seq = 3; })) ==
        create_err("start sequence can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.opt_start_time = go_time{}; })) ==
        create_err("start time can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.ack = ack_policy::all; })) ==
        create_err("ack policy can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.replay = replay_policy::original; })) ==
        create_err("replay policy can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.idle_heartbeat_ns = 1; })) ==
        create_err("heart beats can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.flow_control = true; })) ==
        create_err("flow control can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.max_waiting = 1; })) ==
        create_err("max waiting can not be updated"));
  CHECK(update_error(old, with([](consumer_config& n) { n.deliver_subject = "d"; })) ==
        create_err("can not update pull consumer to push based"));
  CHECK(update_error(old, with([](consumer_config& n) { n.backoff_ns = {1, 2, 3, 4, 5}; })) ==
        R"({"code":400,"err_code":10116,"description":"max deliver is required to be \u003e length of backoff values"})");
}

TEST_CASE("updates: push deliver subjects and start times") {
  consumer_config push = make_consumer(R"({"durable_name":"P","deliver_subject":"d1"})", s1);
  consumer_config moved = push;
  moved.deliver_subject = "d2";
  CHECK(update_error(push, moved, false) == "ok");
  CHECK(update_error(push, moved, true) ==
        R"({"code":400,"err_code":10013,"description":"consumer name already in use"})");
  consumer_config pull = push;
  pull.deliver_subject.clear();
  CHECK(update_error(push, pull) == create_err("can not update push consumer to pull based"));
  // The reference compares start-time pointers: an equal time still differs
  // once anything else changed.
  consumer_config timed = make_consumer(
      R"({"durable_name":"T","deliver_policy":"by_start_time","opt_start_time":"2023-01-02T03:04:05Z"})", s1);
  CHECK(update_error(timed, timed) == "ok");
  consumer_config changed = timed;
  changed.description = "x";
  CHECK(update_error(timed, changed) == create_err("start time can not be updated"));
}

TEST_CASE("single-server replicas and the consumer count limit") {
  consumer_config c;
  CHECK_FALSE(check_consumer_single_server(c));
  c.num_replicas = 2;
  CHECK(api_error_json(*check_consumer_single_server(c)) ==
        R"({"code":500,"err_code":10074,"description":"replicas \u003e 1 not supported in non-clustered mode"})");
  const stream_config limited = make_stream(R"({"name":"L","max_consumers":2})");
  CHECK_FALSE(check_consumer_count(limited, 0, 1));
  CHECK(api_error_json(*check_consumer_count(limited, 0, 2)) ==
        R"({"code":400,"err_code":10026,"description":"maximum consumers limit reached"})");
  CHECK(check_consumer_count(limited, 1, 1));
  const stream_config unlimited = make_stream(R"({"name":"U"})");
  CHECK_FALSE(check_consumer_count(unlimited, 0, 1000));
  CHECK(check_consumer_count(unlimited, 3, 3));
}
