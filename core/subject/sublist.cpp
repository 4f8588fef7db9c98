// The sublist trie and its result cache.
//
// Ordering: every insert takes the next sequence number, and every result lists
// plain subscriptions and each queue group's members in sequence (insertion)
// order, with groups sorted by name. A fresh match sorts what it gathers; the
// cache is updated in place on insert (the new subscription has the highest
// sequence, so it is appended) and on remove (erasing keeps the order). A cached
// result is therefore always identical to what a fresh match would build, and
// nothing depends on hash iteration order.
#include "core/subject/sublist.h"

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>
#include <utility>

#include "core/base/assert.h"
#include "core/subject/subject.h"
#include "core/subject/sublist_cache.h"

namespace natrium::subject {
namespace {

// Deliberately not noexcept: libstdc++ then stores each node's hash code, so a
// lookup compares codes instead of rehashing neighbours in the bucket chain
// (libc++ always stores them). hash_key itself cannot throw.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return hash_key(s); }
};

// A trie node stands for one token position; its children for the next one.
struct node {
  std::unordered_map<std::string, std::unique_ptr<node>, string_hash, std::equal_to<>> literals;
  std::unique_ptr<node> partial;  // '*'
  std::unique_ptr<node> full;     // '>'
  std::map<std::uint64_t, subscription*> plain;  // by sequence
  std::map<std::string, std::map<std::uint64_t, subscription*>, std::less<>> queues;

  bool empty() const noexcept {
    return plain.empty() && queues.empty() && literals.empty() && !partial && !full;
  }
};

enum class token_kind { literal, partial, full };

token_kind kind_of(std::string_view t) noexcept {
  if (t.size() == 1 && t[0] == '*') return token_kind::partial;
  if (t.size() == 1 && t[0] == '>') return token_kind::full;
  return token_kind::literal;
}

// Splits on '.' into views of `s`. Returns false on an empty token.
bool split_tokens(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '.') continue;
    if (i == start) return false;
    out.push_back(s.substr(start, i - start));
    start = i + 1;
  }
  if (start >= s.size()) return false;
  out.push_back(s.substr(start));
  return true;
}

node* child_of(node& n, std::string_view t) noexcept {
  switch (kind_of(t)) {
    case token_kind::partial: return n.partial.get();
    case token_kind::full: return n.full.get();
    case token_kind::literal: break;
  }
  const auto it = n.literals.find(t);
  return it == n.literals.end() ? nullptr : it->second.get();
}

node& child_or_create(node& n, std::string_view t, std::size_t& nodes) {
  std::unique_ptr<node>* slot = nullptr;
  switch (kind_of(t)) {
    case token_kind::partial: slot = &n.partial; break;
    case token_kind::full: slot = &n.full; break;
    case token_kind::literal: {
      auto it = n.literals.find(t);
      if (it == n.literals.end()) it = n.literals.emplace(std::string(t), nullptr).first;
      slot = &it->second;
      break;
    }
  }
  if (!*slot) {
    *slot = std::make_unique<node>();
    ++nodes;
  }
  return **slot;
}

void detach_child(node& parent, std::string_view t) {
  switch (kind_of(t)) {
    case token_kind::partial: parent.partial.reset(); return;
    case token_kind::full: parent.full.reset(); return;
    case token_kind::literal: break;
  }
  const auto it = parent.literals.find(t);
  NATRIUM_ASSERT(it != parent.literals.end());
  parent.literals.erase(it);
}

using result_ptr = std::shared_ptr<const match_result>;

bool group_before(const queue_group& g, std::string_view name) noexcept { return g.name < name; }

// A copy of `old` with `s` added; `s` is newer than every subscription in it.
result_ptr with_added(const match_result& old, subscription* s) {
  auto r = std::make_shared<match_result>(old);
  if (s->queue.empty()) {
    r->plain.push_back(s);
    return r;
  }
  auto it = std::lower_bound(r->queues.begin(), r->queues.end(), std::string_view(s->queue), group_before);
  if (it == r->queues.end() || it->name != s->queue) it = r->queues.insert(it, queue_group{});
  it->members.push_back(s);
  it->name = it->members.front()->queue;
  return r;
}

// A copy of `old` without `s`, or `empty` if nothing is left.
result_ptr with_removed(const match_result& old, subscription* s, const result_ptr& empty) {
  if (old.queues.empty() && old.plain.size() == 1) {
    NATRIUM_ASSERT(old.plain.front() == s);
    return empty;
  }
  auto r = std::make_shared<match_result>(old);
  if (s->queue.empty()) {
    const auto it = std::find(r->plain.begin(), r->plain.end(), s);
    NATRIUM_ASSERT(it != r->plain.end());
    r->plain.erase(it);
  } else {
    const std::string_view name = s->queue;
    auto group = std::lower_bound(r->queues.begin(), r->queues.end(), name, group_before);
    NATRIUM_ASSERT(group != r->queues.end() && group->name == name);
    const auto it = std::find(group->members.begin(), group->members.end(), s);
    NATRIUM_ASSERT(it != group->members.end());
    group->members.erase(it);
    if (group->members.empty()) {
      r->queues.erase(group);
    } else {
      group->name = group->members.front()->queue;
    }
  }
  if (r->plain.empty() && r->queues.empty()) return empty;
  return r;
}

struct gathered_plain {
  std::uint64_t seq;
  subscription* sub;
};

struct gathered_queue {
  std::string_view name;
  std::uint64_t seq;
  subscription* sub;
};

}  // namespace

struct sublist::impl {
  impl(std::size_t cache_max, std::size_t cache_sweep_to)
      : cache(cache_max, cache_sweep_to), empty(std::make_shared<const match_result>()) {}
  ~impl();
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  node root;
  sublist_cache cache;
  const result_ptr empty;  // shared by every empty result
  std::unordered_map<subscription*, std::uint64_t> seqs;  // lookups only
  std::uint64_t next_seq = 1;
  std::size_t nodes = 0;  // trie nodes below the root
  sublist_stats counters;
  // Scratch space reused across calls (no allocation once warm).
  std::vector<std::string_view> tokens;
  std::vector<node*> path;
  std::vector<gathered_plain> got_plain;
  std::vector<gathered_queue> got_queues;

  result_ptr match_slow(std::string_view subject);
  void collect(const node& n, std::size_t i);
  void gather(const node& n);
  result_ptr build_result();
  bool erase_from_trie(subscription* s, std::uint64_t seq);
  void cache_added(subscription* s);
  void cache_removed(subscription* s);
};

// Tears the trie down with an explicit stack: a very deep subject must not
// turn destruction into a deep recursion.
sublist::impl::~impl() {
  std::vector<std::unique_ptr<node>> stack;
  auto take_children = [&stack](node& n) {
    for (auto& entry : n.literals) stack.push_back(std::move(entry.second));
    n.literals.clear();
    if (n.partial) stack.push_back(std::move(n.partial));
    if (n.full) stack.push_back(std::move(n.full));
  };
  take_children(root);
  while (!stack.empty()) {
    std::unique_ptr<node> n = std::move(stack.back());
    stack.pop_back();
    take_children(*n);
  }
}

void sublist::impl::gather(const node& n) {
  for (const auto& [seq, sub] : n.plain) got_plain.push_back({seq, sub});
  for (const auto& [name, members] : n.queues) {
    for (const auto& [seq, sub] : members) got_queues.push_back({name, seq, sub});
  }
}

// `n` is the node reached after tokens [0, i). Wildcard children first; each
// trie node is reached by exactly one path, so nothing is gathered twice.
void sublist::impl::collect(const node& n, std::size_t i) {
  if (i == tokens.size()) {
    gather(n);
    return;
  }
  if (n.full) gather(*n.full);
  if (n.partial) collect(*n.partial, i + 1);
  const auto it = n.literals.find(tokens[i]);
  if (it != n.literals.end()) collect(*it->second, i + 1);
}

result_ptr sublist::impl::build_result() {
  if (got_plain.empty() && got_queues.empty()) return empty;
  auto r = std::make_shared<match_result>();
  std::sort(got_plain.begin(), got_plain.end(),
            [](const gathered_plain& a, const gathered_plain& b) { return a.seq < b.seq; });
  r->plain.reserve(got_plain.size());
  for (const auto& g : got_plain) r->plain.push_back(g.sub);
  std::sort(got_queues.begin(), got_queues.end(), [](const gathered_queue& a, const gathered_queue& b) {
    if (a.name != b.name) return a.name < b.name;
    return a.seq < b.seq;
  });
  for (const auto& g : got_queues) {
    if (r->queues.empty() || r->queues.back().name != g.name) {
      r->queues.push_back(queue_group{});
      r->queues.back().name = g.sub->queue;
    }
    r->queues.back().members.push_back(g.sub);
  }
  return r;
}

result_ptr sublist::impl::match_slow(std::string_view subject) {
  if (!split_tokens(subject, tokens)) return empty;  // empty tokens match nothing, uncached
  got_plain.clear();
  got_queues.clear();
  collect(root, 0);
  result_ptr r = build_result();
  cache.put(subject, r);
  return r;
}

bool sublist::impl::erase_from_trie(subscription* s, std::uint64_t seq) {
  if (!split_tokens(s->subject, tokens)) return false;
  path.clear();
  path.push_back(&root);
  for (const std::string_view t : tokens) {
    node* next = child_of(*path.back(), t);
    if (next == nullptr) return false;
    path.push_back(next);
  }
  node& n = *path.back();
  if (s->queue.empty()) {
    if (n.plain.erase(seq) != 1) return false;
  } else {
    const auto group = n.queues.find(std::string_view(s->queue));
    if (group == n.queues.end() || group->second.erase(seq) != 1) return false;
    if (group->second.empty()) n.queues.erase(group);
  }
  // Prune empty nodes bottom-up so memory follows the live subscriptions.
  for (std::size_t k = tokens.size(); k > 0 && path[k]->empty(); --k) {
    detach_child(*path[k - 1], tokens[k - 1]);
    NATRIUM_ASSERT(nodes > 0);
    --nodes;
  }
  return true;
}

void sublist::impl::cache_added(subscription* s) {
  if (!cache.enabled()) return;
  if (is_literal(s->subject)) {
    if (result_ptr* r = cache.find(s->subject)) *r = with_added(**r, s);
    return;
  }
  cache.for_each([&](std::string_view key, result_ptr& r) {
    if (matches(s->subject, key)) r = with_added(*r, s);
  });
}

void sublist::impl::cache_removed(subscription* s) {
  if (!cache.enabled()) return;
  if (is_literal(s->subject)) {
    if (result_ptr* r = cache.find(s->subject)) *r = with_removed(**r, s, empty);
    return;
  }
  cache.for_each([&](std::string_view key, result_ptr& r) {
    if (matches(s->subject, key)) r = with_removed(*r, s, empty);
  });
}

sublist::sublist(std::size_t cache_max, std::size_t cache_sweep_to)
    : impl_(std::make_unique<impl>(cache_max, cache_sweep_to)) {}

sublist::~sublist() = default;

bool sublist::insert(subscription* s) {
  NATRIUM_ASSERT(s != nullptr);
  impl& m = *impl_;
  if (!is_valid_subject(s->subject)) return false;
  if (m.seqs.find(s) != m.seqs.end()) return false;
  const bool ok = split_tokens(s->subject, m.tokens);
  NATRIUM_ASSERT(ok);
  node* n = &m.root;
  for (const std::string_view t : m.tokens) n = &child_or_create(*n, t, m.nodes);
  const std::uint64_t seq = m.next_seq++;
  if (s->queue.empty()) {
    n->plain.emplace(seq, s);
  } else {
    auto group = n->queues.find(std::string_view(s->queue));
    if (group == n->queues.end()) group = n->queues.emplace(s->queue, std::map<std::uint64_t, subscription*>{}).first;
    group->second.emplace(seq, s);
  }
  m.seqs.emplace(s, seq);
  ++m.counters.inserts;
  m.cache_added(s);
  return true;
}

bool sublist::remove(subscription* s) {
  NATRIUM_ASSERT(s != nullptr);
  impl& m = *impl_;
  const auto it = m.seqs.find(s);
  if (it == m.seqs.end()) return false;
  // Found in the index but not in the trie: its subject or queue was changed
  // while it was subscribed, a programmer error.
  const bool erased = m.erase_from_trie(s, it->second);
  NATRIUM_ASSERT(erased);
  m.seqs.erase(it);
  if (m.seqs.empty()) NATRIUM_ASSERT(m.nodes == 0);
  ++m.counters.removes;
  m.cache_removed(s);
  return true;
}

std::shared_ptr<const match_result> sublist::match(std::string_view literal_subject) {
  impl& m = *impl_;
  ++m.counters.matches;
  if (const result_ptr* hit = m.cache.find(literal_subject)) {
    ++m.counters.cache_hits;
    return *hit;
  }
  return m.match_slow(literal_subject);
}

std::size_t sublist::count() const noexcept { return impl_->seqs.size(); }

sublist_stats sublist::stats() const noexcept {
  sublist_stats s = impl_->counters;
  s.subscriptions = impl_->seqs.size();
  s.cache_entries = impl_->cache.size();
  impl_->cache.for_each([&s](std::string_view, const result_ptr& r) {
    const std::size_t fanout = r->plain.size() + r->queues.size();
    s.fanout_max = std::max(s.fanout_max, fanout);
    s.fanout_total += fanout;
  });
  return s;
}

std::vector<subscription*> sublist::all() const {
  std::vector<std::pair<std::uint64_t, subscription*>> found;
  found.reserve(impl_->seqs.size());
  for (const auto& [sub, seq] : impl_->seqs) found.emplace_back(seq, sub);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.second->subject != b.second->subject) return a.second->subject < b.second->subject;
    return a.first < b.first;
  });
  std::vector<subscription*> out;
  out.reserve(found.size());
  for (const auto& f : found) out.push_back(f.second);
  return out;
}

std::vector<std::string> sublist::cache_keys() const { return impl_->cache.keys(); }

std::size_t sublist::trie_nodes() const noexcept { return impl_->nodes; }

}  // namespace natrium::subject
