// go_time parsing and formatting (declared in go_json.h): RFC 3339 as Go's
// time package reads it for time.Time JSON and prints it with RFC3339Nano.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/assert.h"
#include "core/jetstream/go_json.h"
#include "core/base/go_text.h"

namespace natrium::jetstream {
namespace {


bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

unsigned days_in_month(int year, int month) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

void put2(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

bool go_parse_time(std::string_view s, go_time& out) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || s[10] != 'T' || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  std::size_t pos = 19;
  std::int32_t nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return false;
    for (std::size_t k = n; k < 9; ++k) nanos *= 10;
  }
  std::int32_t offset = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else {
    int oh = 0, om = 0;
    if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || !digits(s, pos + 1, 2, oh) ||
        s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  }
  if (pos != s.size()) return false;
  const std::int64_t days = base::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  out.unix_s = days * 86400 + hour * 3600 + minute * 60 + second - offset;
  out.nanos = nanos;
  out.offset_s = offset;
  NATRIUM_ASSERT(out.nanos >= 0 && out.nanos < 1'000'000'000);
  return true;
}

std::string go_format_time(const go_time& t) {
  NATRIUM_ASSERT(t.nanos >= 0 && t.nanos < 1'000'000'000);
  const std::int64_t local = t.unix_s + t.offset_s;
  std::int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  const auto secs = static_cast<unsigned>(local - days * 86400);
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  base::civil_from_days(days, y, m, d);
  std::string out;
  const auto yy = static_cast<unsigned>(y < 0 ? 0 : y);
  put2(out, yy / 100);
  put2(out, yy % 100);
  out += '-';
  put2(out, m);
  out += '-';
  put2(out, d);
  out += 'T';
  put2(out, secs / 3600);
  out += ':';
  put2(out, secs / 60 % 60);
  out += ':';
  put2(out, secs % 60);
  if (t.nanos != 0) {
    std::string frac = std::to_string(t.nanos);
    frac.insert(0, 9 - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    out += '.';
    out += frac;
  }
  if (t.offset_s == 0) {
    out += 'Z';
  } else {
    const int abs_off = t.offset_s < 0 ? -t.offset_s : t.offset_s;
    out += t.offset_s < 0 ? '-' : '+';
    put2(out, static_cast<unsigned>(abs_off / 3600));
    out += ':';
    put2(out, static_cast<unsigned>(abs_off / 60 % 60));
  }
  return out;
}

}  // namespace natrium::jetstream
