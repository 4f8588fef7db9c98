// Consumer configs: golden JSON recorded from nats-server 2.9.10 (consumer
// create responses' "config"), defaults, parsing and every checkConsumerCfg error.
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/consumer_test_util.h"

using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

namespace {
const stream_config s1 = make_stream(R"({"name":"S1","subjects":["S1","more"]})");
const std::string eph = "$JS.API.CONSUMER.CREATE.S1";
std::string req(std::string_view config) { return R"({"stream_name":"S1","config":)" + std::string(config) + "}"; }
std::string policy(std::string_view d) { return cbody(400, 10094, d); }
}  // namespace

TEST_CASE("golden: ephemeral pull consumer defaults") {
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit"})"), s1) ==
        R"({"deliver_policy":"all","ack_policy":"explicit","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_waiting":512,"max_ack_pending":1000,"inactive_threshold":5000000000,"num_replicas":0})");
  CHECK(create_consumer(eph, req(R"({"deliver_policy":"all","ack_policy":"all","replay_policy":"instant","max_ack_pending":-1})"), s1) ==
        R"({"deliver_policy":"all","ack_policy":"all","ack_wait":30000000000,"max_deliver":-1,"replay_policy":"instant","max_waiting":512,"max_ack_pending":-1,"inactive_threshold":5000000000,"num_replicas":0})");
}

TEST_CASE("golden: durable pull consumer with every pull field") {
  const char* cfg =
      R"({"durable_name":"D1","ack_policy":"explicit","deliver_policy":"by_start_sequence","opt_start_seq":3,"backoff":[1000000000,2000000000],"max_deliver":5,"filter_subject":"S1","replay_policy":"original","sample_freq":"50%","max_batch":10,"max_expires":5000000000,"max_bytes":1000,"inactive_threshold":60000000000,"num_replicas":1,"mem_storage":true,"description":"cd","headers_only":true})";
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.D1", req(cfg), s1) ==
        R"({"durable_name":"D1","description":"cd","deliver_policy":"by_start_sequence","opt_start_seq":3,"ack_policy":"explicit","ack_wait":1000000000,"max_deliver":5,"backoff":[1000000000,2000000000],"filter_subject":"S1","replay_policy":"original","sample_freq":"50%","max_waiting":512,"max_ack_pending":1000,"headers_only":true,"max_batch":10,"max_expires":5000000000,"max_bytes":1000,"inactive_threshold":60000000000,"num_replicas":1,"mem_storage":true})");
}

TEST_CASE("golden: durable push consumer") {
  const char* cfg =
      R"({"durable_name":"P1","deliver_subject":"dlv","deliver_group":"g","ack_policy":"none","flow_control":true,"idle_heartbeat":5000000000,"rate_limit_bps":1000,"deliver_policy":"by_start_time","opt_start_time":"2023-01-02T03:04:05.5Z"})";
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.P1", req(cfg), s1) ==
        R"({"durable_name":"P1","deliver_policy":"by_start_time","opt_start_time":"2023-01-02T03:04:05.5Z","ack_policy":"none","max_deliver":-1,"replay_policy":"instant","rate_limit_bps":1000,"idle_heartbeat":5000000000,"flow_control":true,"deliver_subject":"dlv","deliver_group":"g","num_replicas":0})");
}

TEST_CASE("golden: consumer errors") {
  CHECK(create_consumer(eph, req(R"({"ack_policy":"none","deliver_policy":"last_per_subject"})"), s1) ==
        policy("consumer delivery policy is deliver last per subject, but optional filter subject is not set"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"x","flow_control":true})"), s1) ==
        cbody(400, 10108, "consumer with flow control also needs heartbeats"));
  CHECK(create_consumer(eph, req(R"({"backoff":[1],"max_deliver":1})"), s1) ==
        cbody(400, 10116, "max deliver is required to be \\u003e length of backoff values"));
  CHECK(create_consumer(eph, req(R"({"sample_freq":"abc"})"), s1) ==
        cbody(400, 10095, R"(failed to parse consumer sampling configuration: strconv.Atoi: parsing \"abc\": invalid syntax)"));
  CHECK(create_consumer(eph, req(R"({"sample_freq":"-5"})"), s1) ==
        cbody(400, 10095, "failed to parse consumer sampling configuration: \\u003cnil\\u003e"));
  CHECK(create_consumer(eph, req(R"({"filter_subject":"nope"})"), s1) ==
        cbody(400, 10093, "consumer filter subject is not a valid subset of the interest subjects"));
  CHECK(create_consumer(eph, R"({"stream_name":"S1")", s1) == cbody(400, 10025, "invalid JSON"));
  CHECK(create_consumer(eph, req(R"({"ack_policy":"bogus"})"), s1) == cbody(400, 10025, "invalid JSON"));
  CHECK(create_consumer(eph, req(R"({"durable_name":"a.b"})"), s1) ==
        cbody(400, 10020, "consumer expected to be ephemeral but a durable name was set in request"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"S1"})"), s1) ==
        cbody(400, 10081, "consumer deliver subject forms a cycle"));
}

TEST_CASE("malformed consumer JSON") {
  const std::string invalid = cbody(400, 10025, "invalid JSON");
  for (const char* cfg : {R"({"ack_wait":"1s"})", R"({"max_deliver":1.5})", R"({"backoff":1})", R"({"backoff":["1"]})",
                          R"({"deliver_policy":null})", R"({"opt_start_time":"x"})", R"({"rate_limit_bps":-1})",
                          R"({"flow_control":"yes"})", R"([])"}) {
    INFO(cfg);
    CHECK(create_consumer(eph, req(cfg), s1) == invalid);
  }
  CHECK(create_consumer(eph, "[]", s1) == invalid);
  CHECK(create_consumer(eph, R"({"stream_name":5})", s1) == invalid);
  // "undefined" is accepted as deliver all; null config is an empty config.
  CHECK(create_consumer(eph, req(R"({"deliver_policy":"undefined"})"), s1).find(R"("deliver_policy":"all")") !=
        std::string::npos);
  CHECK(create_consumer(eph, req("null"), s1).find(R"("ack_policy":"none")") != std::string::npos);
}

TEST_CASE("defaults") {
  consumer_config c;
  apply_consumer_defaults(c, {});
  CHECK(c.max_waiting == 512);
  CHECK(c.ack_wait_ns == 0);  // ack none
  CHECK(c.max_deliver == -1);
  CHECK(c.max_ack_pending == 0);
  consumer_config p;
  p.deliver_subject = "d";
  p.ack = ack_policy::explicit_;
  consumer_limits lim;
  lim.server_max_ack_pending = 500;
  lim.account_max_ack_pending = 200;
  lim.server_max_request_batch = 7;
  apply_consumer_defaults(p, lim);
  CHECK(p.max_waiting == 0);
  CHECK(p.ack_wait_ns == default_ack_wait_ns);
  CHECK(p.max_ack_pending == 200);
  CHECK(p.max_batch == 0);
  consumer_config q;
  q.backoff_ns = {5, 6};
  apply_consumer_defaults(q, lim);
  CHECK(q.ack_wait_ns == 5);
  CHECK(q.max_batch == 7);
  // Durables keep inactive_threshold 0; ephemerals get 5s.
  CHECK(make_consumer(R"({"durable_name":"D"})", s1).inactive_threshold_ns == 0);
  CHECK(make_consumer(R"({})", s1).inactive_threshold_ns == default_inactive_threshold_ns);
  CHECK(make_consumer(R"({"inactive_threshold":7})", s1).inactive_threshold_ns == 7);
}

TEST_CASE("replicas, backoff, description") {
  CHECK(create_consumer(eph, req(R"({"num_replicas":2})"), s1) ==
        cbody(400, 10126, "consumer config replica count exceeds parent stream"));
  CHECK(create_consumer(eph, req(R"({"num_replicas":-1})"), s1) == cbody(400, 10133, "replicas count cannot be negative"));
  CHECK(create_consumer(eph, req(R"({"backoff":[1,2]})"), s1) ==
        cbody(400, 10116, "max deliver is required to be \\u003e length of backoff values"));
  CHECK(create_consumer(eph, req(R"({"description":")" + std::string(4097, 'x') + "\"}"), s1) ==
        cbody(400, 10107, "consumer description is too long, maximum allowed is 4096"));
}

TEST_CASE("push consumer errors") {
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"d.*"})"), s1) ==
        cbody(400, 10079, "consumer deliver subject has wildcards"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"d..x"})"), s1) ==
        cbody(400, 10112, "invalid push consumer deliver subject"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"d","max_waiting":1})"), s1) ==
        cbody(400, 10080, "consumer in push mode can not set max waiting"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"d","max_ack_pending":1})"), s1) ==
        cbody(400, 10082, "consumer requires ack policy for max ack pending"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"d","idle_heartbeat":99999999})"), s1) ==
        cbody(400, 10083, "consumer idle heartbeat needs to be \\u003e= 100ms"));
  CHECK(create_consumer(eph, req(R"({"deliver_subject":"d","direct":true,"durable_name":"x"})"), s1) ==
        cbody(400, 10020, "consumer expected to be ephemeral but a durable name was set in request"));
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.x", req(R"({"deliver_subject":"d","direct":true,"durable_name":"x"})"), s1) ==
        cbody(400, 10091, "consumer direct requires an ephemeral consumer"));
}

TEST_CASE("pull consumer errors") {
  const stream_config wq = make_stream(R"({"name":"S1","retention":"workqueue"})");
  CHECK(create_consumer(eph, req("{}"), wq) == cbody(400, 10084, "consumer in pull mode requires ack policy"));
  CHECK(create_consumer(eph, req(R"({"rate_limit_bps":1})"), s1) ==
        cbody(400, 10086, "consumer in pull mode can not have rate limit set"));
  CHECK(create_consumer(eph, req(R"({"max_waiting":-1})"), s1) == cbody(400, 10087, "consumer max waiting needs to be positive"));
  CHECK(create_consumer(eph, req(R"({"idle_heartbeat":1000000000})"), s1) ==
        cbody(400, 10088, "consumer idle heartbeat requires a push based consumer"));
  CHECK(create_consumer(eph, req(R"({"flow_control":true})"), s1) ==
        cbody(400, 10089, "consumer flow control requires a push based consumer"));
  CHECK(create_consumer(eph, req(R"({"max_batch":-1})"), s1) == cbody(400, 10114, "consumer max request batch needs to be \\u003e 0"));
  CHECK(create_consumer(eph, req(R"({"max_expires":999999})"), s1) ==
        cbody(400, 10115, "consumer max request expires needs to be \\u003e= 1ms"));
  consumer_check_context ctx;
  ctx.limits.server_max_request_batch = 100;
  CHECK(create_consumer(eph, req(R"({"max_batch":101})"), s1, ctx) ==
        cbody(400, 10125, "consumer max request batch exceeds server limit of 100"));
  CHECK(create_consumer(eph, req(R"({"direct":true})"), s1) == cbody(400, 10090, "consumer direct requires a push based consumer"));
}

TEST_CASE("max ack pending limits") {
  consumer_check_context ctx;
  ctx.limits.server_max_ack_pending = 100;
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","max_ack_pending":101})"), s1, ctx) ==
        cbody(400, 10121, "consumer max ack pending exceeds system limit of 100"));
  ctx.limits = {};
  ctx.limits.account_max_ack_pending = 50;
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit","max_ack_pending":51})"), s1, ctx) ==
        cbody(400, 10121, "consumer max ack pending exceeds system limit of 50"));
  CHECK(create_consumer(eph, req(R"({"ack_policy":"explicit"})"), s1, ctx).find(R"("max_ack_pending":50)") !=
        std::string::npos);
}

TEST_CASE("filter subjects against stream and origin subjects") {
  CHECK(create_consumer(eph, req(R"({"filter_subject":"more"})"), s1).find("filter_subject") != std::string::npos);
  const stream_config w = make_stream(R"({"name":"S1","subjects":["w.*"]})");
  CHECK(create_consumer(eph, req(R"({"filter_subject":"w.x"})"), w).find("filter_subject") != std::string::npos);
  CHECK(create_consumer(eph, req(R"({"filter_subject":">"})"), w).find("filter_subject") != std::string::npos);
  CHECK(create_consumer(eph, req(R"({"filter_subject":"w.x.y"})"), w) ==
        cbody(400, 10093, "consumer filter subject is not a valid subset of the interest subjects"));
  CHECK(create_consumer(eph, req(R"({"filter_subject":"w..x"})"), w) ==
        cbody(400, 10093, "consumer filter subject is not a valid subset of the interest subjects"));
  consumer_check_context ctx;
  ctx.origin_subjects = {"o.>"};
  CHECK(create_consumer(eph, req(R"({"filter_subject":"o.1"})"), w, ctx).find("filter_subject") != std::string::npos);
  ctx.origin_subjects.clear();
  ctx.origin_has_external = true;
  CHECK(create_consumer(eph, req(R"({"filter_subject":"anything"})"), w, ctx).find("filter_subject") != std::string::npos);
}

TEST_CASE("deliver policy and optional start conflicts") {
  const std::string t = R"("opt_start_time":"2023-01-02T03:04:05Z")";
  const char* base = "consumer delivery policy is deliver ";
  struct row { std::string cfg; std::string text; };
  const row rows[] = {
      {R"({"opt_start_seq":1})", "all, but optional start sequence is also set"},
      {"{" + t + "}", "all, but optional start time is also set"},
      {R"({"deliver_policy":"last","opt_start_seq":1})", "last, but optional start sequence is also set"},
      {R"({"deliver_policy":"last",)" + t + "}", "last, but optional start time is also set"},
      {R"({"deliver_policy":"last_per_subject","opt_start_seq":1})", "last per subject, but optional start sequence is also set"},
      {R"({"deliver_policy":"last_per_subject",)" + t + "}", "last per subject, but optional start time is also set"},
      {R"({"deliver_policy":"new","opt_start_seq":1})", "new, but optional start sequence is also set"},
      {R"({"deliver_policy":"new",)" + t + "}", "new, but optional start time is also set"},
      {R"({"deliver_policy":"by_start_sequence"})", "by start sequence, but optional start sequence is not set"},
      {R"({"deliver_policy":"by_start_sequence","opt_start_seq":1,)" + t + "}", "by start sequence, but optional start time is also set"},
      {R"({"deliver_policy":"by_start_time"})", "by start time, but optional start time is not set"},
      {R"({"deliver_policy":"by_start_time","opt_start_seq":1,)" + t + "}", "by start time, but optional start start sequence is also set"},
  };
  for (const row& r : rows) {
    INFO(r.cfg);
    CHECK(create_consumer(eph, req(r.cfg), s1) == policy(base + r.text));
  }
  CHECK(create_consumer(eph, req(R"({"deliver_policy":"last_per_subject","filter_subject":"S1"})"), s1).substr(0, 2) == "{\"");
}

TEST_CASE("sample frequency") {
  const std::string p = "failed to parse consumer sampling configuration: ";
  CHECK(create_consumer(eph, req(R"({"sample_freq":"%"})"), s1) ==
        cbody(400, 10095, p + R"(strconv.Atoi: parsing \"\": invalid syntax)"));
  CHECK(create_consumer(eph, req(R"({"sample_freq":"1.5%"})"), s1) ==
        cbody(400, 10095, p + R"(strconv.Atoi: parsing \"1.5\": invalid syntax)"));
  CHECK(create_consumer(eph, req(R"({"sample_freq":"99999999999999999999"})"), s1) ==
        cbody(400, 10095, p + R"(strconv.Atoi: parsing \"99999999999999999999\": value out of range)"));
  for (const char* ok : {"100", "0%", "+5", "-0", "007%"}) {
    INFO(ok);
    CHECK(create_consumer(eph, req(std::string(R"({"sample_freq":")") + ok + "\"}"), s1).substr(0, 2) == "{\"");
  }
}

TEST_CASE("names") {
  const std::string long_name(256, 'd');
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1." + long_name, req(R"({"durable_name":")" + long_name + "\"}"), s1) ==
        cbody(400, 10102, "consumer name is too long, maximum allowed is 255"));
  CHECK(create_consumer("$JS.API.CONSUMER.DURABLE.CREATE.S1.a b", req(R"({"durable_name":"a b"})"), s1) ==
        cbody(400, 10103, "durable name can not contain '.', '*', '\\u003e'"));
  CHECK(create_consumer("$JS.API.CONSUMER.CREATE.S1.N", req(R"({"durable_name":"D","name":"N"})"), s1) ==
        cbody(400, 10017, "consumer name in subject does not match durable name in request"));
  consumer_config c;
  c.durable_name = "D";
  c.name = "N";
  consumer_check_context ctx;
  ctx.stream = &s1;
  CHECK(api_error_json(*check_new_consumer(c, ctx, "G").error) ==
        R"({"code":400,"err_code":10132,"description":"Consumer Durable and Name have to be equal if both are provided"})");
}
