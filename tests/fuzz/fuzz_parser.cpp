// libFuzzer target for the protocol parser: the same stream is parsed whole,
// at fuzzer-chosen split points, and byte by byte; the ops (compared by value)
// and the final error must be the same. The parser's carry-over buffer must
// stay within control_line_max + payload_max + 2, and an op returned from a
// single whole buffer must be zero-copy (views inside the input).
//
// Input layout: byte 0 picks the role (bit 0) and the limits (bits 1-2);
// bytes 1-4 seed the split points; the rest is the protocol stream.
// (NATS fuzz.go splits at a fixed 50 bytes; this generalizes it.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/proto/parser.h"
#include "tests/support/proto_test_util.h"

using namespace natrium::proto;

namespace {

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "fuzz_parser: check failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

constexpr std::size_t header_bytes = 5;

using natrium::proto::test::outcome;
using natrium::proto::test::own;

constexpr parser_limits limit_choices[4] = {{}, {24, 48}, {1, 0}, {64, 300}};

bool inside(std::string_view v, std::string_view buf) {
  return v.empty() || (v.data() >= buf.data() && v.data() + v.size() <= buf.data() + buf.size());
}

// splitmix64 for the split points.
struct split_rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

// Feeds one chunk; false once the parser has failed.
bool feed(parser& p, const parser_limits& lim, std::string_view chunk, bool whole, outcome& r) {
  const std::size_t bound = lim.control_line_max + static_cast<std::size_t>(lim.payload_max) + 2;
  const std::string copy(chunk);  // each chunk in its own buffer, as a socket read
  std::string_view in = copy;
  op o;
  for (;;) {
    const std::size_t before = in.size();
    const parse_status st = p.next(in, o);
    FUZZ_CHECK(p.buffered() <= bound);
    FUZZ_CHECK(in.size() <= before);
    if (st == parse_status::need_more) {
      FUZZ_CHECK(in.empty());
      return true;
    }
    if (st == parse_status::error) {
      FUZZ_CHECK(p.error() != parse_error::none);
      r.error = p.error();
      FUZZ_CHECK(p.next(in, o) == parse_status::error);  // sticky
      return false;
    }
    FUZZ_CHECK(in.size() < before);  // every op consumes bytes
    FUZZ_CHECK(o.header_size <= o.payload.size());
    if (whole && p.buffered() == 0) {
      for (std::string_view v : {o.subject, o.reply, o.queue, o.sid, o.json, o.payload}) FUZZ_CHECK(inside(v, copy));
    }
    r.ops.push_back(own(o));
  }
}

outcome run(parser_role role, const parser_limits& lim, std::string_view s, const std::vector<std::size_t>& cuts) {
  parser p(role, lim);
  outcome r;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : s.size();
    if (!feed(p, lim, s.substr(from, to - from), cuts.empty(), r)) break;
    from = to;
  }
  return r;
}

std::vector<std::size_t> make_cuts(split_rng& rng, std::size_t size) {
  std::vector<std::size_t> cuts;
  std::size_t at = 0;
  for (;;) {
    const std::uint64_t x = rng.next();
    // Mostly short chunks; one in four up to 256 bytes.
    at += 1 + ((x & 3) == 0 ? (x >> 8) % 256 : (x >> 8) % 8);
    if (at >= size) break;
    cuts.push_back(at);
  }
  return cuts;
}

void check_same(const outcome& a, const outcome& b) {
  FUZZ_CHECK(a.error == b.error);
  FUZZ_CHECK(a.ops.size() == b.ops.size());
  for (std::size_t i = 0; i < a.ops.size(); ++i) FUZZ_CHECK(a.ops[i] == b.ops[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < header_bytes) return 0;
  const parser_role role = (data[0] & 1) != 0 ? parser_role::client : parser_role::server;
  const parser_limits lim = limit_choices[(data[0] >> 1) & 3];
  split_rng rng{static_cast<std::uint64_t>(data[1]) | static_cast<std::uint64_t>(data[2]) << 8 |
                static_cast<std::uint64_t>(data[3]) << 16 | static_cast<std::uint64_t>(data[4]) << 24};
  const std::string_view stream(reinterpret_cast<const char*>(data) + header_bytes, size - header_bytes);

  const outcome whole = run(role, lim, stream, {});
  check_same(whole, run(role, lim, stream, make_cuts(rng, stream.size())));
  check_same(whole, run(role, lim, stream, make_cuts(rng, stream.size())));
  if (stream.size() <= 4096) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    check_same(whole, run(role, lim, stream, every));
  }
  return 0;
}
