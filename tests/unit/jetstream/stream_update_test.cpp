// configUpdateCheck (nats-server 2.9.10): which stream config fields may change.
// Bodies marked "golden" were recorded from the reference server.
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/stream_test_util.h"

using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

namespace {
constexpr std::string_view upd = "io.nats.jetstream.api.v1.stream_update_response";
std::string icu(std::string_view d) { return ic(d, upd); }
}  // namespace

TEST_CASE("golden: allowed update of limits and subjects") {
  const stream_config old = make_stream(R"({"name":"S1"})");
  CHECK(update_stream(old, "S1", R"({"name":"S1","max_msgs":10,"subjects":["S1","more"]})") ==
        R"({"name":"S1","subjects":["S1","more"],"retention":"limits","max_consumers":-1,"max_msgs":10,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: sealing forces discard new, deny delete/purge, no max age") {
  CHECK(update_stream(make_stream(R"({"name":"S1"})"), "S1", R"({"name":"S1","sealed":true})") ==
        R"({"name":"S1","subjects":["S1"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":true,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false})");
  const stream_config old = make_stream(R"({"name":"S1","max_age":3600000000000,"allow_rollup_hdrs":true})");
  CHECK(update_stream(old, "S1", R"({"name":"S1","sealed":true,"max_age":3600000000000,"allow_rollup_hdrs":true})") ==
        R"({"name":"S1","subjects":["S1"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":true,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: storage type and deny delete") {
  const stream_config s1 = make_stream(R"({"name":"S1"})");
  CHECK(update_stream(s1, "S1", R"({"name":"S1","storage":"memory"})") ==
        icu("stream configuration update can not change storage type"));
  const stream_config s2 = make_stream(
      R"({"name":"S2","subjects":["a.>","b.*"],"retention":"workqueue","max_consumers":5,"storage":"memory","deny_delete":true})");
  CHECK(update_stream(s2, "S2",
                      R"({"name":"S2","subjects":["a.>","b.*"],"retention":"workqueue","max_consumers":5,"storage":"memory","deny_delete":false})") ==
        icu("stream configuration update can not cancel deny message deletes"));
}

TEST_CASE("immutable fields, in the reference's order") {
  const stream_config old = make_stream(R"({"name":"U","max_consumers":3,"deny_purge":true})");
  CHECK(update_stream(old, "U", R"({"name":"U","max_consumers":4,"deny_purge":true})") ==
        icu("stream configuration update can not change MaxConsumers"));
  CHECK(update_stream(old, "U", R"({"name":"U","max_consumers":3,"retention":"interest","deny_purge":true})") ==
        icu("stream configuration update can not change retention policy"));
  CHECK(update_stream(old, "U", R"({"name":"U","max_consumers":3,"template_owner":"T","deny_purge":true})") ==
        icu("stream configuration update can not be owned by a template"));
  CHECK(update_stream(old, "U", R"({"name":"U","max_consumers":3})") ==
        icu("stream configuration update can not cancel deny purge"));
  stream_config owned = old;
  owned.template_owner = "T";
  CHECK(update_stream(owned, "U", R"({"name":"U","max_consumers":3,"deny_purge":true})") ==
        icu("stream configuration update not allowed on template owned stream"));
  stream_config sealed = make_stream(R"({"name":"U"})");
  sealed.sealed = true;
  CHECK(update_stream(sealed, "U", R"({"name":"U"})") == icu("stream configuration update can not unseal a sealed stream"));
  // check_stream_update compares names itself too.
  stream_config_result r = check_stream_update(old, *parse_stream_config(R"({"name":"V","max_consumers":3})").config, {});
  REQUIRE_FALSE(r.ok());
  CHECK(api_error_json(*r.error) ==
        R"({"code":500,"err_code":10052,"description":"stream configuration name must match original"})");
}

TEST_CASE("name mismatch with the subject is checked after the config") {
  const stream_config old = make_stream(R"({"name":"S1"})");
  CHECK(update_stream(old, "S9", R"({"name":"S1"})") ==
        body(400, 10056, "stream name in subject does not match request", upd));
  CHECK(update_stream(old, "S9", R"({"name":"S1","max_age":1})") == icu("max age needs to be \\u003e= 100ms"));
  CHECK(update_stream(old, "S1", R"({"name":"S1",)") == body(400, 10025, "invalid JSON", upd));
}

TEST_CASE("mirror and republish can not change") {
  stream_map streams{{"O", make_stream(R"({"name":"O"})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  const stream_config m = make_stream(R"({"name":"M","mirror":{"name":"O"}})", ctx);
  CHECK(update_stream(m, "M", R"({"name":"M","mirror":{"name":"O","opt_start_seq":3}})", ctx) ==
        body(400, 10055, "stream mirror configuration can not be updated", upd));
  CHECK(update_stream(m, "M", R"({"name":"M","mirror":{"name":"O"}})", ctx).substr(0, 9) == R"({"name":")");
  const stream_config r = make_stream(R"({"name":"R","subjects":["r.>"],"republish":{"dest":"x.>"}})");
  CHECK(update_stream(r, "R", R"({"name":"R","subjects":["r.>"],"republish":{"dest":"y.>"}})") ==
        icu("stream configuration update can not change RePublish"));
  CHECK(update_stream(r, "R", R"({"name":"R","subjects":["r.>"],"republish":{"src":">","dest":"x.>"}})").substr(0, 9) ==
        R"({"name":")");
}

TEST_CASE("allowed changes") {
  const stream_config old = make_stream(R"({"name":"A","subjects":["a"],"deny_delete":true})");
  const std::string out = update_stream(
      old, "A",
      R"({"name":"A","subjects":["a","b"],"description":"new","max_bytes":1000,"max_age":1000000000,"num_replicas":3,"deny_delete":true,"allow_direct":true,"discard":"new","max_msgs_per_subject":2,"discard_new_per_subject":true})");
  CHECK(out ==
        R"({"name":"A","description":"new","subjects":["a","b"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":1000,"max_age":1000000000,"max_msgs_per_subject":2,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":3,"duplicate_window":1000000000,"allow_direct":true,"mirror_direct":false,"discard_new_per_subject":true,"sealed":false,"deny_delete":true,"deny_purge":false,"allow_rollup_hdrs":false})");
  CHECK(update_stream(old, "A", R"({"name":"A","subjects":["a"],"deny_delete":true,"discard_new_per_subject":true})") ==
        icu("discard new per subject requires discard new policy to be set"));
}
