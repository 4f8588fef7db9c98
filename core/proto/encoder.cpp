// Protocol line encoders. The MSG/HMSG layout is nats-server 2.9.10 msgHeader:
// "MSG <subject> <sid> [reply ]<size>\r\n" then the payload and "\r\n".
#include "core/proto/encoder.h"

#include <algorithm>

#include "core/base/assert.h"

namespace natrium::proto {

namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::size_t uint_digits_max = 20;  // 18446744073709551615

std::size_t uint_len(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

// Makes room for `extra` more bytes with geometric growth: libc++ reserve()
// allocates exactly what is asked, which would make repeated appends quadratic.
void grow(std::string& out, std::size_t extra) {
  const std::size_t want = out.size() + extra;
  if (want <= out.capacity()) return;
  out.reserve(std::max(want, 2 * out.capacity()));
}

// Appends "<a> " for each non-empty optional argument.
void append_arg(std::string& out, std::string_view a) {
  if (a.empty()) return;
  out.append(a);
  out.push_back(' ');
}

// "<op> <subject> [sid ][reply ]" with room reserved for the rest of the op.
void append_head(std::string& out, std::string_view op_name, std::string_view subject, std::string_view sid,
                 std::string_view reply, std::size_t tail) {
  grow(out, op_name.size() + subject.size() + sid.size() + reply.size() + 3 + tail);
  out.append(op_name);
  out.append(subject);
  out.push_back(' ');
  append_arg(out, sid);
  append_arg(out, reply);
}

// "<hdr> <total>\r\n<body>\r\n" or, with no header size, "<total>\r\n<body>\r\n".
void append_sizes_and_body(std::string& out, bool with_hdr, std::size_t header_size, std::string_view body) {
  if (with_hdr) {
    append_uint(out, header_size);
    out.push_back(' ');
  }
  append_uint(out, body.size());
  out.append(crlf);
  out.append(body);
  out.append(crlf);
}

std::size_t body_tail(bool with_hdr, std::size_t header_size, std::string_view body) noexcept {
  return (with_hdr ? uint_len(header_size) + 1 : 0) + uint_len(body.size()) + body.size() + 2 * crlf.size();
}

}  // namespace

void append_uint(std::string& out, std::uint64_t v) {
  char buf[uint_digits_max];
  char* const end = buf + uint_digits_max;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<std::size_t>(end - p));
}

void append_msg(std::string& out, std::string_view subject, std::string_view sid, std::string_view reply,
                std::string_view payload) {
  NATRIUM_ASSERT(!subject.empty());
  NATRIUM_ASSERT(!sid.empty());
  append_head(out, "MSG ", subject, sid, reply, body_tail(false, 0, payload));
  append_sizes_and_body(out, false, 0, payload);
}

void append_hmsg(std::string& out, std::string_view subject, std::string_view sid, std::string_view reply,
                 std::size_t header_size, std::string_view headers_and_payload) {
  NATRIUM_ASSERT(!subject.empty());
  NATRIUM_ASSERT(!sid.empty());
  NATRIUM_ASSERT(header_size <= headers_and_payload.size());
  append_head(out, "HMSG ", subject, sid, reply, body_tail(true, header_size, headers_and_payload));
  append_sizes_and_body(out, true, header_size, headers_and_payload);
}

void append_pub(std::string& out, std::string_view subject, std::string_view reply, std::string_view payload) {
  NATRIUM_ASSERT(!subject.empty());
  append_head(out, "PUB ", subject, {}, reply, body_tail(false, 0, payload));
  append_sizes_and_body(out, false, 0, payload);
}

void append_hpub(std::string& out, std::string_view subject, std::string_view reply, std::size_t header_size,
                 std::string_view headers_and_payload) {
  NATRIUM_ASSERT(!subject.empty());
  NATRIUM_ASSERT(header_size <= headers_and_payload.size());
  append_head(out, "HPUB ", subject, {}, reply, body_tail(true, header_size, headers_and_payload));
  append_sizes_and_body(out, true, header_size, headers_and_payload);
}

void append_sub(std::string& out, std::string_view subject, std::string_view queue, std::string_view sid) {
  NATRIUM_ASSERT(!subject.empty());
  NATRIUM_ASSERT(!sid.empty());
  append_head(out, "SUB ", subject, {}, queue, sid.size() + crlf.size());
  out.append(sid);
  out.append(crlf);
}

void append_unsub(std::string& out, std::string_view sid, std::int64_t max_msgs) {
  NATRIUM_ASSERT(!sid.empty());
  NATRIUM_ASSERT(max_msgs >= 0);
  grow(out, 6 + sid.size() + 1 + uint_digits_max + crlf.size());
  out.append("UNSUB ");
  out.append(sid);
  if (max_msgs > 0) {
    out.push_back(' ');
    append_uint(out, static_cast<std::uint64_t>(max_msgs));
  }
  out.append(crlf);
}

void append_err(std::string& out, std::string_view text) {
  grow(out, 6 + text.size() + 1 + crlf.size());
  out.append("-ERR '");
  out.append(text);
  out.push_back('\'');
  out.append(crlf);
}

}  // namespace natrium::proto
