// Subject rules, following the facts of nats-server 2.9.10 sublist.go:
//  - a subject is one or more tokens separated by '.'; no token may be empty;
//  - '*' and '>' are wildcards only as whole tokens ("foo*" and ">bar" are
//    literal tokens); '>' must be the last token;
//  - whitespace (space, \t, \n, \r, \f) is not allowed anywhere.
#include "core/subject/subject.h"

#include <utility>

namespace natrium::subject {
namespace {

constexpr char separator = '.';

constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

constexpr bool has_space(std::string_view s) noexcept {
  for (const char c : s) {
    if (is_space(c)) return true;
  }
  return false;
}

// True if no token of `s` is empty (and `s` itself is not empty).
constexpr bool tokens_non_empty(std::string_view s) noexcept {
  if (s.empty()) return false;
  if (s.front() == separator || s.back() == separator) return false;
  return s.find("..") == std::string_view::npos;
}

// Walks the tokens of a string; an empty string yields one empty token.
struct token_cursor {
  std::string_view rest;
  bool done = false;  // the last token has been taken

  std::string_view next() noexcept {
    const std::size_t dot = rest.find(separator);
    if (dot == std::string_view::npos) {
      done = true;
      return std::exchange(rest, std::string_view{});
    }
    const std::string_view token = rest.substr(0, dot);
    rest.remove_prefix(dot + 1);
    return token;
  }
};

constexpr bool is_token(std::string_view t, char c) noexcept { return t.size() == 1 && t[0] == c; }

}  // namespace

bool is_valid_subject(std::string_view s) noexcept {
  if (s.empty()) return false;
  bool after_full_wildcard = false;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = s.find(separator, start);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view token = s.substr(start, end - start);
    if (token.empty() || after_full_wildcard) return false;
    if (token.size() == 1 && token[0] == '>') after_full_wildcard = true;
    if (has_space(token)) return false;
    if (end == s.size()) return true;
    start = end + 1;
  }
}

bool is_literal(std::string_view s) noexcept {
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] != '*' && s[i] != '>') continue;
    const bool starts_token = i == 0 || s[i - 1] == separator;
    const bool ends_token = i + 1 == n || s[i + 1] == separator;
    if (starts_token && ends_token) return false;
  }
  return true;
}

bool is_valid_publish_subject(std::string_view s) noexcept {
  return is_valid_subject(s) && is_literal(s);
}

bool is_valid_queue(std::string_view q) noexcept {
  return !q.empty() && !has_space(q);
}

// A filter token '*' matches any one token and a final '>' one or more; any
// other filter token matches only an equal subject token. Subject tokens are
// compared as plain text (a '*' token in the subject is not a wildcard), which
// is exactly what the sublist trie does. Empty tokens never match.
bool matches(std::string_view filter, std::string_view subject) noexcept {
  token_cursor f{filter};
  token_cursor s{subject};
  for (;;) {
    const std::string_view ft = f.next();
    const std::string_view st = s.next();
    if (ft.empty() || st.empty()) return false;
    if (is_token(ft, '>')) return f.done && (s.done || tokens_non_empty(s.rest));
    if (!is_token(ft, '*') && ft != st) return false;
    if (f.done || s.done) return f.done && s.done;
  }
}

std::vector<std::string_view> tokens(std::string_view s) {
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

}  // namespace natrium::subject
