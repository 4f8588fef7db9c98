#include "tests/sim/sim_support.h"

#include <charconv>
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

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() ? v : 0;
}

std::string header_value(std::string_view block, std::string_view name) {
  const std::string needle = "\r\n" + std::string(name) + ": ";
  const std::size_t at = block.find(needle);
  if (at == std::string_view::npos) return "";
  const std::size_t from = at + needle.size();
  return std::string(block.substr(from, block.find("\r\n", from) - from));
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
