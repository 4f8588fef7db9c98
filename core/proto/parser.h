#pragma once
// Incremental, zero-copy parser for the NATS client protocol (both directions).
//
// Use:   std::string_view in = bytes_from_socket;
//        proto::op op;
//        for (;;) {
//          auto st = p.next(in, op);      // consumes from `in`
//          if (st == parse_status::op_ready) { apply(op); continue; }
//          if (st == parse_status::need_more) break;   // `in` is now empty
//          handle(p.error()); break;                   // protocol error: stop reading
//        }
//
// An op is returned with views into `in` when it lies wholly inside it (the
// common case: no copy). When an op straddles two reads, the parser keeps the
// partial bytes in its own bounded buffer and the views point there. Every view
// stays valid until the next call to next(). Any split of the byte stream gives
// the same ops. After an error the parser stays in the error state.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/limits.h"
#include "core/proto/ops.h"

namespace natrium::proto {

enum class parse_status : std::uint8_t { op_ready, need_more, error };

// Which side's ops are legal: a server parses what clients send, a client
// (tests, tools, the simulator) parses what servers send.
enum class parser_role : std::uint8_t { server, client };

// The protocol errors, each mapped to what nats-server 2.9.10 does.
enum class parse_error : std::uint8_t {
  none,
  unknown_op,          // -ERR 'Unknown Protocol Operation', close
  control_line_long,   // -ERR 'maximum control line exceeded' (lower case in 2.9.10), close
  payload_too_big,     // -ERR 'Maximum Payload Violation', close
  bad_args,            // wrong argument count or bad number: close without -ERR (processPub/Sub parse error)
  bad_payload_end,     // payload not followed by CRLF: -ERR 'Unknown Protocol Operation', close
};

struct parser_limits {
  std::size_t control_line_max = base::control_line_default;
  std::int64_t payload_max = base::payload_default;
};

class parser {
 public:
  explicit parser(parser_role role, parser_limits limits = {}) noexcept;

  [[nodiscard]] parse_status next(std::string_view& input, op& out);

  parse_error error() const noexcept { return error_; }
  // The -ERR text nats-server sends for error(), without quotes; empty if it sends none.
  static std::string_view error_text(parse_error e) noexcept;

  // Change the payload limit (CONNECT may not, but the server config can).
  void set_limits(parser_limits limits) noexcept { limits_ = limits; }
  // Bytes currently held in the carry-over buffer (bounded by control line + payload + 2).
  std::size_t buffered() const noexcept { return carry_.size(); }

 private:
  // Where the slow (carrying) path is inside an op. `idle`: between ops.
  enum class phase : std::uint8_t { idle, name, blank, blanks, arg, skip_line, payload };
  enum class step : std::uint8_t { ready, incomplete, failed };

  step parse_direct(std::string_view& in, op& out);
  parse_status feed(std::string_view& in, op& out);
  step feed_name(std::string_view& in);
  step feed_arg(std::string_view& in, op& out);
  step feed_payload(std::string_view& in, op& out);
  step finish_line(op_kind kind, std::string_view arg, op& out, std::size_t& body_size);
  step fail(parse_error e) noexcept;

  parser_role role_;
  parser_limits limits_;
  parse_error error_ = parse_error::none;
  std::string carry_;          // partial op carried between calls
  std::size_t need_ = 0;       // when waiting for a payload: bytes of body + CRLF still needed in carry_
  std::size_t line_len_ = 0;   // length of the control line held at the start of carry_ (0: none yet)
  std::size_t body_size_ = 0;  // payload size of the carried op
  phase phase_ = phase::idle;
  op_kind kind_ = op_kind::ping;  // op being carried (valid after its name is complete)
  std::uint8_t name_len_ = 0;     // bytes of the op name seen so far (slow path)
  char name_[8] = {};
  // Implementation detail state is free to change; keep the public API stable.
};

}  // namespace natrium::proto
