#pragma once
// The node's view of its log: the snapshot point (index, term), the entries
// after it, and which of them are durable. Entries in [unstable_from, last]
// have not been handed to the host yet (they go out in the next ready);
// entries up to durable_last are known to be on disk (advance_ready).
// Internal to core/raft.
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "core/raft/messages.h"

namespace natrium::raft {

class raft_log {
 public:
  // Everything passed in is durable (it was read back from disk).
  void restore(index_t snap_index, term_t snap_term, std::vector<entry> entries);

  index_t snap_index() const noexcept { return snap_index_; }
  term_t snap_term() const noexcept { return snap_term_; }
  index_t first_index() const noexcept { return snap_index_ + 1; }
  index_t last_index() const noexcept { return snap_index_ + ents_.size(); }
  term_t last_term() const noexcept;
  // The term at i: the snapshot's term at snap_index, 0 at index 0, nullopt
  // when i was compacted away or is beyond the log.
  std::optional<term_t> term(index_t i) const noexcept;
  bool match_term(index_t i, term_t t) const noexcept;
  // Candidate's (last_index, last_term) at least as up to date as ours (§5.4.1).
  bool is_up_to_date(index_t last, term_t t) const noexcept;
  // The first entry of `ents` whose index is beyond our log or whose term
  // differs from ours; 0 if all of them are already in the log.
  index_t find_conflict(const std::vector<entry>& ents) const noexcept;
  // The largest index <= index whose term is <= t (fast backtracking).
  index_t find_conflict_by_term(index_t index, term_t t) const noexcept;

  const entry& at(index_t i) const;
  // Entries [lo, hi) of at most bytes_max entry_bytes() in all, but at least one.
  std::vector<entry> slice(index_t lo, index_t hi, std::size_t bytes_max) const;

  void append(entry e);                 // e.index == last_index() + 1, sealed
  void truncate_from(index_t i);        // drop [i, last]; i > snap_index
  void compact_to(index_t i);           // drop [first, i]; i <= durable_last
  void reset_to_snapshot(index_t i, term_t t);  // drop everything; log now starts after i

  // Durability tracking.
  bool has_unstable() const noexcept { return unstable_from_ <= last_index(); }
  std::vector<entry> take_unstable();   // entries handed to the host
  void stable_to(index_t i, term_t t);  // the host made entries up to (i, t) durable
  void snapshot_stable(index_t i);      // the host made a snapshot at i durable
  index_t durable_last() const noexcept { return durable_last_; }

 private:
  index_t snap_index_ = 0;
  term_t snap_term_ = 0;
  std::deque<entry> ents_;     // ents_[k].index == snap_index_ + 1 + k
  index_t unstable_from_ = 1;  // first index not handed to the host
  index_t durable_last_ = 0;   // last index known durable
};

}  // namespace natrium::raft
