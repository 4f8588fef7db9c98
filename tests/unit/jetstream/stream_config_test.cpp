// Stream configs: golden JSON recorded from nats-server 2.9.10 (stream create
// responses' "config" member, via the nats npm client), defaults, parsing.
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/stream_test_util.h"

using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

namespace {
const std::string s1_golden =
    R"({"name":"S1","subjects":["S1"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false})";
}

TEST_CASE("golden: minimal stream gets the reference defaults") {
  CHECK(create_stream("S1", R"({"name":"S1"})") == s1_golden);
}

TEST_CASE("golden: every scalar field, field order and HTML escaping") {
  const char* body =
      R"({"name":"S2","subjects":["a.>","b.*"],"retention":"workqueue","max_consumers":5,"max_msgs":100,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":3,"max_msg_size":512,"discard":"new","storage":"memory","num_replicas":1,"no_ack":true,"duplicate_window":1000000000,"description":"d","placement":{"tags":["x"]},"sealed":false,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false,"allow_direct":true,"republish":{"dest":"rp.>"},"discard_new_per_subject":true})";
  CHECK(create_stream("S2", body) ==
        R"({"name":"S2","description":"d","subjects":["a.\u003e","b.*"],"retention":"workqueue","max_consumers":5,"max_msgs":100,"max_bytes":1048576,"max_age":3600000000000,"max_msgs_per_subject":3,"max_msg_size":512,"discard":"new","storage":"memory","num_replicas":1,"no_ack":true,"duplicate_window":1000000000,"placement":{"tags":["x"]},"republish":{"src":"\u003e","dest":"rp.\u003e"},"allow_direct":true,"mirror_direct":false,"discard_new_per_subject":true,"sealed":false,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: duplicate window defaults to max_age when shorter than 2m") {
  CHECK(create_stream("S3", R"({"name":"S3","max_age":60000000000})") ==
        R"({"name":"S3","subjects":["S3"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":60000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":60000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: sources (no default subjects), times re-printed, external") {
  stream_map streams{{"S1", make_stream(R"({"name":"S1"})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  const char* body =
      R"({"name":"S4","sources":[{"name":"S1","opt_start_seq":5,"filter_subject":"S1"},{"name":"X","opt_start_time":"2023-01-02T03:04:05.1200Z","external":{"api":"$JS.x.API","deliver":"dx"}}]})";
  CHECK(create_stream("S4", body, ctx) ==
        R"({"name":"S4","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"sources":[{"name":"S1","opt_start_seq":5,"filter_subject":"S1"},{"name":"X","opt_start_time":"2023-01-02T03:04:05.12Z","external":{"api":"$JS.x.API","deliver":"dx"}}],"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: mirror has no duplicate window and keeps the zone offset") {
  stream_map streams{{"S1", make_stream(R"({"name":"S1"})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  CHECK(create_stream("S5", R"({"name":"S5","mirror":{"name":"S1","opt_start_time":"2023-01-02T03:04:05+01:00"}})", ctx) ==
        R"({"name":"S5","retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"mirror":{"name":"S1","opt_start_time":"2023-01-02T03:04:05+01:00"},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: empty placement object and full republish") {
  CHECK(create_stream("S6", R"({"name":"S6","placement":{"cluster":""},"republish":{"src":"S6","dest":"x","headers_only":true}})") ==
        R"({"name":"S6","subjects":["S6"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"placement":{},"republish":{"src":"S6","dest":"x","headers_only":true},"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false})");
}

TEST_CASE("golden: keys match case-insensitively, unknown keys and nulls are ignored") {
  CHECK(create_stream("B5", R"({"NAME":"B5"})") == [] {
    std::string s = s1_golden;
    s.replace(s.find("S1"), 2, "B5");
    s.replace(s.find("S1"), 2, "B5");
    return s;
  }());
  CHECK(create_stream("B18", R"({"name":"B18","opt":1,"subjects":null,"no_ack":null})").find(R"("subjects":["B18"])") !=
        std::string::npos);
}

TEST_CASE("golden: malformed JSON and wrong types are invalid JSON (10025)") {
  const std::string invalid =
      R"({"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON"}})";
  CHECK(create_stream("B1", R"({"name":"B1",)") == invalid);
  CHECK(create_stream("B2", R"({"name":"B2","max_msgs":"5"})") == invalid);
  CHECK(create_stream("B3", R"({"name":"B3","retention":"foo"})") == invalid);
  CHECK(create_stream("B4", R"({"name":"B4","max_msgs":1.0})") == invalid);
  CHECK(create_stream("B6", "") == invalid);
  CHECK(create_stream("B13", R"({"name":"B13","storage":null,"max_msgs":null})") == invalid);
  CHECK(create_stream("B14", R"({"name":"B14","max_msg_size":3000000000})") == invalid);
  CHECK(create_stream("B20", "[]") == invalid);
  CHECK(create_stream("B21", R"({"name":"B21","max_msgs":1e3})") == invalid);
  // Not recorded from the reference, but the same Go decoding rules:
  CHECK(create_stream("X", R"({"name":"X","subjects":"X"})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","subjects":[1]})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","mirror":5})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","sources":[null]})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","no_ack":1})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","discard":"NEW"})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","sources":[{"name":"Y","opt_start_seq":-1}]})") == invalid);
  CHECK(create_stream("X", R"({"name":"X","mirror":{"name":"Y","opt_start_time":"yesterday"}})") == invalid);
  CHECK(create_stream("X", "\"X\"") == invalid);
  CHECK(create_stream("X", R"({"name":"X"} trailing)") == invalid);
}

TEST_CASE("golden: a null body decodes to an empty config (name mismatch)") {
  CHECK(create_stream("B7", "null") ==
        R"({"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10056,"description":"stream name in subject does not match request"}})");
}

TEST_CASE("defaults: limits, storage, replicas, duplicate window") {
  const stream_config c = make_stream(R"({"name":"D"})");
  CHECK(c.max_msgs == -1);
  CHECK(c.max_bytes == -1);
  CHECK(c.max_msgs_per_subject == -1);
  CHECK(c.max_msg_size == -1);
  CHECK(c.max_consumers == -1);
  CHECK(c.max_age_ns == 0);
  CHECK(c.storage == storage_type::file);
  CHECK(c.num_replicas == 1);
  CHECK(c.duplicate_window_ns == default_duplicate_window_ns);
  CHECK(c.subjects == std::vector<std::string>{"D"});
  // Explicit negatives stay as given.
  const stream_config n = make_stream(R"({"name":"N","max_msgs":-5,"max_bytes":-7})");
  CHECK(n.max_msgs == -5);
  CHECK(n.max_bytes == -7);
  // A server duplicates limit caps the default window.
  stream_check_context ctx;
  ctx.server_duplicates_limit_ns = 30 * ns_per_s;
  CHECK(make_stream(R"({"name":"L"})", ctx).duplicate_window_ns == 30 * ns_per_s);
  // Mirrors get no default window and inherit allow_direct as mirror_direct.
  stream_map streams{{"O", make_stream(R"({"name":"O","allow_direct":true})")}};
  ctx = {};
  ctx.streams = &streams;
  const stream_config m = make_stream(R"({"name":"M","mirror":{"name":"O"}})", ctx);
  CHECK(m.duplicate_window_ns == 0);
  CHECK(m.mirror_direct);
  CHECK(m.subjects.empty());
}

TEST_CASE("parse then serialise then parse is stable") {
  const stream_config c = make_stream(
      R"({"name":"R","description":"<x>","subjects":["r.>"],"max_msg_size":10,"placement":{"cluster":"c","tags":["a","b"]},"republish":{"src":"r.*","dest":"out.$1"}})");
  const std::string once = stream_config_json(c);
  stream_config_result again = parse_stream_config(once);
  REQUIRE(again.ok());
  CHECK(*again.config == c);
  CHECK(stream_config_json(*again.config) == once);
}

TEST_CASE("subject relations follow sublist.go") {
  CHECK(subjects_collide("foo.*", "foo.bar"));
  CHECK(subjects_collide("foo.>", "*.bar.baz"));
  CHECK(subjects_collide("a", "a"));
  CHECK_FALSE(subjects_collide("a", "b"));
  CHECK_FALSE(subjects_collide("foo.*", "foo.bar.baz"));
  CHECK_FALSE(subjects_collide("a.*", "b.*"));
  CHECK(subject_is_subset_match("foo.bar", "foo.*"));
  CHECK(subject_is_subset_match("foo.*", ">"));
  CHECK_FALSE(subject_is_subset_match("foo.*", "foo.bar"));
  CHECK(subject_is_subset_match("$JS.API.foo", "$JS.API.>"));
  CHECK(is_valid_transform(">", "rp.>"));
  CHECK(is_valid_transform("a.*", "b.$1"));
  CHECK(is_valid_transform("a.*.*", "b.{{wildcard(2)}}.{{wildcard(1)}}"));
  CHECK(is_valid_transform("a", "b"));
  CHECK_FALSE(is_valid_transform("a.*", "b.{{ wildcard(1) }}"));  // whitespace: invalid subject
  CHECK_FALSE(is_valid_transform("a.*", "b"));
  CHECK_FALSE(is_valid_transform("a.*", "b.*"));
  CHECK_FALSE(is_valid_transform("a.>", "b"));
  CHECK_FALSE(is_valid_transform("a.*", "b.$2"));
}
