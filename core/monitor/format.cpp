#include "core/monitor/format.h"

#include "core/base/go_text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace natrium::monitor {

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
        base::go_json_quote(out, key);
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
    case json::value_t::string: return base::go_json_quote(out, j.get_ref<const std::string&>());
    case json::value_t::boolean: out += j.get<bool>() ? "true" : "false"; return;
    case json::value_t::number_integer: out += std::to_string(j.get<std::int64_t>()); return;
    case json::value_t::number_unsigned: out += std::to_string(j.get<std::uint64_t>()); return;
    case json::value_t::number_float: out += go_float_text(j.get<double>()); return;
    default: out += "null"; return;
  }
}

std::string num_error(const char* fn, std::string_view s, bool range) {
  return std::string("strconv.") + fn + ": parsing " + base::go_quote(s) + (range ? ": value out of range" : ": invalid syntax");
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
  base::civil_from_days(days, y, mon, day);
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

std::string go_duration(std::int64_t ns) { return base::go_duration_string(ns); }

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
