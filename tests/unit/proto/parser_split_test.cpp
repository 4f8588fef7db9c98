// Any split of the byte stream must give the same ops as the whole buffer:
// byte by byte, at every two-way and three-way split, and at random splits of
// random (valid and corrupted) streams.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/proto_test_util.h"

using namespace natrium::proto;
using natrium::proto::test::outcome;
using natrium::proto::test::run_bytewise;
using natrium::proto::test::run_split;
using natrium::proto::test::run_whole;
using natrium::proto::test::test_rng;

namespace {

struct stream_case {
  parser_role role;
  std::string bytes;
  parse_error want_error;
};

std::size_t carry_bound(parser_limits lim) {
  return lim.control_line_max + static_cast<std::size_t>(lim.payload_max) + 2;
}

const std::vector<stream_case>& cases() {
  static const std::vector<stream_case> all = [] {
    const std::string big(3000, 'B');
    std::vector<stream_case> v{
        {parser_role::server,
         "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 1\r\nsub bar q 2\nPUB foo 5\r\nhello\r\n"
         "PUB\tfoo \t reply 0\r\n\r\nHPUB bar r 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1 5\r\nUNSUB 2\r\n"
         "PING\r\npong xyz\r\nPUB foo 4\r\n\r\n\r\n\r\nSUB \nfoo 3\r\nSUB foo 4\rx\n",
         parse_error::none},
        {parser_role::server, "PUB big 3000\r\n" + big + "\r\nPING\r\n", parse_error::none},
        {parser_role::server, "PUB    \t   foo 1\r\nx\r\nPING" + std::string(300, 'z') + "\r\n",
         parse_error::none},
        {parser_role::client,
         "INFO {\"server_id\":\"a\"}\r\n+OK\r\nMSG foo 1 5\r\nhello\r\nMSG foo 1 _INBOX.x 0\r\n\r\n"
         "HMSG foo 2 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\nPONG\r\n-ERR 'Stale Connection'\r\n",
         parse_error::none},
        {parser_role::server, "PING\r\nSUB foo 1\r\nXPUB\r\n", parse_error::unknown_op},
        {parser_role::server, "PING\r\nPUB foo 1 2 3\r\n", parse_error::bad_args},
        {parser_role::server, "PING\r\nPUB foo 2\r\nab\rXPING\r\n", parse_error::bad_payload_end},
        {parser_role::server, "PING\r\nPUB foo 2000000\r\n", parse_error::payload_too_big},
        {parser_role::server, "PING\r\nSUB " + std::string(5000, 's') + " 1\r\n", parse_error::control_line_long},
        {parser_role::server, "SUB x 1\r\nUNSUB\r\n", parse_error::unknown_op},
        {parser_role::client, "MSG foo 1 1\r\nxy\r\n", parse_error::bad_payload_end},
        {parser_role::client, "+OK\r\nPUB foo 1\r\n", parse_error::unknown_op},
    };
    return v;
  }();
  return all;
}

}  // namespace

TEST_CASE("the whole-buffer parse of each case gives the expected result", "[split]") {
  for (const stream_case& c : cases()) {
    INFO(c.bytes.substr(0, 60));
    const outcome r = run_whole(c.role, {}, c.bytes);
    CHECK(r.error == c.want_error);
    if (c.want_error == parse_error::none) CHECK(!r.ops.empty());
  }
}

TEST_CASE("byte by byte gives the same ops", "[split]") {
  for (const stream_case& c : cases()) {
    INFO(c.bytes.substr(0, 60));
    const outcome whole = run_whole(c.role, {}, c.bytes);
    const outcome bytes = run_bytewise(c.role, {}, c.bytes);
    CHECK(bytes == whole);
    CHECK(bytes.buffered_max <= carry_bound({}));
  }
}

TEST_CASE("every two-way split gives the same ops", "[split]") {
  for (const stream_case& c : cases()) {
    INFO(c.bytes.substr(0, 60));
    const outcome whole = run_whole(c.role, {}, c.bytes);
    for (std::size_t cut = 0; cut <= c.bytes.size(); ++cut) {
      INFO("cut at " << cut);
      const outcome r = run_split(c.role, {}, c.bytes, {cut});
      REQUIRE(r == whole);
    }
  }
}

TEST_CASE("every three-way split of short streams gives the same ops", "[split]") {
  for (const stream_case& c : cases()) {
    if (c.bytes.size() > 400) continue;
    INFO(c.bytes.substr(0, 60));
    const outcome whole = run_whole(c.role, {}, c.bytes);
    for (std::size_t a = 1; a < c.bytes.size(); ++a) {
      for (std::size_t b = a; b < c.bytes.size(); b += 1 + a % 3) {
        INFO("cuts at " << a << " and " << b);
        REQUIRE(run_split(c.role, {}, c.bytes, {a, b}) == whole);
      }
    }
  }
}

namespace {

// Random streams: ops with random case, blanks, line ends and bodies, then
// sometimes corrupted, so every error class shows up.
class stream_gen {
 public:
  explicit stream_gen(std::uint64_t seed) : rng_{seed} {}

  std::string stream(parser_role role, std::size_t ops) {
    std::string s;
    for (std::size_t i = 0; i < ops; ++i) s += role == parser_role::server ? server_op() : client_op();
    if (rng_.below(3) == 0) corrupt(s);
    return s;
  }
  test_rng& rng() { return rng_; }

 private:
  std::string token(std::size_t max_len = 12) {
    static constexpr std::string_view chars = "abcxyz.*>_-019";
    std::string t;
    const std::size_t n = 1 + rng_.below(max_len);
    for (std::size_t i = 0; i < n; ++i) t.push_back(chars[rng_.below(chars.size())]);
    return t;
  }
  std::string blanks() {
    std::string b;
    const std::size_t n = 1 + (rng_.below(4) == 0 ? rng_.below(5) : 0);
    for (std::size_t i = 0; i < n; ++i) b.push_back(rng_.below(4) == 0 ? '\t' : ' ');
    return b;
  }
  std::string name(std::string_view upper_name) {
    std::string n(upper_name);
    if (rng_.below(4) == 0) {
      for (char& c : n) {
        if (c >= 'A' && c <= 'Z' && rng_.below(2) == 0) c = static_cast<char>(c + 32);
      }
    }
    return n;
  }
  std::string eol() { return rng_.below(6) == 0 ? "\n" : "\r\n"; }
  std::string body(std::size_t max_len) {
    std::string b;
    const std::size_t n = rng_.below(max_len + 1);
    for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<char>(rng_.below(256)));
    return b;
  }
  std::string with_reply() { return rng_.below(2) == 0 ? blanks() + token() : std::string(); }

  std::string server_op() {
    switch (rng_.below(8)) {
      case 0: return name("CONNECT") + blanks() + "{\"verbose\":false}" + eol();
      case 1: {
        const std::string b = body(rng_.below(8) == 0 ? 200 : 20);
        return name("PUB") + blanks() + token() + with_reply() + blanks() + std::to_string(b.size()) + eol() + b +
               "\r\n";
      }
      case 2: {
        const std::string h = "NATS/1.0\r\nK: " + token() + "\r\n\r\n";
        const std::string b = h + body(20);
        return name("HPUB") + blanks() + token() + with_reply() + blanks() + std::to_string(h.size()) + blanks() +
               std::to_string(b.size()) + eol() + b + "\r\n";
      }
      case 3: return name("SUB") + blanks() + token() + (rng_.below(2) ? blanks() + token() : "") + blanks() +
                     token(3) + eol();
      case 4: return name("UNSUB") + blanks() + token(3) + (rng_.below(2) ? blanks() + "7" : "") + eol();
      case 5: return name("PING") + (rng_.below(4) == 0 ? token() : "") + eol();
      case 6: return name("PONG") + eol();
      default: return name("PING") + "\r\n";
    }
  }

  std::string client_op() {
    switch (rng_.below(7)) {
      case 0: return name("INFO") + blanks() + "{\"a\":1}" + eol();
      case 1: {
        const std::string b = body(20);
        return name("MSG") + blanks() + token() + blanks() + token(3) + with_reply() + blanks() +
               std::to_string(b.size()) + eol() + b + "\r\n";
      }
      case 2: {
        const std::string h = "NATS/1.0 503\r\n\r\n";
        const std::string b = h + body(10);
        return name("HMSG") + blanks() + token() + blanks() + token(3) + with_reply() + blanks() +
               std::to_string(h.size()) + blanks() + std::to_string(b.size()) + eol() + b + "\r\n";
      }
      case 3: return name("+OK") + eol();
      case 4: return name("-ERR") + blanks() + "'" + token() + "'" + eol();
      case 5: return name("PING") + eol();
      default: return name("PONG") + eol();
    }
  }

  void corrupt(std::string& s) {
    if (s.empty()) return;
    const std::size_t at = rng_.below(s.size());
    switch (rng_.below(4)) {
      case 0: s[at] = static_cast<char>(rng_.below(256)); break;
      case 1: s.erase(at, 1 + rng_.below(3)); break;
      case 2: s.insert(at, std::string(1 + rng_.below(3), "\r\n \tX9"[rng_.below(6)])); break;
      default: s.resize(at); break;
    }
  }

  test_rng rng_;
};

std::vector<std::size_t> random_cuts(test_rng& rng, std::size_t size) {
  std::vector<std::size_t> cuts;
  std::size_t at = 0;
  while (size > 0) {
    // Mostly short chunks, sometimes long ones.
    at += 1 + (rng.below(4) == 0 ? rng.below(size) : rng.below(8));
    if (at >= size) break;
    cuts.push_back(at);
  }
  return cuts;
}

}  // namespace

TEST_CASE("random splits of random streams give the whole-buffer ops", "[split][property]") {
  const parser_limits small{24, 48};
  stream_gen gen(0x5eed);
  std::size_t errors_seen = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const parser_role role = iter % 2 == 0 ? parser_role::server : parser_role::client;
    const parser_limits lim = iter % 3 == 0 ? small : parser_limits{};
    const std::string s = gen.stream(role, 1 + gen.rng().below(12));
    const outcome whole = run_whole(role, lim, s);
    if (whole.error != parse_error::none) ++errors_seen;
    for (int k = 0; k < 4; ++k) {
      const std::vector<std::size_t> cuts = random_cuts(gen.rng(), s.size());
      const outcome r = run_split(role, lim, s, cuts);
      INFO("iteration " << iter << " split " << k);
      REQUIRE(r == whole);
      REQUIRE(r.buffered_max <= carry_bound(lim));
    }
  }
  CHECK(errors_seen > 300);  // the corruptions reach the error paths
}
