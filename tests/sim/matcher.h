#pragma once
// The oracle's own subject matcher, independent of core/subject: '*' matches
// one token, '>' (last token only) one or more.
#include <string_view>
#include <vector>

namespace natrium::sim {

inline std::vector<std::string_view> split_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

inline bool subject_matches(std::string_view filter, std::string_view literal) {
  const auto f = split_tokens(filter);
  const auto l = split_tokens(literal);
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == ">") return i + 1 == f.size() && l.size() > i;
    if (i >= l.size()) return false;
    if (f[i] != "*" && f[i] != l[i]) return false;
  }
  return f.size() == l.size();
}

}  // namespace natrium::sim
