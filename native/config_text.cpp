#include "native/config_text.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>

namespace natrium::native::conf {

namespace {

constexpr std::uint64_t two_63 = std::uint64_t{1} << 63;

// Go's strconv.Quote for the plain text these messages carry.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string os_error_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::int64_t unit_ns(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

// One "<number><unit>" of a duration, added to `total`; false: invalid (the
// caller reports it). `missing_unit`/`bad_unit` refine the message.
struct duration_part_error {
  bool missing_unit = false;
  std::string bad_unit;
};

bool duration_part(std::string_view& s, std::uint64_t& total, duration_part_error& why) {
  if (s.empty() || !(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return false;
  std::uint64_t whole = 0;
  std::size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (whole > two_63 / 10) return false;
    whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (whole > two_63) return false;
  }
  const bool pre = i > 0;
  std::uint64_t frac = 0;
  double scale = 1;
  bool post = false;
  if (i < s.size() && s[i] == '.') {
    bool overflow = false;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      post = true;
      if (overflow) continue;
      if (frac > (two_63 - 1) / 10) {
        overflow = true;
        continue;
      }
      frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0');
      scale *= 10;
    }
  }
  if (!pre && !post) return false;
  std::size_t u = i;
  while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) ++u;
  if (u == i) {
    why.missing_unit = true;
    return false;
  }
  const std::string_view unit = s.substr(i, u - i);
  const std::int64_t per = unit_ns(unit);
  if (per == 0) {
    why.bad_unit = std::string(unit);
    return false;
  }
  const auto unit_u = static_cast<std::uint64_t>(per);
  if (whole > two_63 / unit_u) return false;
  whole *= unit_u;
  if (frac > 0) {
    whole += static_cast<std::uint64_t>(static_cast<double>(frac) * (static_cast<double>(unit_u) / scale));
    if (whole > two_63) return false;
  }
  total += whole;
  if (total > two_63) return false;
  s.remove_prefix(u);
  return true;
}

void prepend_uint(std::string& out, std::uint64_t v) {
  if (v == 0) {
    out.insert(out.begin(), '0');
    return;
  }
  while (v > 0) {
    out.insert(out.begin(), static_cast<char>('0' + v % 10));
    v /= 10;
  }
}

// Duration.String's fmtFrac: ".5" for 5 at precision 1, nothing for a zero fraction.
std::uint64_t prepend_fraction(std::string& out, std::uint64_t v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const auto digit = v % 10;
    print = print || digit != 0;
    if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  if (print) out.insert(0, "." + digits);
  return v;
}

}  // namespace

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

base::result<std::int64_t> parse_size_integer(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '-')) ++digits;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, n);
  const std::string shown(text);
  if (ec == std::errc::result_out_of_range) return base::error{"integer '" + shown + "' is out of the range"};
  if (ec != std::errc() || end != text.data() + digits) return base::error{"expected integer, but got '" + shown + "'"};
  std::string suffix = lowercase(text.substr(digits));
  while (!suffix.empty() && suffix.back() == ' ') suffix.pop_back();
  static constexpr std::array<char, 6> letters = {'k', 'm', 'g', 't', 'p', 'e'};
  if (suffix.empty()) return n;
  for (std::size_t i = 0; i < letters.size(); ++i) {
    const std::string l(1, letters[i]);
    const bool decimal = suffix == l;
    const bool binary = suffix == l + "b" || suffix == l + "i" || suffix == l + "ib";
    if (!decimal && !binary) continue;
    for (std::size_t p = 0; p <= i; ++p) {
      const std::int64_t base = binary ? 1024 : 1000;
      if (n > std::numeric_limits<std::int64_t>::max() / base || n < std::numeric_limits<std::int64_t>::min() / base) {
        return base::error{"integer '" + shown + "' is out of the range"};
      }
      n *= base;
    }
    return n;
  }
  return base::error{"expected integer, but got '" + shown + "'"};
}

base::result<std::int64_t> parse_go_duration(std::string_view text) {
  const std::string invalid = "time: invalid duration " + quote(text);
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::int64_t{0};
  if (s.empty()) return base::error{invalid};
  std::uint64_t total = 0;
  while (!s.empty()) {
    duration_part_error why;
    if (duration_part(s, total, why)) continue;
    if (why.missing_unit) return base::error{"time: missing unit in duration " + quote(text)};
    if (!why.bad_unit.empty()) return base::error{"time: unknown unit " + quote(why.bad_unit) + " in duration " + quote(text)};
    return base::error{invalid};
  }
  if (negative) return -static_cast<std::int64_t>(total - 1) - 1;  // total may be 2^63
  if (total > two_63 - 1) return base::error{invalid};
  return static_cast<std::int64_t>(total);
}

std::string format_go_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  const bool negative = ns < 0;
  std::uint64_t u = negative ? ~static_cast<std::uint64_t>(ns) + 1 : static_cast<std::uint64_t>(ns);
  std::string out;
  if (u < 1'000'000'000) {
    int prec = 0;
    if (u < 1'000) {
      out = "ns";
    } else if (u < 1'000'000) {
      prec = 3;
      out = "\xC2\xB5s";
    } else {
      prec = 6;
      out = "ms";
    }
    u = prepend_fraction(out, u, prec);
    prepend_uint(out, u);
  } else {
    out = "s";
    u = prepend_fraction(out, u, 9);
    prepend_uint(out, u % 60);
    u /= 60;
    if (u > 0) {
      out.insert(out.begin(), 'm');
      prepend_uint(out, u % 60);
      u /= 60;
      if (u > 0) {
        out.insert(out.begin(), 'h');
        prepend_uint(out, u);
      }
    }
  }
  if (negative) out.insert(out.begin(), '-');
  return out;
}

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::string out = rooted ? "/" : "";
  std::size_t dotdot = out.size();  // where ".." can no longer remove an element
  std::size_t r = rooted ? 1 : 0;
  const std::size_t n = path.size();
  while (r < n) {
    if (path[r] == '/') {
      ++r;
    } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
      ++r;
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
      r += 2;
      if (out.size() > dotdot) {
        std::size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out += '/';
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out += '/';
      for (; r < n && path[r] != '/'; ++r) out += path[r];
    }
  }
  return out.empty() ? "." : out;
}

std::string parent_dir(std::string_view path) {
  const auto slash = path.rfind('/');
  return clean_path(slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1));
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return name.empty() ? std::string() : clean_path(name);
  if (name.empty()) return clean_path(dir);
  return clean_path(std::string(dir) + "/" + std::string(name));
}

base::result<std::string> read_text_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return base::error{"open " + path + ": " + os_error_text(errno)};
  std::string text;
  std::array<char, 8192> buf{};
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    text.append(buf.data(), n);
    if (n < buf.size()) break;
  }
  const int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err != 0) return base::error{"read " + path + ": " + os_error_text(err)};
  return text;
}

}  // namespace natrium::native::conf
