// Parser: every op, its views, the errors nats-server 2.9.10 gives for
// malformed input, and the control line and payload limits.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/proto_test_util.h"

using namespace natrium::proto;
using natrium::proto::test::outcome;
using natrium::proto::test::owned_op;
using natrium::proto::test::run_bytewise;
using natrium::proto::test::run_whole;

namespace {

constexpr parser_limits default_limits{};

bool inside(std::string_view view, std::string_view buffer) {
  if (view.empty()) return true;
  return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

// Parses one op that lies wholly in `text`; checks it is zero-copy and consumes all.
owned_op parse_one(parser& p, const std::string& text) {
  std::string_view in = text;
  op o;
  REQUIRE(p.next(in, o) == parse_status::op_ready);
  CHECK(in.empty());
  for (std::string_view v : {o.subject, o.reply, o.queue, o.sid, o.json, o.payload}) CHECK(inside(v, text));
  CHECK(p.buffered() == 0);
  return natrium::proto::test::own(o);
}

owned_op parse_server(const std::string& text) {
  parser p(parser_role::server);
  return parse_one(p, text);
}

owned_op parse_client(const std::string& text) {
  parser p(parser_role::client);
  return parse_one(p, text);
}

// The error of a whole-buffer parse, checked equal to a byte-by-byte parse.
parse_error error_of(parser_role role, const std::string& text, parser_limits limits = default_limits) {
  const outcome whole = run_whole(role, limits, text);
  CHECK(whole == run_bytewise(role, limits, text));
  return whole.error;
}

parse_error server_error(const std::string& text) { return error_of(parser_role::server, text); }
parse_error client_error(const std::string& text) { return error_of(parser_role::client, text); }

}  // namespace

TEST_CASE("server role parses CONNECT", "[parser]") {
  const owned_op o = parse_server("CONNECT {\"verbose\":false}\r\n");
  CHECK(o.kind == op_kind::connect);
  CHECK(o.json == "{\"verbose\":false}");
  CHECK(parse_server("connect \t {}\r\n").json == "{}");
  CHECK(parse_server("CONNECT{}\r\n").json == "{}");  // no blank needed after CONNECT
  CHECK(parse_server("CONNECT {} \r\n").json == "{} ");
  CHECK(parse_server("CONNECT {}\n").json == "{}");
  CHECK(parse_server("CONNECT\r\n").json == "\r");  // nats-server takes the first byte as is
}

TEST_CASE("server role parses PUB", "[parser]") {
  owned_op o = parse_server("PUB foo 5\r\nhello\r\n");
  CHECK(o.kind == op_kind::pub);
  CHECK(o.subject == "foo");
  CHECK(o.reply.empty());
  CHECK(o.payload == "hello");
  CHECK(o.header_size == 0);

  o = parse_server("PUB foo.bar _INBOX.1 5\r\nhello\r\n");
  CHECK(o.subject == "foo.bar");
  CHECK(o.reply == "_INBOX.1");
  CHECK(o.payload == "hello");

  o = parse_server("pUb\tfoo \t bar\t5\r\nhe\r\no\r\n");  // case, tabs, CRLF inside the payload
  CHECK(o.kind == op_kind::pub);
  CHECK(o.subject == "foo");
  CHECK(o.reply == "bar");
  CHECK(o.payload == "he\r\no");

  CHECK(parse_server("PUB foo 0\r\n\r\n").payload.empty());
  CHECK(parse_server("PUB foo 0001\r\nx\r\n").payload == "x");
  CHECK(parse_server("PUB foo 5\nhello\r\n").payload == "hello");    // bare LF ends the line
  CHECK(parse_server("PUB foo\rbar 1\r\nx\r\n").subject == "foo\rbar");  // PUB splits on blanks only
}

TEST_CASE("server role parses HPUB", "[parser]") {
  const std::string hdr = "NATS/1.0\r\nA: b\r\n\r\n";
  owned_op o = parse_server("HPUB foo 18 23\r\n" + hdr + "hello\r\n");
  CHECK(o.kind == op_kind::hpub);
  CHECK(o.subject == "foo");
  CHECK(o.reply.empty());
  CHECK(o.header_size == 18);
  CHECK(o.payload == hdr + "hello");

  o = parse_server("hpub foo rep 18 18\r\n" + hdr + "\r\n");
  CHECK(o.reply == "rep");
  CHECK(o.header_size == 18);
  CHECK(o.payload == hdr);

  o = parse_server("HPUB foo 0 0\r\n\r\n");
  CHECK(o.header_size == 0);
  CHECK(o.payload.empty());
}

TEST_CASE("server role parses SUB and UNSUB", "[parser]") {
  owned_op o = parse_server("SUB foo 1\r\n");
  CHECK(o.kind == op_kind::sub);
  CHECK(o.subject == "foo");
  CHECK(o.queue.empty());
  CHECK(o.sid == "1");

  o = parse_server("sub foo.* workers 22\r\n");
  CHECK(o.subject == "foo.*");
  CHECK(o.queue == "workers");
  CHECK(o.sid == "22");

  // SUB splits on '\r' and '\n' too (splitArg); the first argument byte is
  // taken as is, so "SUB \n" continues to the next line as nats-server does.
  o = parse_server("SUB foo 1\rx\n");
  CHECK(o.subject == "foo");
  CHECK(o.sid == "1");
  o = parse_server("SUB \nfoo 1\r\n");
  CHECK(o.subject == "foo");
  CHECK(o.sid == "1");

  o = parse_server("UNSUB 1\r\n");
  CHECK(o.kind == op_kind::unsub);
  CHECK(o.sid == "1");
  CHECK(o.max_msgs == 0);
  CHECK(parse_server("unsub 7 10\r\n").max_msgs == 10);
  CHECK(parse_server("UNSUB 7 \t \r\n").max_msgs == 0);
  // A bad max unsubscribes at once in nats-server, as no max does.
  CHECK(parse_server("UNSUB 7 abc\r\n").max_msgs == 0);
  CHECK(parse_server("UNSUB 7 1234567890\r\n").max_msgs == 0);
}

TEST_CASE("PING and PONG skip to the end of the line", "[parser]") {
  CHECK(parse_server("PING\r\n").kind == op_kind::ping);
  CHECK(parse_server("PONG\r\n").kind == op_kind::pong);
  CHECK(parse_server("ping\r\n").kind == op_kind::ping);
  CHECK(parse_server("PiNg foo\r\n").kind == op_kind::ping);
  CHECK(parse_server("PINGxyz\n").kind == op_kind::ping);
  CHECK(parse_server("PONGPING\r\n").kind == op_kind::pong);
  CHECK(parse_client("PING\r\n").kind == op_kind::ping);
  CHECK(parse_client("pong\r\n").kind == op_kind::pong);
  // The skipped bytes are not a control line: no limit, nothing buffered.
  parser p(parser_role::server, {16, 1024});
  const std::string garbage(10000, 'x');
  std::string_view in = "PING";
  op o;
  CHECK(p.next(in, o) == parse_status::need_more);
  for (int i = 0; i < 3; ++i) {
    in = garbage;
    CHECK(p.next(in, o) == parse_status::need_more);
    CHECK(p.buffered() == 0);
  }
  in = "\r\n";
  CHECK(p.next(in, o) == parse_status::op_ready);
  CHECK(o.kind == op_kind::ping);
}

TEST_CASE("client role parses INFO MSG HMSG +OK -ERR", "[parser]") {
  owned_op o = parse_client("INFO {\"server_id\":\"x\"}\r\n");
  CHECK(o.kind == op_kind::info);
  CHECK(o.json == "{\"server_id\":\"x\"}");

  o = parse_client("MSG foo.bar 9 5\r\nhello\r\n");
  CHECK(o.kind == op_kind::msg);
  CHECK(o.subject == "foo.bar");
  CHECK(o.sid == "9");
  CHECK(o.reply.empty());
  CHECK(o.payload == "hello");

  o = parse_client("MSG foo 9 rep 0\r\n\r\n");
  CHECK(o.sid == "9");
  CHECK(o.reply == "rep");
  CHECK(o.payload.empty());

  o = parse_client("HMSG foo 3 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
  CHECK(o.kind == op_kind::hmsg);
  CHECK(o.sid == "3");
  CHECK(o.header_size == 12);
  CHECK(o.payload == "NATS/1.0\r\n\r\nhi");

  o = parse_client("HMSG foo 3 _INBOX.x 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
  CHECK(o.reply == "_INBOX.x");
  CHECK(o.header_size == 16);

  CHECK(parse_client("+OK\r\n").kind == op_kind::ok);
  o = parse_client("-ERR 'Unknown Protocol Operation'\r\n");
  CHECK(o.kind == op_kind::err);
  CHECK(o.json == "Unknown Protocol Operation");
  CHECK(parse_client("-ERR 'Stale Connection' \r\n").json == "Stale Connection");
  CHECK(parse_client("-ERR unquoted\r\n").json == "unquoted");
}

TEST_CASE("unknown or role-illegal ops are unknown_op", "[parser][errors]") {
  for (const char* s : {"FOO\r\n", "\r\n", "\n", " PING\r\n", "PUB\r\n", "PUB\n", "PUBX foo 1\r\n", "PI\r\n",
                        "PIN\r\n", "UNSUB\r\n", "CONNEC {}\r\n", "HPUBfoo 0 0\r\n",
                        "MSG foo 1 1\r\nx\r\n", "HMSG foo 1 1 1\r\n"}) {
    INFO(s);
    CHECK(server_error(s) == parse_error::unknown_op);
  }
  // A server accepts INFO, +OK and -ERR from a client (nats-server ignores the
  // first two and closes on the third; the node decides).
  for (const char* s : {"INFO {}\r\n", "+OK\r\n", "-ERR 'x'\r\n"}) {
    INFO(s);
    const outcome r = run_whole(parser_role::server, default_limits, s);
    CHECK(r.error == parse_error::none);
    CHECK(r.ops.size() == 1);
  }
  for (const char* s : {"PUB foo 1\r\nx\r\n", "SUB foo 1\r\n", "UNSUB 1\r\n", "CONNECT {}\r\n", "HPUB f 0 0\r\n",
                        "-ERR\r\n", "+O\r\n"}) {
    INFO(s);
    CHECK(client_error(s) == parse_error::unknown_op);
  }
  // Ops before the bad one are still returned.
  const outcome r = run_whole(parser_role::server, default_limits, "PING\r\nSUB a 1\r\nXYZ\r\nPONG\r\n");
  REQUIRE(r.ops.size() == 2);
  CHECK(r.ops[1].kind == op_kind::sub);
  CHECK(r.error == parse_error::unknown_op);
}

TEST_CASE("wrong arguments are bad_args (close without -ERR)", "[parser][errors]") {
  for (const char* s : {"PUB foo\r\n", "PUB foo 1 2 3\r\n", "PUB foo x\r\n", "PUB foo -1\r\n", "PUB foo 1x\r\n",
                        "PUB foo 1234567890\r\n", "PUB \r\n", "PUB foo 1\r\r\n", "SUB foo\r\n", "SUB a b c d\r\n",
                        "SUB \r\n", "UNSUB 1 2 3\r\n", "HPUB foo 5 3\r\n", "HPUB foo x 3\r\n", "HPUB foo 3\r\n",
                        "HPUB a b c 1 2\r\n", "HPUB foo 1 x\r\n", "CONNECT {}\r\nPUB foo\r\n"}) {
    INFO(s);
    CHECK(server_error(s) == parse_error::bad_args);
  }
  for (const char* s : {"MSG foo 1\r\n", "MSG foo 1 r x\r\n", "MSG a b c d e\r\n", "HMSG foo 1 5 3\r\n",
                        "HMSG foo 1 5\r\n"}) {
    INFO(s);
    CHECK(client_error(s) == parse_error::bad_args);
  }
}

TEST_CASE("payload not followed by CRLF is bad_payload_end", "[parser][errors]") {
  for (const char* s : {"PUB foo 1\r\nab\r\n", "PUB foo 1\r\nx\n", "PUB foo 1\r\nx\rX", "PUB foo 2\r\nab\rXPING\r\n",
                        "HPUB foo 0 1\r\nxy", "PUB foo 0\r\n\n"}) {
    INFO(s);
    CHECK(server_error(s) == parse_error::bad_payload_end);
  }
  // Checked as each byte arrives: the wrong byte after the payload is enough.
  CHECK(server_error("PUB foo 3\r\nabcd") == parse_error::bad_payload_end);
  CHECK(server_error("PUB foo 3\r\nabc") == parse_error::none);
  CHECK(server_error("PUB foo 3\r\nabc\r") == parse_error::none);
  CHECK(client_error("MSG foo 1 1\r\nxx\r\n") == parse_error::bad_payload_end);
}

TEST_CASE("error texts are nats-server's", "[parser][errors]") {
  CHECK(parser::error_text(parse_error::none).empty());
  CHECK(parser::error_text(parse_error::unknown_op) == "Unknown Protocol Operation");
  CHECK(parser::error_text(parse_error::control_line_long) == "maximum control line exceeded");
  CHECK(parser::error_text(parse_error::payload_too_big) == "Maximum Payload Violation");
  CHECK(parser::error_text(parse_error::bad_args).empty());
  CHECK(parser::error_text(parse_error::bad_payload_end) == "Unknown Protocol Operation");
}

TEST_CASE("the error state is sticky", "[parser][errors]") {
  parser p(parser_role::server);
  std::string_view in = "FOO\r\n";
  op o;
  CHECK(p.next(in, o) == parse_status::error);
  CHECK(p.error() == parse_error::unknown_op);
  in = "PING\r\n";
  CHECK(p.next(in, o) == parse_status::error);
  CHECK(p.error() == parse_error::unknown_op);
}

namespace {
// "SUB <subject> 1" whose argument (after "SUB ") is exactly n bytes long.
std::string sub_line(std::size_t n, std::string_view end) {
  REQUIRE(n >= 3);
  return "SUB " + std::string(n - 2, 'x') + " 1" + std::string(end);
}
}  // namespace

TEST_CASE("control line limit: at the limit and one past", "[parser][limits]") {
  for (const std::size_t mcl : {std::size_t{16}, std::size_t{4096}}) {
    const parser_limits lim{mcl, 1024};
    INFO("max control line " << mcl);
    CHECK(error_of(parser_role::server, sub_line(mcl, "\r\n") + "PING\r\n", lim) == parse_error::none);
    CHECK(error_of(parser_role::server, sub_line(mcl, "\n"), lim) == parse_error::none);
    CHECK(error_of(parser_role::server, sub_line(mcl + 1, "\r\n"), lim) == parse_error::control_line_long);
    CHECK(error_of(parser_role::server, sub_line(mcl + 1, "\n"), lim) == parse_error::control_line_long);
    // The '\r' of "\r\r\n" stays in the argument (nats-server, whole buffer).
    CHECK(error_of(parser_role::server, sub_line(mcl, "\r\r\n"), lim) == parse_error::control_line_long);
    // Partial lines: mcl + 1 bytes may still end with "\r\n"; mcl + 2 may not.
    CHECK(error_of(parser_role::server, sub_line(mcl, "\r"), lim) == parse_error::none);
    CHECK(error_of(parser_role::server, sub_line(mcl + 1, ""), lim) == parse_error::none);
    CHECK(error_of(parser_role::server, sub_line(mcl + 2, ""), lim) == parse_error::control_line_long);
    // The op name and the blanks after it do not count.
    CHECK(error_of(parser_role::server, "PUB" + std::string(mcl * 3, ' ') + "foo 0\r\n\r\n", lim) ==
          parse_error::none);
    // CONNECT and INFO lines obey it too.
    const std::string json(mcl, 'j');
    CHECK(error_of(parser_role::server, "CONNECT " + json + "\r\n", lim) == parse_error::none);
    CHECK(error_of(parser_role::server, "CONNECT " + json + "j\r\n", lim) == parse_error::control_line_long);
    CHECK(error_of(parser_role::client, "INFO " + json + "j\r\n", lim) == parse_error::control_line_long);
  }
}

TEST_CASE("payload limit: at the limit and one past", "[parser][limits]") {
  const parser_limits lim{4096, 64};
  const std::string at(64, 'p');
  outcome r = run_whole(parser_role::server, lim, "PUB foo 64\r\n" + at + "\r\n");
  CHECK(r.error == parse_error::none);
  REQUIRE(r.ops.size() == 1);
  CHECK(r.ops[0].payload == at);
  // The size alone is enough: the error comes before any payload byte.
  CHECK(error_of(parser_role::server, "PUB foo 65\r\n", lim) == parse_error::payload_too_big);
  CHECK(error_of(parser_role::server, "HPUB foo 12 64\r\n", lim) == parse_error::none);
  CHECK(error_of(parser_role::server, "HPUB foo 12 65\r\n", lim) == parse_error::payload_too_big);
  CHECK(error_of(parser_role::client, "MSG foo 1 65\r\n", lim) == parse_error::payload_too_big);
  // Default limit (1 MiB), as nats-server.
  CHECK(server_error("PUB foo 1048576\r\n") == parse_error::none);
  CHECK(server_error("PUB foo 1048577\r\n") == parse_error::payload_too_big);
  // Argument errors come first: a size over 9 digits is a bad size, not a big one.
  CHECK(server_error("PUB foo 9999999999\r\n") == parse_error::bad_args);
  CHECK(server_error("HPUB foo 70 65\r\n") == parse_error::bad_args);
  // A smaller limit set between ops applies to the next op.
  parser p(parser_role::server, lim);
  std::string_view in = "PUB a 10\r\n0123456789\r\nPUB a 10\r\n";
  op o;
  REQUIRE(p.next(in, o) == parse_status::op_ready);
  p.set_limits({4096, 9});
  CHECK(p.next(in, o) == parse_status::error);
  CHECK(p.error() == parse_error::payload_too_big);
}

TEST_CASE("pipelined ops in one buffer are all zero-copy", "[parser]") {
  const std::string buf =
      "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nSUB bar q 2\r\nPUB foo 5\r\nhello\r\n"
      "HPUB bar r 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1 5\r\nPING\r\nPONG\r\n";
  parser p(parser_role::server);
  std::string_view in = buf;
  std::vector<op_kind> kinds;
  op o;
  while (p.next(in, o) == parse_status::op_ready) {
    kinds.push_back(o.kind);
    for (std::string_view v : {o.subject, o.reply, o.queue, o.sid, o.json, o.payload}) CHECK(inside(v, buf));
  }
  CHECK(in.empty());
  CHECK(p.error() == parse_error::none);
  CHECK(p.buffered() == 0);
  const std::vector<op_kind> want{op_kind::connect, op_kind::sub,   op_kind::sub,  op_kind::pub,
                                  op_kind::hpub,    op_kind::unsub, op_kind::ping, op_kind::pong};
  CHECK(kinds == want);
}

TEST_CASE("a split op is carried and returned from the parser's buffer", "[parser]") {
  parser p(parser_role::server);
  const std::string a = "PUB foo 5\r\nhel";
  const std::string b = "lo\r\nPING\r\n";
  std::string_view in = a;
  op o;
  CHECK(p.next(in, o) == parse_status::need_more);
  CHECK(in.empty());
  CHECK(p.buffered() > 0);
  in = b;
  REQUIRE(p.next(in, o) == parse_status::op_ready);
  CHECK(o.subject == "foo");
  CHECK(o.payload == "hello");
  CHECK_FALSE(inside(o.payload, b));
  CHECK(in == "PING\r\n");
  REQUIRE(p.next(in, o) == parse_status::op_ready);  // back on the zero-copy path
  CHECK(o.kind == op_kind::ping);
  CHECK(p.buffered() == 0);
  CHECK(p.next(in, o) == parse_status::need_more);
}

TEST_CASE("need_more on empty input and at op boundaries", "[parser]") {
  parser p(parser_role::server);
  std::string_view in;
  op o;
  CHECK(p.next(in, o) == parse_status::need_more);
  for (const char* s : {"P", "PU", "PUB", "PUB ", "PUB foo", "PUB foo 1", "PUB foo 1\r", "PUB foo 1\r\n",
                        "PUB foo 1\r\nx", "PUB foo 1\r\nx\r", "CONNECT", "CONNECT ", "PING", "PING\r"}) {
    INFO(s);
    CHECK(server_error(s) == parse_error::none);
    CHECK(run_whole(parser_role::server, default_limits, s).ops.empty());
  }
}
