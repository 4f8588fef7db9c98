// Subject relations with the reference's semantics (sublist.go
// SubjectsCollide, subjectIsSubsetMatch); declared in stream_config.h.
#include <string_view>
#include <vector>

#include "core/base/assert.h"
#include "core/jetstream/stream_config.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {
namespace {


bool is_pwc(std::string_view t) { return t == "*"; }
bool is_fwc(std::string_view t) { return t == ">"; }

bool subset_tokens(const std::vector<std::string_view>& tokens,
                   const std::vector<std::string_view>& test) {
  for (std::size_t i = 0; i < test.size(); ++i) {
    if (i >= tokens.size()) return false;
    const std::string_view t2 = test[i];
    if (t2.empty()) return false;
    if (is_fwc(t2)) return true;
    const std::string_view t1 = tokens[i];
    if (t1.empty() || is_fwc(t1)) return false;
    if (is_pwc(t1)) {
      if (!is_pwc(t2)) return false;
      continue;
    }
    if (!is_pwc(t2) && t1 != t2) return false;
  }
  return tokens.size() == test.size();
}

// Only the first character is looked at, as the reference does.
bool tokens_can_match(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  if (a[0] == '*' || a[0] == '>' || b[0] == '*' || b[0] == '>') return true;
  return a == b;
}

}  // namespace

bool subject_is_subset_match(std::string_view subject, std::string_view test) {
  return subset_tokens(subject::tokens(subject), subject::tokens(test));
}

bool subjects_collide(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const auto ta = subject::tokens(a);
  const auto tb = subject::tokens(b);
  bool pa = false, fa = false, pb = false, fb = false;
  for (auto t : ta) { pa = pa || is_pwc(t); fa = fa || is_fwc(t); }
  for (auto t : tb) { pb = pb || is_pwc(t); fb = fb || is_fwc(t); }
  const bool la = !(pa || fa);
  const bool lb = !(pb || fb);
  if (la && lb) return false;  // equal literals were handled above
  if (la) return subset_tokens(ta, tb);
  if (lb) return subset_tokens(tb, ta);
  if (!fa && !fb && ta.size() != tb.size()) return false;
  if (ta.size() < tb.size() && !fa) return false;
  if (tb.size() < ta.size() && !fb) return false;
  const std::size_t stop = ta.size() < tb.size() ? ta.size() : tb.size();
  for (std::size_t i = 0; i < stop; ++i) {
    if (!tokens_can_match(ta[i], tb[i])) return false;
  }
  return true;
}

namespace {

// Wildcard index of a "$N" or "{{wildcard(N)}}" token: >= 0, -1 if the token
// is literal, -2 if it is a mapping function we do not support.
int placeholder_index(std::string_view t) {
  auto parse_int = [](std::string_view d) {
    if (d.empty() || d.size() > 6) return -2;
    int v = 0;
    for (const char c : d) {
      if (c < '0' || c > '9') return -2;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  if (t.size() > 1 && t[0] == '$') {
    const int v = parse_int(t.substr(1));
    return v == -2 ? -1 : v;  // "$x" is a literal token
  }
  if (t.size() < 4 || t.substr(0, 2) != "{{" || t.substr(t.size() - 2) != "}}") return -1;
  std::string inner;
  for (const char c : t.substr(2, t.size() - 4)) {
    if (c != ' ') inner += c;
  }
  if (inner.size() < 10 || inner.substr(0, 9) != "wildcard(" || inner.back() != ')') return -2;
  return parse_int(std::string_view(inner).substr(9, inner.size() - 10));
}

}  // namespace

bool is_valid_transform(std::string_view src, std::string_view dest) {
  if (!subject::is_valid_subject(src) || !subject::is_valid_subject(dest)) return false;
  const auto st = subject::tokens(src);
  const auto dt = subject::tokens(dest);
  int src_pwcs = 0;
  bool src_fwc = false, dest_fwc = false;
  for (auto t : st) { src_pwcs += is_pwc(t) ? 1 : 0; src_fwc = src_fwc || is_fwc(t); }
  for (auto t : dt) {
    if (is_pwc(t)) return false;
    dest_fwc = dest_fwc || is_fwc(t);
  }
  if (src_fwc != dest_fwc) return false;
  if (src_pwcs == 0 && !src_fwc) return true;
  int placeholders = 0;
  for (auto t : dt) {
    const int idx = placeholder_index(t);
    if (idx == -2 || idx > src_pwcs) return false;
    if (idx >= 0) ++placeholders;
  }
  return placeholders >= src_pwcs;
}

std::optional<std::string> transform_subject(std::string_view src, std::string_view dest, std::string_view subject) {
  const auto st = subject::tokens(src);
  const auto in = subject::tokens(subject);
  std::vector<std::string_view> captured;  // one per '*' of src, in order
  std::string rest;                        // what '>' matched
  std::size_t i = 0;
  for (; i < st.size(); ++i) {
    if (is_fwc(st[i])) {
      if (i >= in.size()) return std::nullopt;
      const std::size_t offset = static_cast<std::size_t>(in[i].data() - subject.data());
      rest.assign(subject.substr(offset));
      i = st.size();
      break;
    }
    if (i >= in.size()) return std::nullopt;
    if (is_pwc(st[i])) captured.push_back(in[i]);
    else if (st[i] != in[i]) return std::nullopt;
  }
  if (rest.empty() && in.size() != st.size()) return std::nullopt;
  std::string out;
  for (auto t : subject::tokens(dest)) {
    if (!out.empty()) out += '.';
    const int idx = placeholder_index(t);
    if (is_fwc(t)) out += rest;
    else if (idx >= 1 && static_cast<std::size_t>(idx) <= captured.size()) out += captured[static_cast<std::size_t>(idx) - 1];
    else out += t;
  }
  return out;
}

}  // namespace natrium::jetstream
