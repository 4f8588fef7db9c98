#include "core/monitor/format.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace natrium::monitor {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

// encoding/json's string encoder with HTML escaping (json.Marshal's default).
void append_go_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        out += "\\u00";
        out += hex_digits[c >> 4];
        out += hex_digits[c & 0xF];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    const std::string_view seq = s.substr(i, n);
    if (seq == "\xE2\x80\xA8") out += "\\u2028";
    else if (seq == "\xE2\x80\xA9") out += "\\u2029";
    else out += seq;
    i += n;
  }
  out += '"';
}

}  // namespace

// Built from nlohmann's shortest round-trip digits.
std::string go_float_text(double v) {
  if (v == 0) return "0";
  std::string s = nlohmann::json(v).dump();
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  int exp10 = 0;
  if (auto e = s.find_first_of("eE"); e != std::string::npos) {
    exp10 = std::atoi(s.c_str() + e + 1);
    s.resize(e);
  }
  // s is now "ddd.ddd" or "ddd": digits D with the point after `point` digits.
  std::string digits;
  int point = static_cast<int>(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') point = static_cast<int>(i);
    else digits += s[i];
  }
  point += exp10;  // value = 0.D * 10^point after stripping leading zeros
  while (!digits.empty() && digits.front() == '0') {
    digits.erase(0, 1);
    --point;
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return "0";
  const double a = std::fabs(v);
  if (a >= 1e-6 && a < 1e21) {
    if (point <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    if (point >= static_cast<int>(digits.size())) {
      return sign + digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
    }
    return sign + digits.substr(0, static_cast<std::size_t>(point)) + "." +
           digits.substr(static_cast<std::size_t>(point));
  }
  const int e = point - 1;
  std::string out = sign + digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += e < 0 ? "e-" : "e+";
  const int ae = e < 0 ? -e : e;
  // Go prints at least two exponent digits; encoding/json trims "e-07" to "e-7".
  if (ae < 10 && e >= 0) out += '0';
  out += std::to_string(ae);
  return out;
}

namespace {

void write_json(std::string& out, const json& j, bool indent, int depth) {
  auto newline = [&](int d) {
    if (!indent) return;
    out += '\n';
    out.append(static_cast<std::size_t>(d) * 2, ' ');
  };
  switch (j.type()) {
    case json::value_t::object: {
      if (j.empty()) return void(out += "{}");
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.items()) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        append_go_string(out, key);
        out += indent ? ": " : ":";
        write_json(out, value, indent, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
    }
    case json::value_t::array: {
      if (j.empty()) return void(out += "[]");
      out += '[';
      for (std::size_t i = 0; i < j.size(); ++i) {
        if (i != 0) out += ',';
        newline(depth + 1);
        write_json(out, j[i], indent, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    }
    case json::value_t::string: return append_go_string(out, j.get_ref<const std::string&>());
    case json::value_t::boolean: out += j.get<bool>() ? "true" : "false"; return;
    case json::value_t::number_integer: out += std::to_string(j.get<std::int64_t>()); return;
    case json::value_t::number_unsigned: out += std::to_string(j.get<std::uint64_t>()); return;
    case json::value_t::number_float: out += go_float_text(j.get<double>()); return;
    default: out += "null"; return;
  }
}

// strconv.Quote, for the texts of strconv errors.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : utf8_length(s, i);
    if (n > 1) {
      out += s.substr(i, n);
      i += n;
      continue;
    }
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
        if (c < 0x20 || c >= 0x7F) {
          out += "\\x";
          out += hex_digits[c >> 4];
          out += hex_digits[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

std::string num_error(const char* fn, std::string_view s, bool range) {
  return std::string("strconv.") + fn + ": parsing " + go_quote(s) + (range ? ": value out of range" : ": invalid syntax");
}

enum class parse_status { ok, syntax, range };

// strconv.ParseUint(s, 10, 64): digits only.
parse_status parse_digits(std::string_view s, std::uint64_t& n) {
  n = 0;
  if (s.empty()) return parse_status::syntax;
  constexpr std::uint64_t max = ~std::uint64_t{0};
  for (char ch : s) {
    if (ch < '0' || ch > '9') return parse_status::syntax;
    const std::uint64_t d = static_cast<std::uint64_t>(ch - '0');
    if (n > max / 10) return parse_status::range;
    n *= 10;
    if (n > max - d) return parse_status::range;
    n += d;
  }
  return parse_status::ok;
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

void append_padded(std::string& out, std::int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) out.append(static_cast<std::size_t>(width) - s.size(), '0');
  out += s;
}

// Digits of v / 10^prec after the point, trailing zeros trimmed; v becomes the quotient.
std::string fraction(std::uint64_t& v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const char d = static_cast<char>('0' + v % 10);
    print = print || d != '0';
    if (print) digits += d;
    v /= 10;
  }
  if (!print) return {};
  std::reverse(digits.begin(), digits.end());
  return "." + digits;
}

}  // namespace

std::string go_json(const json& j, bool indent) {
  std::string out;
  write_json(out, j, indent, 0);
  return out;
}

std::string rfc3339(base::wall_time t) {
  constexpr std::int64_t ns_per_s = 1'000'000'000;
  std::int64_t secs = t.ns / ns_per_s;
  std::int64_t nanos = t.ns % ns_per_s;
  if (nanos < 0) {
    nanos += ns_per_s;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::int64_t y = 0;
  unsigned mon = 0, day = 0;
  civil_from_days(days, y, mon, day);
  std::string out;
  append_padded(out, y, 4);
  out += '-';
  append_padded(out, mon, 2);
  out += '-';
  append_padded(out, day, 2);
  out += 'T';
  append_padded(out, rem / 3600, 2);
  out += ':';
  append_padded(out, rem % 3600 / 60, 2);
  out += ':';
  append_padded(out, rem % 60, 2);
  std::uint64_t frac = static_cast<std::uint64_t>(nanos);
  out += fraction(frac, 9);
  out += 'Z';
  return out;
}

std::string go_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  const bool neg = ns < 0;
  std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string out;
  if (u < 1'000'000'000) {
    int prec = 0;
    const char* unit = "ns";
    if (u >= 1'000'000) prec = 6, unit = "ms";
    else if (u >= 1'000) prec = 3, unit = "\xC2\xB5s";  // U+00B5 micro sign
    const std::string frac = fraction(u, prec);
    out = std::to_string(u) + frac + unit;
  } else {
    const std::string frac = fraction(u, 9);
    out = std::to_string(u % 60) + frac + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

std::string go_rtt(std::int64_t ns) {
  if (ns > 1'000 && ns < 1'000'000) ns -= ns % 1'000;
  return go_duration(ns);
}

std::string uptime(std::int64_t ns) {
  const std::int64_t secs = ns / 1'000'000'000;
  const std::int64_t mins = secs / 60, hrs = mins / 60, days = hrs / 24, yrs = days / 365;
  const auto s = [](std::int64_t v) { return std::to_string(v); };
  if (yrs > 0) return s(yrs) + "y" + s(days % 365) + "d" + s(hrs % 24) + "h" + s(mins % 60) + "m" + s(secs % 60) + "s";
  if (days > 0) return s(days) + "d" + s(hrs % 24) + "h" + s(mins % 60) + "m" + s(secs % 60) + "s";
  if (hrs > 0) return s(hrs) + "h" + s(mins % 60) + "m" + s(secs % 60) + "s";
  if (mins > 0) return s(mins) + "m" + s(secs % 60) + "s";
  return s(secs) + "s";
}

json go_float(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    return static_cast<std::int64_t>(v);
  }
  return v;
}

std::optional<bool> parse_go_bool(std::string_view s, std::string& error) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  error = num_error("ParseBool", s, false);
  return std::nullopt;
}

std::optional<std::int64_t> parse_go_int(std::string_view s, std::string& error) {
  std::string_view digits = s;
  bool neg = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    neg = digits[0] == '-';
    digits.remove_prefix(1);
  }
  std::uint64_t n = 0;
  parse_status st = parse_digits(digits, n);
  constexpr std::uint64_t cutoff = std::uint64_t{1} << 63;
  if (st == parse_status::ok && (neg ? n > cutoff : n >= cutoff)) st = parse_status::range;
  if (st != parse_status::ok) {
    error = num_error("Atoi", s, st == parse_status::range);
    return std::nullopt;
  }
  if (neg) return n == cutoff ? INT64_MIN : -static_cast<std::int64_t>(n);
  return static_cast<std::int64_t>(n);
}

std::optional<std::uint64_t> parse_go_uint(std::string_view s, std::string& error) {
  std::uint64_t n = 0;
  const parse_status st = parse_digits(s, n);
  if (st != parse_status::ok) {
    error = num_error("ParseUint", s, st == parse_status::range);
    return std::nullopt;
  }
  return n;
}

}  // namespace natrium::monitor
