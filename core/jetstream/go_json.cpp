#include "core/jetstream/go_json.h"

#include <charconv>
#include <limits>

#include "core/base/assert.h"

namespace natrium::jetstream {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_u(std::string& out, unsigned cp) {
  out += "\\u";
  out += hex_digits[(cp >> 12) & 0xf];
  out += hex_digits[(cp >> 8) & 0xf];
  out += hex_digits[(cp >> 4) & 0xf];
  out += hex_digits[cp & 0xf];
}

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
std::size_t utf8_len(std::string_view s, std::size_t i, unsigned& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  unsigned min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) { n = 2; cp = b0 & 0x1f; min = 0x80; }
  else if (b0 >= 0xe0 && b0 <= 0xef) { n = 3; cp = b0 & 0x0f; min = 0x800; }
  else if (b0 >= 0xf0 && b0 <= 0xf4) { n = 4; cp = b0 & 0x07; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff) return 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  return n;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

void go_json_quote(std::string& out, std::string_view s) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<': case '>': case '&': append_u(out, c); break;
        default:
          if (c < 0x20) append_u(out, c); else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    unsigned cp = 0;
    const std::size_t n = utf8_len(s, i, cp);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else if (cp == 0x2028 || cp == 0x2029) {
      append_u(out, cp);
      i += n;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += '"';
}

std::string go_json_quoted(std::string_view s) {
  std::string out;
  go_json_quote(out, s);
  return out;
}

const nlohmann::ordered_json* go_json_field_with_null(const nlohmann::ordered_json& obj, std::string_view key) {
  NATRIUM_ASSERT(obj.is_object());
  // Go's decoder assigns each member in document order, so the last key that
  // matches (exactly or case-insensitively) wins.
  const nlohmann::ordered_json* found = nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (ascii_iequal(it.key(), key)) found = &it.value();
  }
  return found;
}

const nlohmann::ordered_json* go_json_field(const nlohmann::ordered_json& obj, std::string_view key) {
  const nlohmann::ordered_json* found = go_json_field_with_null(obj, key);
  if (found != nullptr && found->is_null()) return nullptr;
  return found;
}

bool go_read_string(const nlohmann::ordered_json& obj, std::string_view key, std::string& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (!v->is_string()) return false;
  out = v->get<std::string>();
  return true;
}

bool go_read_bool(const nlohmann::ordered_json& obj, std::string_view key, bool& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (!v->is_boolean()) return false;
  out = v->get<bool>();
  return true;
}

bool go_int_value(const nlohmann::ordered_json& v, std::int64_t& out, std::int64_t min, std::int64_t max) {
  NATRIUM_ASSERT(min <= max);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    const auto i = static_cast<std::int64_t>(u);
    if (i < min || i > max) return false;
    out = i;
    return true;
  }
  if (!v.is_number_integer()) return false;
  const auto i = v.get<std::int64_t>();
  if (i < min || i > max) return false;
  out = i;
  return true;
}

bool go_read_int(const nlohmann::ordered_json& obj, std::string_view key, std::int64_t& out,
                 std::int64_t min, std::int64_t max) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  return go_int_value(*v, out, min, max);
}

bool go_read_uint(const nlohmann::ordered_json& obj, std::string_view key, std::uint64_t& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (v->is_number_unsigned()) { out = v->get<std::uint64_t>(); return true; }
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v->get<std::int64_t>());
    return true;
  }
  return false;
}

bool go_read_strings(const nlohmann::ordered_json& obj, std::string_view key,
                     std::vector<std::string>& out) {
  const nlohmann::ordered_json* v = go_json_field_with_null(obj, key);
  if (v == nullptr) return true;
  if (v->is_null()) { out.clear(); return true; }
  if (!v->is_array()) return false;
  std::vector<std::string> result;
  for (const auto& e : *v) {
    if (e.is_null()) { result.emplace_back(); continue; }
    if (!e.is_string()) return false;
    result.push_back(e.get<std::string>());
  }
  out = std::move(result);
  return true;
}

bool go_read_ints(const nlohmann::ordered_json& obj, std::string_view key, std::vector<std::int64_t>& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (!v->is_array()) return false;
  std::vector<std::int64_t> result;
  for (const auto& e : *v) {
    std::int64_t i = 0;
    if (!e.is_null() && !go_int_value(e, i, std::numeric_limits<std::int64_t>::min(),
                                      std::numeric_limits<std::int64_t>::max())) {
      return false;
    }
    result.push_back(i);
  }
  out = std::move(result);
  return true;
}

void go_json_key(std::string& out, bool& first, std::string_view key) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out.append(key);
  out += "\":";
}

void go_json_int(std::string& out, bool& first, std::string_view key, std::int64_t v) {
  go_json_key(out, first, key);
  out += std::to_string(v);
}

void go_json_uint(std::string& out, bool& first, std::string_view key, std::uint64_t v) {
  go_json_key(out, first, key);
  out += std::to_string(v);
}

void go_json_bool(std::string& out, bool& first, std::string_view key, bool v) {
  go_json_key(out, first, key);
  out += v ? "true" : "false";
}

void go_json_str(std::string& out, bool& first, std::string_view key, std::string_view v) {
  go_json_key(out, first, key);
  go_json_quote(out, v);
}

void go_json_strs(std::string& out, bool& first, std::string_view key,
                  const std::vector<std::string>& v) {
  go_json_key(out, first, key);
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) out += ',';
    go_json_quote(out, v[i]);
  }
  out += ']';
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += hex_digits[c >> 4];
          out += hex_digits[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

namespace {

// "<whole>[.<frac>]" of v / 10^digits with trailing zeros dropped.
std::string fixed_frac(std::uint64_t v, int digits) {
  std::uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out = std::to_string(v / scale);
  std::string frac = std::to_string(v % scale);
  frac.insert(0, static_cast<std::size_t>(digits) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) out += "." + frac;
  return out;
}

}  // namespace

std::string go_duration_string(std::int64_t ns) {
  if (ns == 0) return "0s";
  const bool neg = ns < 0;
  const std::uint64_t u = neg ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
  std::string out = neg ? "-" : "";
  if (u < 1'000'000'000ULL) {
    if (u < 1'000ULL) return out + std::to_string(u) + "ns";
    if (u < 1'000'000ULL) return out + fixed_frac(u, 3) + "\u00b5s";
    return out + fixed_frac(u, 6) + "ms";
  }
  const std::uint64_t total_s = u / 1'000'000'000ULL;
  const std::uint64_t h = total_s / 3600;
  const std::uint64_t m = total_s / 60 % 60;
  const std::uint64_t sec_ns = u % 60'000'000'000ULL;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += fixed_frac(sec_ns, 9) + "s";
  return out;
}

}  // namespace natrium::jetstream
