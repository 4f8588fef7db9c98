#include "core/raft/raft_log.h"

#include <algorithm>

#include "core/base/assert.h"

namespace natrium::raft {

void raft_log::restore(index_t snap_index, term_t snap_term, std::vector<entry> entries) {
  snap_index_ = snap_index;
  snap_term_ = snap_term;
  ents_.clear();
  for (auto& e : entries) {
    NATRIUM_ASSERT(e.index == last_index() + 1);
    NATRIUM_ASSERT(e.term >= last_term());
    ents_.push_back(std::move(e));
  }
  unstable_from_ = last_index() + 1;
  durable_last_ = last_index();
}

term_t raft_log::last_term() const noexcept {
  return ents_.empty() ? snap_term_ : ents_.back().term;
}

std::optional<term_t> raft_log::term(index_t i) const noexcept {
  if (i == snap_index_) return snap_term_;
  if (i < snap_index_ || i > last_index()) return std::nullopt;
  const entry& e = ents_[i - snap_index_ - 1];
  NATRIUM_ASSERT(e.index == i);
  return e.term;
}

bool raft_log::match_term(index_t i, term_t t) const noexcept {
  const auto mine = term(i);
  return mine && *mine == t;
}

bool raft_log::is_up_to_date(index_t last, term_t t) const noexcept {
  const term_t lt = last_term();
  return t > lt || (t == lt && last >= last_index());
}

index_t raft_log::find_conflict(const std::vector<entry>& ents) const noexcept {
  for (const entry& e : ents) {
    if (!match_term(e.index, e.term)) return e.index;
  }
  return 0;
}

index_t raft_log::find_conflict_by_term(index_t index, term_t t) const noexcept {
  index = std::min(index, last_index());
  for (; index > snap_index_; --index) {
    if (ents_[index - snap_index_ - 1].term <= t) return index;
  }
  return index;  // snap_index_ (or below: nothing better is known)
}

const entry& raft_log::at(index_t i) const {
  NATRIUM_ASSERT(i > snap_index_);
  NATRIUM_ASSERT(i <= last_index());
  return ents_[i - snap_index_ - 1];
}

std::vector<entry> raft_log::slice(index_t lo, index_t hi, std::size_t bytes_max) const {
  NATRIUM_ASSERT(lo > snap_index_);
  NATRIUM_ASSERT(hi <= last_index() + 1);
  std::vector<entry> out;
  std::size_t bytes = 0;
  for (index_t i = lo; i < hi; ++i) {
    const entry& e = at(i);
    if (!out.empty() && bytes + entry_bytes(e) > bytes_max) break;
    bytes += entry_bytes(e);
    out.push_back(e);
  }
  return out;
}

void raft_log::append(entry e) {
  NATRIUM_ASSERT(e.index == last_index() + 1);
  NATRIUM_ASSERT(e.term >= last_term());
  NATRIUM_ASSERT(e.valid());
  ents_.push_back(std::move(e));
}

void raft_log::truncate_from(index_t i) {
  NATRIUM_ASSERT(i > snap_index_);
  if (i > last_index()) return;
  ents_.erase(ents_.begin() + static_cast<std::ptrdiff_t>(i - snap_index_ - 1), ents_.end());
  unstable_from_ = std::min(unstable_from_, i);
  durable_last_ = std::min(durable_last_, i - 1);
  NATRIUM_ASSERT(last_index() == i - 1);
}

void raft_log::compact_to(index_t i) {
  NATRIUM_ASSERT(i <= durable_last_);
  if (i <= snap_index_) return;
  NATRIUM_ASSERT(i <= last_index());
  const term_t t = at(i).term;
  ents_.erase(ents_.begin(), ents_.begin() + static_cast<std::ptrdiff_t>(i - snap_index_));
  snap_index_ = i;
  snap_term_ = t;
  NATRIUM_ASSERT(first_index() == i + 1);
}

void raft_log::reset_to_snapshot(index_t i, term_t t) {
  ents_.clear();
  snap_index_ = i;
  snap_term_ = t;
  unstable_from_ = i + 1;
  durable_last_ = std::min(durable_last_, i);
  NATRIUM_ASSERT(last_index() == i);
}

std::vector<entry> raft_log::take_unstable() {
  std::vector<entry> out;
  for (index_t i = std::max(unstable_from_, first_index()); i <= last_index(); ++i) out.push_back(at(i));
  unstable_from_ = last_index() + 1;
  return out;
}

void raft_log::stable_to(index_t i, term_t t) {
  // A truncation between take_ready and advance_ready may have replaced the
  // entry; by the Log Matching property an equal (index, term) is the same
  // entry with the same prefix, anything else is not durable yet.
  if (!match_term(i, t)) return;
  if (i > durable_last_) durable_last_ = i;
  NATRIUM_ASSERT(durable_last_ <= last_index());
}

void raft_log::snapshot_stable(index_t i) {
  if (i == snap_index_ && durable_last_ < i) durable_last_ = i;
  NATRIUM_ASSERT(durable_last_ <= last_index());
}

}  // namespace natrium::raft
