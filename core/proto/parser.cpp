// Incremental, zero-copy parser for the NATS client protocol.
//
// Semantics follow nats-server 2.9.10 (parser.go, client.go processPub,
// processHeaderPub, parseSub, processUnsub) parsing a whole buffer:
//  - op names are case-insensitive; an op that is not legal for the role, or a
//    byte that cannot continue an op name, is unknown_op at that byte;
//  - PUB HPUB SUB UNSUB MSG HMSG -ERR need a space or tab after the name,
//    CONNECT and INFO do not; PING PONG +OK skip every byte up to '\n';
//  - the argument starts at the first byte after the name that is not a space
//    or tab. That first byte is taken as is, even '\r' or '\n' (nats-server
//    does not look at it), and the line ends at the next '\n';
//  - if any later byte of the argument is '\r', the byte before '\n' is
//    dropped (so "\r\n" and "\n" both end lines);
//  - the argument may hold control_line_max bytes; the check is made as soon
//    as the bytes seen prove the line too long;
//  - the payload must be followed by "\r\n", checked as each byte arrives.
// Two paths implement these rules: parse_direct() for an op wholly inside the
// input (views into the input), and feed() which carries a partial op in
// carry_ (the name is kept in name_, blanks are dropped, carry_ holds the
// argument and then the payload). The unit tests and the fuzz target check
// that both give the same ops for every split of a stream.
#include "core/proto/parser.h"

#include <algorithm>
#include <array>
#include <span>
#include <cstring>
#include <iterator>
#include <limits>

#include "core/base/assert.h"

namespace natrium::proto {

namespace {

// Carry-over capacity kept between ops; a larger buffer (a big split payload)
// is released once its op has been consumed.
constexpr std::size_t carry_keep_max = 64 * 1024;
// nats-server parseSize accepts at most 9 digits ("999M").
constexpr std::size_t size_digits_max = 9;

struct op_name {
  std::string_view text;  // upper case
  op_kind kind;
};

// No name is a prefix of another, so a full match is unique.
// A server also accepts INFO, +OK and -ERR from clients, as nats-server does
// (it ignores the first two and closes on the third).
constexpr std::array<op_name, 10> server_names{{{"PUB", op_kind::pub},
                                                 {"PING", op_kind::ping},
                                                 {"PONG", op_kind::pong},
                                                 {"SUB", op_kind::sub},
                                                 {"HPUB", op_kind::hpub},
                                                 {"UNSUB", op_kind::unsub},
                                                 {"CONNECT", op_kind::connect},
                                                 {"INFO", op_kind::info},
                                                 {"+OK", op_kind::ok},
                                                 {"-ERR", op_kind::err}}};
constexpr std::array<op_name, 7> client_names{{{"MSG", op_kind::msg},
                                                {"PING", op_kind::ping},
                                                {"PONG", op_kind::pong},
                                                {"HMSG", op_kind::hmsg},
                                                {"+OK", op_kind::ok},
                                                {"-ERR", op_kind::err},
                                                {"INFO", op_kind::info}}};
constexpr std::size_t name_len_max = 7;  // "CONNECT"

enum class name_match : std::uint8_t { full, partial, bad };

// What follows an op name.
enum class arg_style : std::uint8_t {
  none,      // PING PONG +OK: skip to '\n'
  required,  // a space or tab, then the argument
  optional,  // CONNECT INFO: optional blanks, then the argument
};

constexpr std::array<char, 256> upper_table = [] {
  std::array<char, 256> t{};
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto c = static_cast<char>(i);
    t[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
  }
  return t;
}();
inline char upper(char c) noexcept { return upper_table[static_cast<unsigned char>(c)]; }
constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

struct op_traits {
  arg_style style;
  bool payload;  // a body follows the control line
};
// Indexed by op_kind.
constexpr std::array<op_traits, 12> traits_of{{
    {arg_style::optional, false},  // info
    {arg_style::optional, false},  // connect
    {arg_style::required, true},   // pub
    {arg_style::required, true},   // hpub
    {arg_style::required, false},  // sub
    {arg_style::required, false},  // unsub
    {arg_style::none, false},      // ping
    {arg_style::none, false},      // pong
    {arg_style::required, true},   // msg
    {arg_style::required, true},   // hmsg
    {arg_style::none, false},      // ok
    {arg_style::required, false},  // err
}};
static_assert(static_cast<std::size_t>(op_kind::err) + 1 == traits_of.size());
static_assert(static_cast<std::size_t>(op_kind::info) == 0 && static_cast<std::size_t>(op_kind::msg) == 8);

constexpr arg_style style_of(op_kind k) noexcept { return traits_of[static_cast<std::size_t>(k)].style; }
constexpr bool has_payload(op_kind k) noexcept { return traits_of[static_cast<std::size_t>(k)].payload; }

// For each byte, 1 + the index of the first name starting with it (either
// case), or 0. Names sharing a first letter are next to each other.
template <std::size_t N>
constexpr std::array<std::uint8_t, 256> first_letters(const std::array<op_name, N>& names) {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t i = names.size(); i-- > 0;) {
    const char c = names[i].text[0];
    t[static_cast<unsigned char>(c)] = static_cast<std::uint8_t>(i + 1);
    if (c >= 'A' && c <= 'Z') t[static_cast<unsigned char>(c + ('a' - 'A'))] = static_cast<std::uint8_t>(i + 1);
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> server_first = first_letters(server_names);
constexpr std::array<std::uint8_t, 256> client_first = first_letters(client_names);

struct name_hit {
  name_match match;
  op_kind kind;
  std::uint8_t len;
};

// Matches the first n bytes of p against the role's op names.
inline name_hit match_name(parser_role role, const char* p, std::size_t n) noexcept {
  const bool server = role == parser_role::server;
  // The common case first: the role's message op in upper case, and a blank.
  if (n >= 4 && std::memcmp(p, server ? "PUB " : "MSG ", 4) == 0) {
    return {name_match::full, server ? op_kind::pub : op_kind::msg, 3};
  }
  if (n == 0) return {name_match::partial, op_kind::ping, 0};
  const std::span<const op_name> names = server ? std::span<const op_name>(server_names)
                                                : std::span<const op_name>(client_names);
  std::size_t i = (server ? server_first : client_first)[static_cast<unsigned char>(p[0])];
  if (i == 0) return {name_match::bad, op_kind::ping, 0};
  const char first = names[--i].text[0];
  for (; i < names.size() && names[i].text[0] == first; ++i) {
    const std::string_view name = names[i].text;
    const std::size_t m = std::min(n, name.size());
    std::size_t j = 1;
    while (j < m && upper(p[j]) == name[j]) ++j;
    if (j < m) continue;
    if (n < name.size()) return {name_match::partial, op_kind::ping, 0};
    return {name_match::full, names[i].kind, static_cast<std::uint8_t>(name.size())};
  }
  return {name_match::bad, op_kind::ping, 0};
}

// The argument as nats-server sees it: when a '\r' follows its first byte, the
// byte before '\n' is dropped.
std::string_view drop_cr(std::string_view raw) noexcept {
  if (raw.size() < 2) return raw;
  if (raw.back() == '\r' || std::memchr(raw.data() + 1, '\r', raw.size() - 2) != nullptr) raw.remove_suffix(1);
  return raw;
}

// Byte classes for splitting arguments: blanks, and '\r' '\n' which split
// too in nats-server splitArg (SUB/UNSUB, and MSG/HMSG as clients parse them)
// but not in processPub/processHeaderPub.
constexpr std::uint8_t class_blank = 1;
constexpr std::uint8_t class_crlf = 2;
constexpr std::array<std::uint8_t, 256> byte_class = [] {
  std::array<std::uint8_t, 256> t{};
  t[static_cast<unsigned char>(' ')] = class_blank;
  t[static_cast<unsigned char>('\t')] = class_blank;
  t[static_cast<unsigned char>('\r')] = class_crlf;
  t[static_cast<unsigned char>('\n')] = class_crlf;
  return t;
}();

// The first byte in [p, end) whose class is in SepMask, or end. Every
// separator is below 0x21, so eight bytes at a time are skipped while none of
// them is (Bit Twiddling Hacks "hasless": exact about whether such a byte exists).
template <std::uint8_t SepMask>
const unsigned char* find_sep(const unsigned char* p, const unsigned char* const end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    std::uint64_t x = 0;
    std::memcpy(&x, p, sizeof x);
    if (((x - ones * 0x21) & ~x & highs) != 0) {
      for (int i = 0; i < 8; ++i) {
        if ((byte_class[p[i]] & SepMask) != 0) return p + i;
      }
    }
    p += 8;
  }
  while (p != end && (byte_class[*p] & SepMask) == 0) ++p;
  return p;
}

// One argument. Plain data, so arrays of them cost nothing to set up.
struct token {
  const char* p;
  std::size_t n;
  std::string_view view() const noexcept { return {p, n}; }
};

// Splits `arg` on the separators in SepMask. Returns the count, or cap + 1
// when there are more than cap arguments.
template <std::uint8_t SepMask>
std::size_t split_args(std::string_view arg, token* toks, std::size_t cap) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(arg.data());
  const auto* const end = p + arg.size();
  std::size_t count = 0;
  for (;;) {
    while (p != end && (byte_class[*p] & SepMask) != 0) ++p;
    if (p == end) return count;
    const auto* const start = p;
    p = find_sep<SepMask>(p, end);
    if (count == cap) return cap + 1;
    toks[count++] = token{reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start)};
  }
}
constexpr std::uint8_t split_blanks = class_blank;
constexpr std::uint8_t split_blanks_crlf = class_blank | class_crlf;

// nats-server parseSize: 1 to 9 decimal digits, else -1.
std::int64_t parse_size(token d) noexcept {
  if (d.n == 0 || d.n > size_digits_max) return -1;
  std::int64_t n = 0;
  for (std::size_t i = 0; i < d.n; ++i) {
    const char c = d.p[i];
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string_view unquote(std::string_view text) noexcept {
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') return text.substr(1, text.size() - 2);
  return text;
}

// Sizes of PUB/HPUB/MSG/HMSG. hdr is unused for ops without headers.
parse_error parse_sizes(token hdr, token total, bool with_hdr, std::int64_t payload_max,
                        op& out, std::size_t& body_size) noexcept {
  std::int64_t h = 0;
  if (with_hdr) {
    h = parse_size(hdr);
    if (h < 0) return parse_error::bad_args;
  }
  const std::int64_t t = parse_size(total);
  if (t < 0) return parse_error::bad_args;
  if (h > t) return parse_error::bad_args;
  if (t > payload_max) return parse_error::payload_too_big;
  out.header_size = static_cast<std::size_t>(h);
  body_size = static_cast<std::size_t>(t);
  return parse_error::none;
}

// PUB subject [reply] size / HPUB subject [reply] hdr total
parse_error parse_pub(std::string_view arg, bool with_hdr, std::int64_t payload_max, op& out,
                      std::size_t& body_size) noexcept {
  token t[4];
  const std::size_t n = split_args<split_blanks>(arg, t, std::size(t));
  const std::size_t fixed = with_hdr ? 3 : 2;  // arguments without a reply
  if (n != fixed && n != fixed + 1) return parse_error::bad_args;
  out.subject = t[0].view();
  if (n == fixed + 1) out.reply = t[1].view();
  const std::size_t sizes_at = n - (with_hdr ? 2 : 1);
  return parse_sizes(t[sizes_at], t[n - 1], with_hdr, payload_max, out, body_size);
}

// MSG subject sid [reply] size / HMSG subject sid [reply] hdr total
parse_error parse_msg(std::string_view arg, bool with_hdr, std::int64_t payload_max, op& out,
                      std::size_t& body_size) noexcept {
  token t[5];
  const std::size_t n = split_args<split_blanks_crlf>(arg, t, std::size(t));
  const std::size_t fixed = with_hdr ? 4 : 3;
  if (n != fixed && n != fixed + 1) return parse_error::bad_args;
  out.subject = t[0].view();
  out.sid = t[1].view();
  if (n == fixed + 1) out.reply = t[2].view();
  const std::size_t sizes_at = n - (with_hdr ? 2 : 1);
  return parse_sizes(t[sizes_at], t[n - 1], with_hdr, payload_max, out, body_size);
}

// SUB subject [queue] sid
parse_error parse_sub(std::string_view arg, op& out) noexcept {
  token t[3];
  const std::size_t n = split_args<split_blanks_crlf>(arg, t, std::size(t));
  if (n != 2 && n != 3) return parse_error::bad_args;
  out.subject = t[0].view();
  if (n == 3) out.queue = t[1].view();
  out.sid = t[n - 1].view();
  return parse_error::none;
}

// UNSUB sid [max]. A bad max is not an error in nats-server: it unsubscribes
// at once, as with no max, so it reads as 0.
parse_error parse_unsub(std::string_view arg, op& out) noexcept {
  token t[2];
  const std::size_t n = split_args<split_blanks_crlf>(arg, t, std::size(t));
  if (n != 1 && n != 2) return parse_error::bad_args;
  out.sid = t[0].view();
  if (n == 2) out.max_msgs = std::max<std::int64_t>(parse_size(t[1]), 0);
  return parse_error::none;
}

// Fills `out` (its kind already set) from the argument of a complete control line.
parse_error parse_control(op_kind kind, std::string_view arg, std::int64_t payload_max, op& out,
                          std::size_t& body_size) noexcept {
  body_size = 0;
  switch (kind) {
    case op_kind::connect:
    case op_kind::info: out.json = arg; return parse_error::none;
    case op_kind::err: out.json = unquote(arg); return parse_error::none;
    case op_kind::pub: return parse_pub(arg, false, payload_max, out, body_size);
    case op_kind::hpub: return parse_pub(arg, true, payload_max, out, body_size);
    case op_kind::msg: return parse_msg(arg, false, payload_max, out, body_size);
    case op_kind::hmsg: return parse_msg(arg, true, payload_max, out, body_size);
    case op_kind::sub: return parse_sub(arg, out);
    case op_kind::unsub: return parse_unsub(arg, out);
    case op_kind::ping:
    case op_kind::pong:
    case op_kind::ok: break;
  }
  NATRIUM_ASSERT(false);  // ops without arguments never reach here
  return parse_error::none;
}

const char* find_nl(const char* p, std::size_t n) noexcept {
  return n == 0 ? nullptr : static_cast<const char*>(std::memchr(p, '\n', n));
}

}  // namespace

parser::parser(parser_role role, parser_limits limits) noexcept : role_(role), limits_(limits) {}

std::string_view parser::error_text(parse_error e) noexcept {
  switch (e) {
    case parse_error::none: return {};
    case parse_error::unknown_op: return "Unknown Protocol Operation";
    // nats-server sends ErrMaxControlLine's own text, in lower case.
    case parse_error::control_line_long: return "maximum control line exceeded";
    case parse_error::payload_too_big: return "Maximum Payload Violation";
    case parse_error::bad_args: return {};
    // A payload not followed by CRLF is a parser error there: same -ERR as unknown ops.
    case parse_error::bad_payload_end: return "Unknown Protocol Operation";
  }
  return {};
}

parse_status parser::next(std::string_view& input, op& out) {
  if (error_ != parse_error::none) return parse_status::error;
  // set_limits() has no room for checks; the limits are checked here.
  NATRIUM_ASSERT(limits_.payload_max >= 0);
  NATRIUM_ASSERT(limits_.payload_max <= std::numeric_limits<std::int32_t>::max());
  NATRIUM_ASSERT(limits_.control_line_max <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()));
  if (phase_ == phase::idle) {
    // The views of the previous op may point into carry_: only now is it free.
    if (!carry_.empty()) {
      carry_.clear();
      if (carry_.capacity() > carry_keep_max) std::string().swap(carry_);
    }
    const step s = parse_direct(input, out);
    if (s == step::ready) return parse_status::op_ready;
    if (s == step::failed) return parse_status::error;
  }
  return feed(input, out);
}

parser::step parser::fail(parse_error e) noexcept {
  NATRIUM_ASSERT(e != parse_error::none);
  error_ = e;
  return step::failed;
}

// Checks a complete control line (argument after the CR drop) and fills `out`.
parser::step parser::finish_line(op_kind kind, std::string_view arg, op& out, std::size_t& body_size) {
  if (arg.size() > limits_.control_line_max) return fail(parse_error::control_line_long);
  out = op{};
  out.kind = kind;
  const parse_error e = parse_control(kind, arg, limits_.payload_max, out, body_size);
  if (e != parse_error::none) return fail(e);
  // Never reach the payload with a size above the limit.
  NATRIUM_ASSERT(static_cast<std::int64_t>(body_size) <= limits_.payload_max);
  NATRIUM_ASSERT(out.header_size <= body_size);
  return step::ready;
}

// Fast path: one op wholly inside `in`, views into `in`. Consumes nothing
// unless it returns ready.
parser::step parser::parse_direct(std::string_view& in, op& out) {
  const char* const p = in.data();
  const std::size_t n = in.size();
  const name_hit hit = match_name(role_, p, n);
  if (hit.match == name_match::partial) return step::incomplete;
  if (hit.match == name_match::bad) return fail(parse_error::unknown_op);
  const op_kind kind = hit.kind;
  std::size_t pos = hit.len;
  const arg_style style = style_of(kind);
  if (style == arg_style::none) {
    const char* nl = find_nl(p + pos, n - pos);
    if (nl == nullptr) return step::incomplete;
    out = op{};
    out.kind = kind;
    in.remove_prefix(static_cast<std::size_t>(nl - p) + 1);
    return step::ready;
  }
  if (style == arg_style::required) {
    if (pos == n) return step::incomplete;
    if (!is_blank(p[pos])) return fail(parse_error::unknown_op);
  }
  while (pos < n && is_blank(p[pos])) ++pos;
  if (pos == n) return step::incomplete;
  const std::size_t arg_at = pos;
  const char* nl = find_nl(p + arg_at + 1, n - arg_at - 1);
  if (nl == nullptr) {
    // Even if the next byte is '\n' after a '\r', the line is too long.
    if (n - arg_at > limits_.control_line_max + 1) return fail(parse_error::control_line_long);
    return step::incomplete;
  }
  std::size_t body_size = 0;
  const std::string_view raw(p + arg_at, static_cast<std::size_t>(nl - p) - arg_at);
  if (finish_line(kind, drop_cr(raw), out, body_size) == step::failed) return step::failed;
  const std::size_t body_at = static_cast<std::size_t>(nl - p) + 1;
  if (!has_payload(kind)) {
    in.remove_prefix(body_at);
    return step::ready;
  }
  const std::size_t avail = n - body_at;
  if (avail > body_size && p[body_at + body_size] != '\r') return fail(parse_error::bad_payload_end);
  if (avail > body_size + 1 && p[body_at + body_size + 1] != '\n') return fail(parse_error::bad_payload_end);
  if (avail < body_size + 2) return step::incomplete;
  out.payload = std::string_view(p + body_at, body_size);
  in.remove_prefix(body_at + body_size + 2);
  return step::ready;
}

// Slow path: consumes all of `in` into the carried state, or up to the end of
// the op it completes.
parse_status parser::feed(std::string_view& in, op& out) {
  while (!in.empty()) {
    step s = step::incomplete;
    switch (phase_) {
      case phase::idle:
        NATRIUM_ASSERT(carry_.empty());
        name_len_ = 0;
        phase_ = phase::name;
        break;
      case phase::name: s = feed_name(in); break;
      case phase::blank:
        if (!is_blank(in.front())) {
          s = fail(parse_error::unknown_op);
          break;
        }
        in.remove_prefix(1);
        phase_ = phase::blanks;
        break;
      case phase::blanks:
        while (!in.empty() && is_blank(in.front())) in.remove_prefix(1);
        if (!in.empty()) phase_ = phase::arg;
        break;
      case phase::arg: s = feed_arg(in, out); break;
      case phase::skip_line: {
        const char* nl = find_nl(in.data(), in.size());
        in.remove_prefix(nl == nullptr ? in.size() : static_cast<std::size_t>(nl - in.data()) + 1);
        if (nl == nullptr) break;
        out = op{};
        out.kind = kind_;
        phase_ = phase::idle;
        s = step::ready;
        break;
      }
      case phase::payload: s = feed_payload(in, out); break;
    }
    if (s == step::ready) return parse_status::op_ready;
    if (s == step::failed) return parse_status::error;
  }
  return parse_status::need_more;
}

parser::step parser::feed_name(std::string_view& in) {
  NATRIUM_ASSERT(name_len_ < name_len_max);
  name_[name_len_++] = in.front();
  in.remove_prefix(1);
  const name_hit hit = match_name(role_, name_, name_len_);
  if (hit.match == name_match::bad) return fail(parse_error::unknown_op);
  if (hit.match == name_match::partial) return step::incomplete;
  NATRIUM_ASSERT(hit.len == name_len_);
  kind_ = hit.kind;
  switch (style_of(kind_)) {
    case arg_style::none: phase_ = phase::skip_line; break;
    case arg_style::required: phase_ = phase::blank; break;
    case arg_style::optional: phase_ = phase::blanks; break;
  }
  return step::incomplete;
}

parser::step parser::feed_arg(std::string_view& in, op& out) {
  if (carry_.empty()) {
    // The argument's first byte is taken as is, whatever it is.
    carry_.push_back(in.front());
    in.remove_prefix(1);
  }
  const char* nl = find_nl(in.data(), in.size());
  const std::size_t take = nl == nullptr ? in.size() : static_cast<std::size_t>(nl - in.data());
  // Beyond control_line_max + 1 bytes the line is too long even if a "\r\n" follows.
  if (carry_.size() + take > limits_.control_line_max + 1) return fail(parse_error::control_line_long);
  carry_.append(in.data(), take);
  in.remove_prefix(nl == nullptr ? take : take + 1);
  if (nl == nullptr) return step::incomplete;

  carry_.resize(drop_cr(carry_).size());
  std::size_t body_size = 0;
  if (finish_line(kind_, carry_, out, body_size) == step::failed) return step::failed;
  if (!has_payload(kind_)) {
    phase_ = phase::idle;
    return step::ready;
  }
  line_len_ = carry_.size();
  body_size_ = body_size;
  need_ = body_size + 2;
  // No reserve for the whole body: memory grows with the bytes that arrive,
  // not with the size a peer announces.
  phase_ = phase::payload;
  return step::incomplete;
}

parser::step parser::feed_payload(std::string_view& in, op& out) {
  const std::size_t take = std::min(need_, in.size());
  carry_.append(in.data(), take);
  in.remove_prefix(take);
  need_ -= take;
  NATRIUM_ASSERT(carry_.size() + need_ == line_len_ + body_size_ + 2);
  const std::size_t end_at = line_len_ + body_size_;  // where "\r\n" must be
  if (carry_.size() > end_at && carry_[end_at] != '\r') return fail(parse_error::bad_payload_end);
  if (carry_.size() > end_at + 1 && carry_[end_at + 1] != '\n') return fail(parse_error::bad_payload_end);
  if (need_ > 0) return step::incomplete;
  // Parse the control line again for views into the final buffer. The limits
  // were checked when it was complete (set_limits may have changed them since).
  out = op{};
  out.kind = kind_;
  std::size_t body_size = 0;
  const parse_error e = parse_control(kind_, std::string_view(carry_.data(), line_len_),
                                      std::numeric_limits<std::int64_t>::max(), out, body_size);
  NATRIUM_ASSERT(e == parse_error::none);
  NATRIUM_ASSERT(body_size == body_size_);
  out.payload = std::string_view(carry_.data() + line_len_, body_size_);
  phase_ = phase::idle;
  return step::ready;
}

}  // namespace natrium::proto
