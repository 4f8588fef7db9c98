#include "tests/sim/sim_support.h"

#include <cstdio>

namespace natrium::sim {

void trace_log::mix(std::string_view s) noexcept {
  for (unsigned char ch : s) {
    hash_ ^= ch;
    hash_ *= 1099511628211ULL;
  }
  hash_ ^= 0xff;  // separator: "ab"+"c" and "a"+"bc" hash differently
  hash_ *= 1099511628211ULL;
}

void trace_log::line(const std::string& s) {
  mix(s);
  if (print_) std::printf("%s\n", s.c_str());
}

std::string escape(std::string_view s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const char ch = s[i];
    if (ch == '\r') out += "\\r";
    else if (ch == '\n') out += "\\n";
    else if (static_cast<unsigned char>(ch) < 0x20) out += '?';
    else out += ch;
  }
  if (s.size() > max) out += "...(" + std::to_string(s.size()) + "B)";
  return out;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace natrium::sim
