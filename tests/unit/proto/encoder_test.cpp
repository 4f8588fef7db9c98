// Encoders: exact bytes (nats-server msgHeader layout) and round trips through
// the parser of the other side.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "core/proto/encoder.h"
#include "tests/support/proto_test_util.h"

using namespace natrium::proto;
using natrium::proto::test::outcome;
using natrium::proto::test::run_bytewise;
using natrium::proto::test::run_whole;

TEST_CASE("append_uint", "[encoder]") {
  std::string s;
  append_uint(s, 0);
  CHECK(s == "0");
  s.clear();
  append_uint(s, 9);
  s += ',';
  append_uint(s, 10);
  s += ',';
  append_uint(s, 1048576);
  s += ',';
  append_uint(s, std::numeric_limits<std::uint64_t>::max());
  CHECK(s == "9,10,1048576,18446744073709551615");
}

TEST_CASE("MSG and HMSG bytes are nats-server's", "[encoder]") {
  std::string s = "prefix|";
  append_msg(s, "foo.bar", "1", "", "hello");
  CHECK(s == "prefix|MSG foo.bar 1 5\r\nhello\r\n");
  s.clear();
  append_msg(s, "foo", "22", "_INBOX.a", "");
  CHECK(s == "MSG foo 22 _INBOX.a 0\r\n\r\n");
  s.clear();
  append_hmsg(s, "foo", "3", "", 12, "NATS/1.0\r\n\r\nhi");
  CHECK(s == "HMSG foo 3 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
  s.clear();
  append_hmsg(s, "foo", "3", "r", 16, "NATS/1.0 503\r\n\r\n");
  CHECK(s == "HMSG foo 3 r 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
}

TEST_CASE("client-side encoders", "[encoder]") {
  std::string s;
  append_pub(s, "foo", "", "hi");
  append_pub(s, "foo", "rep", "");
  append_hpub(s, "foo", "", 12, "NATS/1.0\r\n\r\nx");
  append_sub(s, "foo.*", "", "1");
  append_sub(s, "foo", "q", "2");
  append_unsub(s, "1", 0);
  append_unsub(s, "2", 10);
  append_err(s, "Unknown Protocol Operation");
  s += ping_line;
  s += pong_line;
  s += ok_line;
  CHECK(s ==
        "PUB foo 2\r\nhi\r\nPUB foo rep 0\r\n\r\nHPUB foo 12 13\r\nNATS/1.0\r\n\r\nx\r\n"
        "SUB foo.* 1\r\nSUB foo q 2\r\nUNSUB 1\r\nUNSUB 2 10\r\n-ERR 'Unknown Protocol Operation'\r\n"
        "PING\r\nPONG\r\n+OK\r\n");
}

TEST_CASE("server output round-trips through the client-role parser", "[encoder][roundtrip]") {
  std::string payload;
  for (int i = 0; i < 256; ++i) payload.push_back(static_cast<char>(i));
  const std::string hdr = "NATS/1.0\r\nNats-Msg-Id: 1\r\n\r\n";
  std::string s;
  append_msg(s, "a.b", "1", "", payload);
  append_msg(s, "a.b", "2", "_INBOX.x.y", "");
  append_hmsg(s, "h", "3", "rep", hdr.size(), hdr + payload);
  append_err(s, "Maximum Payload Violation");
  s += ok_line;
  s += ping_line;
  const outcome r = run_whole(parser_role::client, {}, s);
  CHECK(r.error == parse_error::none);
  CHECK(r == run_bytewise(parser_role::client, {}, s));
  REQUIRE(r.ops.size() == 6);
  CHECK(r.ops[0].kind == op_kind::msg);
  CHECK(r.ops[0].subject == "a.b");
  CHECK(r.ops[0].sid == "1");
  CHECK(r.ops[0].reply.empty());
  CHECK(r.ops[0].payload == payload);
  CHECK(r.ops[1].sid == "2");
  CHECK(r.ops[1].reply == "_INBOX.x.y");
  CHECK(r.ops[1].payload.empty());
  CHECK(r.ops[2].kind == op_kind::hmsg);
  CHECK(r.ops[2].reply == "rep");
  CHECK(r.ops[2].header_size == hdr.size());
  CHECK(r.ops[2].payload == hdr + payload);
  CHECK(r.ops[3].kind == op_kind::err);
  CHECK(r.ops[3].json == "Maximum Payload Violation");
  CHECK(r.ops[4].kind == op_kind::ok);
  CHECK(r.ops[5].kind == op_kind::ping);
}

TEST_CASE("client output round-trips through the server-role parser", "[encoder][roundtrip]") {
  std::string s;
  append_pub(s, "foo", "bar", "x\r\ny");
  append_hpub(s, "foo", "", 12, "NATS/1.0\r\n\r\n");
  append_sub(s, "foo.>", "workers", "9");
  append_unsub(s, "9", 3);
  const outcome r = run_whole(parser_role::server, {}, s);
  CHECK(r.error == parse_error::none);
  CHECK(r == run_bytewise(parser_role::server, {}, s));
  REQUIRE(r.ops.size() == 4);
  CHECK(r.ops[0].kind == op_kind::pub);
  CHECK(r.ops[0].reply == "bar");
  CHECK(r.ops[0].payload == "x\r\ny");
  CHECK(r.ops[1].kind == op_kind::hpub);
  CHECK(r.ops[1].header_size == 12);
  CHECK(r.ops[1].payload == "NATS/1.0\r\n\r\n");
  CHECK(r.ops[2].queue == "workers");
  CHECK(r.ops[2].sid == "9");
  CHECK(r.ops[3].max_msgs == 3);
}

TEST_CASE("appending many messages stays linear", "[encoder]") {
  std::string s;
  for (int i = 0; i < 100000; ++i) append_msg(s, "subject.x", "1", "", "payload");
  CHECK(s.size() == 100000 * std::string("MSG subject.x 1 7\r\npayload\r\n").size());
}
