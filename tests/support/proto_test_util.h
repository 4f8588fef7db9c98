#pragma once
// Helpers for the proto tests: run a parser over a stream cut into chunks and
// keep what it yields as owned values, so runs with different splits compare.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/proto/parser.h"

namespace natrium::proto::test {

struct owned_op {
  op_kind kind = op_kind::ping;
  std::string subject, reply, queue, sid, json, payload;
  std::size_t header_size = 0;
  std::int64_t max_msgs = 0;
  bool operator==(const owned_op&) const = default;
};

inline owned_op own(const op& o) {
  return owned_op{o.kind, std::string(o.subject), std::string(o.reply), std::string(o.queue), std::string(o.sid),
                  std::string(o.json), std::string(o.payload), o.header_size, o.max_msgs};
}

struct outcome {
  std::vector<owned_op> ops;
  parse_error error = parse_error::none;  // none: the stream ended needing more (or exactly at an op end)
  std::size_t buffered_max = 0;           // largest parser::buffered() seen
  bool operator==(const outcome& o) const { return ops == o.ops && error == o.error; }
};

// Feeds `stream` cut at the (sorted) offsets in `cuts`.
inline outcome run_split(parser_role role, parser_limits limits, std::string_view stream,
                         const std::vector<std::size_t>& cuts) {
  parser p(role, limits);
  outcome r;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : stream.size();
    // Each chunk lives in its own buffer, as a socket read would.
    const std::string chunk(stream.substr(from, to - from));
    std::string_view in = chunk;
    from = to;
    op o;
    for (;;) {
      const parse_status st = p.next(in, o);
      r.buffered_max = std::max(r.buffered_max, p.buffered());
      if (st == parse_status::op_ready) {
        r.ops.push_back(own(o));
        continue;
      }
      if (st == parse_status::error) {
        r.error = p.error();
        return r;
      }
      break;
    }
  }
  return r;
}

inline outcome run_whole(parser_role role, parser_limits limits, std::string_view stream) {
  return run_split(role, limits, stream, {});
}

inline outcome run_bytewise(parser_role role, parser_limits limits, std::string_view stream) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
  return run_split(role, limits, stream, cuts);
}

// splitmix64: a fixed, documented generator for reproducible random tests.
struct test_rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

}  // namespace natrium::proto::test
