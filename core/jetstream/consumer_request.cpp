// Parsing for consumers: pull request bodies (nextReqFromMsg, with the texts
// of Go's encoding/json errors), Go's time.ParseDuration (NAK delays) and
// ack subjects (ackReplyInfo).
#include <charconv>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>

#include "core/base/assert.h"
#include "core/jetstream/consumer_impl.h"
#include "core/jetstream/go_json.h"

namespace natrium::jetstream::detail {
namespace {

// bytes.TrimSpace for ASCII white space.
std::string_view trim_space(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// encoding/json quoteChar.
std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string utf8;  // string(c) in Go: the rune U+00XX
  if (c < 0x80) {
    utf8 += static_cast<char>(c);
  } else {
    utf8 += static_cast<char>(0xC0 | (c >> 6));
    utf8 += static_cast<char>(0x80 | (c & 0x3F));
  }
  const std::string q = go_quote(utf8);
  NATRIUM_ASSERT(q.size() >= 2);
  return "'" + q.substr(1, q.size() - 2) + "'";
}

// A recursive-descent version of encoding/json's scanner: same first
// offending byte, same messages.
class syntax_checker {
 public:
  explicit syntax_checker(std::string_view s) : s_(s) {}

  std::string run() {
    skip_space();
    if (!value(0)) return err_;
    skip_space();
    if (pos_ < s_.size()) return invalid("after top-level value");
    return {};
  }

 private:
  static constexpr int max_depth = 10000;

  bool eof() {
    err_ = "unexpected end of JSON input";
    return false;
  }
  std::string invalid(std::string_view context) {
    return "invalid character " + quote_char(static_cast<unsigned char>(s_[pos_])) + " " + std::string(context);
  }
  bool fail(std::string_view context) {
    err_ = invalid(context);
    return false;
  }
  void skip_space() {
    while (pos_ < s_.size() && json_space(s_[pos_])) ++pos_;
  }

  bool value(int depth) {
    if (pos_ >= s_.size()) return eof();
    const char c = s_[pos_];
    if (c == '{') return object(depth + 1);
    if (c == '[') return array(depth + 1);
    if (c == '"') return string();
    if (c == '-' || is_digit(c)) return number();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return fail("looking for beginning of value");
  }

  bool object(int depth) {
    if (depth > max_depth) {
      err_ = "exceeded max depth";
      return false;
    }
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
    for (;;) {
      if (pos_ >= s_.size()) return eof();
      if (s_[pos_] != '"') return fail("looking for beginning of object key string");
      if (!string()) return false;
      skip_space();
      if (pos_ >= s_.size()) return eof();
      if (s_[pos_] != ':') return fail("after object key");
      ++pos_;
      skip_space();
      if (!value(depth)) return false;
      skip_space();
      if (pos_ >= s_.size()) return eof();
      if (s_[pos_] == '}') return ++pos_, true;
      if (s_[pos_] != ',') return fail("after object key:value pair");
      ++pos_;
      skip_space();
    }
  }

  bool array(int depth) {
    if (depth > max_depth) {
      err_ = "exceeded max depth";
      return false;
    }
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
    for (;;) {
      if (!value(depth)) return false;
      skip_space();
      if (pos_ >= s_.size()) return eof();
      if (s_[pos_] == ']') return ++pos_, true;
      if (s_[pos_] != ',') return fail("after array element");
      ++pos_;
      skip_space();
    }
  }

  bool string() {
    NATRIUM_ASSERT(s_[pos_] == '"');
    for (++pos_; pos_ < s_.size(); ++pos_) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return fail("in string literal");
      if (c != '\\') continue;
      if (++pos_ >= s_.size()) return eof();
      const char e = s_[pos_];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i) {
          if (++pos_ >= s_.size()) return eof();
          if (!is_hex(s_[pos_])) return fail("in \\u hexadecimal character escape");
        }
      } else if (std::string_view("bfnrt\\/\"").find(e) == std::string_view::npos) {
        return fail("in string escape code");
      }
    }
    return eof();
  }

  bool digits() {
    while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    return true;
  }

  bool number() {
    if (s_[pos_] == '-') {
      if (++pos_ >= s_.size()) return eof();
      if (!is_digit(s_[pos_])) return fail("in numeric literal");
    }
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      digits();
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      if (++pos_ >= s_.size()) return eof();
      if (!is_digit(s_[pos_])) return fail("after decimal point in numeric literal");
      digits();
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      if (++pos_ >= s_.size()) return eof();
      if (s_[pos_] == '+' || s_[pos_] == '-') {
        if (++pos_ >= s_.size()) return eof();
      }
      if (!is_digit(s_[pos_])) return fail("in exponent of numeric literal");
      digits();
    }
    return true;
  }

  bool literal(std::string_view word) {
    for (std::size_t i = 1; i < word.size(); ++i) {
      if (++pos_ >= s_.size()) return eof();
      if (s_[pos_] != word[i]) {
        return fail("in literal " + std::string(word) + " (expecting " +
                    quote_char(static_cast<unsigned char>(word[i])) + ")");
      }
    }
    ++pos_;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string err_;
};

// Skips one syntactically valid JSON value starting at s[pos].
std::size_t skip_value(std::string_view s, std::size_t pos) {
  NATRIUM_ASSERT(pos < s.size());
  int depth = 0;
  bool in_string = false;
  std::size_t i = pos;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // end of the enclosing container
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || json_space(c))) {
      return i;
    }
  }
  return i;
}

// A JSON string's contents, escapes decoded (ASCII escapes only matter here:
// the keys we look for are ASCII).
std::string unquote_key(std::string_view raw) {
  NATRIUM_ASSERT(raw.size() >= 2);
  std::string out;
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 2 < raw.size()) {
      const char e = raw[++i];
      if (e == 'u' && i + 4 < raw.size()) {
        unsigned v = 0;
        std::from_chars(raw.data() + i + 1, raw.data() + i + 5, v, 16);
        i += 4;
        c = v < 0x80 ? static_cast<char>(v) : '?';
      } else {
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
      }
    }
    out += c;
  }
  return out;
}

bool ascii_equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// JSApiConsumerGetNextRequest's fields.
struct field {
  std::string_view json;
  std::string_view go_type;  // "int", "bool", "time.Duration"
};
constexpr field fields[] = {{"expires", "time.Duration"},
                            {"batch", "int"},
                            {"max_bytes", "int"},
                            {"no_wait", "bool"},
                            {"idle_heartbeat", "time.Duration"}};

std::string type_error(std::string_view value, const field& f) {
  return "json: cannot unmarshal " + std::string(value) + " into Go struct field JSApiConsumerGetNextRequest." +
         std::string(f.json) + " of type " + std::string(f.go_type);
}

// Decodes one member's raw value into `req` (field index `fi`); returns the
// Go type error text or empty.
std::string decode_member(std::string_view raw, std::size_t fi, next_request& req) {
  const field& f = fields[fi];
  const char c = raw.front();
  if (c == 'n') return {};  // null: unchanged
  if (f.go_type == "bool") {
    if (c == 't' || c == 'f') {
      req.no_wait = c == 't';
      return {};
    }
    return type_error(c == '"' ? "string" : c == '{' ? "object" : c == '[' ? "array" : "number", f);
  }
  if (c == '"') return type_error("string", f);
  if (c == 't' || c == 'f') return type_error("bool", f);
  if (c == '{') return type_error("object", f);
  if (c == '[') return type_error("array", f);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc() || end != raw.data() + raw.size()) return type_error("number " + std::string(raw), f);
  switch (fi) {
    case 0: req.expires_ns = v; break;
    case 1: req.batch = v; break;
    case 2: req.max_bytes = v; break;
    default: req.heartbeat_ns = v; break;
  }
  return {};
}

// json.Unmarshal of a syntactically valid object into the request.
std::string decode_object(std::string_view s, next_request& req) {
  NATRIUM_ASSERT(!s.empty() && s.front() == '{');
  std::string first_error;
  std::size_t pos = 1;
  for (;;) {
    while (pos < s.size() && (json_space(s[pos]) || s[pos] == ',')) ++pos;
    if (pos >= s.size() || s[pos] == '}') break;
    const std::size_t key_end = skip_value(s, pos);
    const std::string key = unquote_key(s.substr(pos, key_end - pos));
    pos = key_end;
    while (pos < s.size() && (json_space(s[pos]) || s[pos] == ':')) ++pos;
    const std::size_t value_end = skip_value(s, pos);
    const std::string_view raw = s.substr(pos, value_end - pos);
    pos = value_end;
    std::size_t fi = std::size(fields);
    for (std::size_t i = 0; i < std::size(fields) && fi == std::size(fields); ++i) {
      if (key == fields[i].json) fi = i;
    }
    for (std::size_t i = 0; i < std::size(fields) && fi == std::size(fields); ++i) {
      if (ascii_equal_fold(key, fields[i].json)) fi = i;
    }
    if (fi == std::size(fields)) continue;  // unknown key
    std::string e = decode_member(raw, fi, req);
    if (first_error.empty()) first_error = std::move(e);
  }
  return first_error;
}

}  // namespace

std::string go_json_syntax_error(std::string_view json) { return syntax_checker(json).run(); }

next_request parse_next_request(std::string_view payload) {
  next_request req;
  const std::string_view s = trim_space(payload);
  if (s.empty()) return req;
  if (s.front() != '{') {
    std::int64_t n = 0;
    std::string_view digits = s;
    if (digits.size() > 1 && digits.front() == '+') digits.remove_prefix(1);  // strconv.Atoi takes a sign
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && digits.front() != '+') req.batch = n;
    return req;
  }
  if (std::string e = go_json_syntax_error(s); !e.empty()) {
    req.batch = -1;
    req.error = std::move(e);
    return req;
  }
  if (std::string e = decode_object(s, req); !e.empty()) {
    req = next_request{};
    req.batch = -1;
    req.error = std::move(e);
    return req;
  }
  if (req.heartbeat_ns > 0) {
    const bool too_large = req.heartbeat_ns > std::numeric_limits<std::int64_t>::max() / 2 ||
                           req.heartbeat_ns * 2 > req.expires_ns;
    if (too_large) {
      req = next_request{};
      req.error = "heartbeat value too large";
    }
  }
  NATRIUM_ASSERT(req.error.empty() || req.batch <= 1);
  return req;
}

// time.ParseDuration.
bool go_parse_duration(std::string_view s, std::int64_t& out_ns) {
  if (s.empty()) return false;
  bool neg = false;
  if (s.front() == '-' || s.front() == '+') {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    out_ns = 0;
    return true;
  }
  if (s.empty()) return false;
  struct unit {
    std::string_view name;
    std::uint64_t ns;
  };
  static constexpr unit units[] = {{"ns", 1},           {"us", 1000},          {"\xC2\xB5s", 1000},
                                   {"\xCE\xBCs", 1000}, {"ms", 1'000'000},     {"s", 1'000'000'000},
                                   {"m", 60'000'000'000}, {"h", 3'600'000'000'000}};
  constexpr std::uint64_t limit = std::uint64_t{1} << 63;
  std::uint64_t total = 0;
  while (!s.empty()) {
    std::uint64_t whole = 0;
    std::size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (whole > (limit - 1) / 10) return false;
      whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    const bool had_whole = i > 0;
    s.remove_prefix(i);
    std::uint64_t frac = 0, scale = 1;
    bool had_frac = false;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      for (i = 0; i < s.size() && is_digit(s[i]); ++i) {
        had_frac = true;
        if (scale < 1'000'000'000'000'000'000ull) {
          frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0');
          scale *= 10;
        }
      }
      s.remove_prefix(i);
    }
    if (!had_whole && !had_frac) return false;
    std::size_t ulen = 0;
    while (ulen < s.size() && s[ulen] != '.' && !is_digit(s[ulen])) ++ulen;
    const std::string_view uname = s.substr(0, ulen);
    s.remove_prefix(ulen);
    const unit* u = nullptr;
    for (const unit& x : units) {
      if (x.name == uname) u = &x;
    }
    if (u == nullptr) return false;
    if (whole > (limit - 1) / u->ns) return false;
    std::uint64_t v = whole * u->ns;
    // As Go: float64(frac) * (float64(unit) / scale).
    v += static_cast<std::uint64_t>(static_cast<double>(frac) *
                                    (static_cast<double>(u->ns) / static_cast<double>(scale)));
    total += v;
    if (total > limit - (neg ? 0 : 1)) return false;
  }
  out_ns = neg ? static_cast<std::int64_t>(0 - total) : static_cast<std::int64_t>(total);
  return true;
}

// ackReplyInfo: $JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<dseq>.<ts>.<pending>.
ack_info parse_ack_subject(std::string_view subject) {
  std::string_view tokens[9];
  std::size_t count = 0, start = 0;
  for (std::size_t i = 0; i <= subject.size(); ++i) {
    if (i == subject.size() || subject[i] == '.') {
      if (count == 9) return {};
      tokens[count++] = subject.substr(start, i - start);
      start = i + 1;
    }
  }
  if (count != 9 || tokens[0] != "$JS" || tokens[1] != "ACK") return {};
  // parseAckReplyNum: -1 (all bits set) when not a plain decimal number.
  auto num = [](std::string_view d) -> std::uint64_t {
    if (d.empty()) return ~std::uint64_t{0};
    std::uint64_t n = 0;
    for (char c : d) {
      if (!is_digit(c)) return ~std::uint64_t{0};
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
  };
  ack_info a;
  a.dc = num(tokens[4]);
  a.sseq = num(tokens[5]);
  a.dseq = num(tokens[6]);
  return a;
}

}  // namespace natrium::jetstream::detail
