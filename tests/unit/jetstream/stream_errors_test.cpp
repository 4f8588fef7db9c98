// Every error checkStreamCfg and jsStreamCreateRequest (nats-server 2.9.10) can
// return for a config, with the exact response body. Bodies marked "golden"
// were recorded from the reference server.
#include <catch2/catch.hpp>

#include "tests/unit/jetstream/stream_test_util.h"

using namespace natrium::jetstream;
using namespace natrium::jetstream::test;

TEST_CASE("create request checks, in the reference's order") {
  // golden
  CHECK(create_stream("B10", R"({"name":"B10","sealed":true})") ==
        ic("stream configuration for create can not be sealed"));
  CHECK(create_stream("B19", R"({"name":"B19","mirror_direct":true})") ==
        ic("stream has no mirror but does have mirror direct"));
  CHECK(create_stream("OTHER", R"({"name":"B7"})") == body(400, 10056, "stream name in subject does not match request"));
  CHECK(create_stream("a/b", R"({"name":"a/b"})") == body(400, 10128, "Stream name can not contain path separators"));
  CHECK(create_stream("a\\b", R"({"name":"a\\b"})") == body(400, 10128, "Stream name can not contain path separators"));
}

TEST_CASE("name and description") {
  const std::string bad_name = ic("stream name is required and can not contain '.', '*', '\\u003e'");
  CHECK(create_stream("", R"({"name":""})") == bad_name);
  CHECK(create_stream("", R"({})") == bad_name);
  CHECK(create_stream("a.b", R"({"name":"a.b"})") == bad_name);
  CHECK(create_stream("a b", R"({"name":"a b"})") == bad_name);
  CHECK(create_stream("a>", R"({"name":"a>"})") == bad_name);
  const std::string long_name(256, 'n');
  CHECK(create_stream(long_name, R"({"name":")" + long_name + "\"}") ==
        ic("stream name is too long, maximum allowed is 255"));
  CHECK(create_stream(std::string(255, 'n'), R"({"name":")" + std::string(255, 'n') + "\"}").substr(0, 9) ==
        R"({"name":")");
  CHECK(create_stream("D", R"({"name":"D","description":")" + std::string(4097, 'd') + "\"}") ==
        ic("stream description is too long, maximum allowed is 4096"));
}

TEST_CASE("replicas") {
  // golden
  CHECK(create_stream("B15", R"({"name":"B15","num_replicas":-1})") == body(400, 10133, "replicas count cannot be negative"));
  CHECK(create_stream("R", R"({"name":"R","num_replicas":6})") == ic("maximum replicas is 5"));
  CHECK(create_stream("R", R"({"name":"R","num_replicas":5})").find(R"("num_replicas":5)") != std::string::npos);
}

TEST_CASE("max age and duplicate window") {
  // golden
  CHECK(create_stream("B12", R"({"name":"B12","max_age":50})") == ic("max age needs to be \\u003e= 100ms"));
  CHECK(create_stream("B17", R"({"name":"B17","max_msgs":-5,"max_bytes":-7,"max_age":-1})") ==
        ic("duplicates window can not be negative"));
  CHECK(create_stream("W", R"({"name":"W","duplicate_window":-1})") == ic("duplicates window can not be negative"));
  CHECK(create_stream("W", R"({"name":"W","max_age":1000000000,"duplicate_window":2000000000})") ==
        ic("duplicates window can not be larger then max age"));
  stream_check_context ctx;
  ctx.server_duplicates_limit_ns = 60 * ns_per_s;
  CHECK(create_stream("W", R"({"name":"W","duplicate_window":61000000000})", ctx) ==
        ic("duplicates window can not be larger then server limit of 1m0s"));
  CHECK(create_stream("W", R"({"name":"W","duplicate_window":99000000})") ==
        ic("duplicates window needs to be \\u003e= 100ms"));
  CHECK(create_stream("W", R"({"name":"W","max_age":100000000})").find(R"("duplicate_window":100000000)") !=
        std::string::npos);
}

TEST_CASE("rollups and discard new per subject") {
  CHECK(create_stream("P", R"({"name":"P","deny_purge":true,"allow_rollup_hdrs":true})") ==
        ic("roll-ups require the purge permission"));
  CHECK(create_stream("P", R"({"name":"P","discard_new_per_subject":true,"max_msgs_per_subject":1})") ==
        ic("discard new per subject requires discard new policy to be set"));
  CHECK(create_stream("P", R"({"name":"P","discard_new_per_subject":true,"discard":"new"})") ==
        ic("discard new per subject requires max msgs per subject \\u003e 0"));
}

TEST_CASE("mirror conflicts") {
  // golden
  CHECK(create_stream("B11", R"({"name":"B11","mirror":{"name":"S1"},"subjects":["z"]})") ==
        body(400, 10034, "stream mirrors can not contain subjects"));
  CHECK(create_stream("M", R"({"name":"M","mirror":{"name":"S1"},"sources":[{"name":"S2"}]})") ==
        body(400, 10031, "stream mirrors can not also contain other sources"));
}

TEST_CASE("origins that exist are checked for message size and filter overlap") {
  stream_map streams{{"O", make_stream(R"({"name":"O","subjects":["o.>"],"max_msg_size":1000})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  CHECK(create_stream("M", R"({"name":"M","mirror":{"name":"O"},"max_msg_size":10})", ctx) ==
        body(400, 10030, "stream mirror must have max message size \\u003e= source"));
  CHECK(create_stream("M", R"({"name":"M","sources":[{"name":"O"}],"max_msg_size":10})", ctx) ==
        body(400, 10046, "stream source must have max message size \\u003e= target"));
  CHECK(create_stream("M", R"({"name":"M","mirror":{"name":"O","filter_subject":"x"}})", ctx) ==
        ic("mirror 'O' filter subject 'x' does not overlap with any origin stream subject"));
  CHECK(create_stream("M", R"({"name":"M","sources":[{"name":"O","filter_subject":"x.y"}]})", ctx) ==
        ic("source 'O' filter subject 'x.y' does not overlap with any origin stream subject"));
  ctx.is_recovering = true;
  CHECK(create_stream("M", R"({"name":"M","mirror":{"name":"O","filter_subject":"x"}})", ctx).substr(0, 9) ==
        R"({"name":")");
}

TEST_CASE("external prefixes") {
  stream_map streams{{"O", make_stream(R"({"name":"O","subjects":["o.>"]})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  CHECK(create_stream("M", R"({"name":"M","sources":[{"name":"X","external":{"api":"$JS.x.API","deliver":"d.*"}}]})") ==
        body(400, 10024, "stream external delivery prefix d.* must not contain wildcards"));
  CHECK(create_stream("M", R"({"name":"M","sources":[{"name":"O"},{"name":"X","external":{"api":"$JS.x.API","deliver":"o"}}]})",
                      ctx) == body(400, 10022, "stream external delivery prefix o overlaps with stream subject o.\\u003e"));
  CHECK(create_stream("M", R"({"name":"M","mirror":{"name":"X","external":{"api":"a.>"}}})") ==
        ic("stream external api prefix \\\"a.\\u003e\\\" must be a valid subject without wildcards"));
  CHECK(create_stream("M", R"({"name":"M","mirror":{"name":"X","external":{"api":"$JS.API"}}})") ==
        body(400, 10021, "stream external api prefix $JS.API must not overlap with $JS.API"));
}

TEST_CASE("source cycles are detected through known streams") {
  stream_map streams{{"A", make_stream(R"({"name":"A","sources":[{"name":"B"}]})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  CHECK(create_stream("B", R"({"name":"B","sources":[{"name":"A"}]})", ctx) == ic("detected cycle"));
  CHECK(create_stream("B", R"({"name":"B","mirror":{"name":"A"}})", ctx) == ic("detected cycle"));
  CHECK(create_stream("C", R"({"name":"C","sources":[{"name":"C"}]})") == ic("detected cycle"));
}

TEST_CASE("subjects") {
  // golden
  CHECK(create_stream("B8", R"({"name":"B8","subjects":["a","a"]})") == ic("duplicate subjects detected"));
  CHECK(create_stream("B9", R"({"name":"B9","subjects":["q.*","q.x"]})") ==
        ic(R"(subject \"q.*\" overlaps with \"q.x\")"));
  CHECK(create_stream("B16", R"({"name":"B16","subjects":["$JS.API.foo"]})") == ic("subjects overlap with jetstream api"));
  CHECK(create_stream("I", R"({"name":"I","subjects":["a..b"]})") == ic("invalid subject"));
  CHECK(create_stream("I", R"({"name":"I","subjects":["a.>.b"]})") == ic("invalid subject"));
  CHECK(create_stream("I", R"({"name":"I","subjects":["$JS.API.>"]})") == ic("subjects overlap with jetstream api"));
  CHECK(create_stream("I", R"({"name":"I","subjects":["$JS.>"]})").find(R"("subjects":["$JS.\u003e"])") !=
        std::string::npos);
}

TEST_CASE("account max bytes") {
  stream_check_context ctx;
  ctx.max_bytes_required = true;
  CHECK(create_stream("B", R"({"name":"B"})", ctx) == body(400, 10113, "account requires a stream config to have max bytes set"));
  ctx.max_bytes_limit = 100;
  CHECK(create_stream("B", R"({"name":"B","max_bytes":101})", ctx) ==
        body(400, 10122, "stream max bytes exceeds account limit max stream bytes"));
  CHECK(create_stream("B", R"({"name":"B","max_bytes":100})", ctx).substr(0, 9) == R"({"name":")");
}

TEST_CASE("republish") {
  CHECK(create_stream("R", R"({"name":"R","subjects":["r.>"],"republish":{"src":"x.>","dest":"y.>"}})") ==
        ic("stream configuration for republish source is not valid subset of subjects"));
  CHECK(create_stream("R", R"({"name":"R","subjects":["r.>"],"republish":{"dest":"r.x.>"}})") ==
        ic("stream configuration for republish destination forms a cycle"));
  CHECK(create_stream("R", R"({"name":"R","subjects":["r.*"],"republish":{"src":"r.*","dest":"out"}})") ==
        ic("stream configuration for republish not valid"));
  CHECK(create_stream("R", R"({"name":"R","subjects":["r.*"],"republish":{"src":"r.*","dest":"out.$1"}})")
            .find(R"("republish":{"src":"r.*","dest":"out.$1"})") != std::string::npos);
}

TEST_CASE("subjects may not overlap another stream") {
  stream_map streams{{"O", make_stream(R"({"name":"O","subjects":["o.>"]})")}};
  stream_check_context ctx;
  ctx.streams = &streams;
  CHECK(create_stream("N", R"({"name":"N","subjects":["o.x"]})", ctx) ==
        body(400, 10065, "subjects overlap with an existing stream"));
  CHECK(create_stream("N", R"({"name":"N","subjects":["p.x"]})", ctx).substr(0, 9) == R"({"name":")");
}

TEST_CASE("addStream checks: single-server replicas, existing name, overlap") {
  stream_map streams{{"O", make_stream(R"({"name":"O","subjects":["o.>"]})")}};
  auto add = [&](std::string_view body, bool clustered) {
    auto e = check_stream_add(make_stream(body), clustered, streams);
    return e ? api_error_response(api_response_type::stream_create, *e) : "ok";
  };
  // golden (single server)
  CHECK(add(R"({"name":"N","num_replicas":2})", false) ==
        body(500, 10074, "replicas \\u003e 1 not supported in non-clustered mode"));
  CHECK(add(R"({"name":"N","num_replicas":2})", true) == "ok");
  CHECK(add(R"({"name":"O","subjects":["o.>"]})", false) == "ok");
  CHECK(add(R"({"name":"O","subjects":["o.>"],"max_msgs":1})", false) ==
        body(400, 10058, "stream name already in use with a different configuration"));
  // golden
  CHECK(add(R"({"name":"V4","subjects":["o.x"]})", false) == body(400, 10065, "subjects overlap with an existing stream"));
}
