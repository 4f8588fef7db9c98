#include "tests/sim/cluster/sim_disk.h"

#include "tests/sim/sim_support.h"

namespace natrium::sim::cluster {

void sim_disk::write(const raft::ready& r) {
  if (!r.hard && !r.snap && r.entries.empty()) return;
  unsynced_.push_back({r.hard, r.snap, r.entries});
}

void sim_disk::apply(const staged& s) {
  if (s.hard) {
    slots_[0] = slots_[1] = *s.hard;
    slot_written_ = true;
    refresh_hard_view();
  }
  if (s.snap) {  // an installed snapshot replaces the whole log (raft.h, ready::snap)
    snap_ = s.snap;
    log_.clear();
    bad_.clear();
  }
  if (!s.entries.empty()) {
    log_.erase(log_.lower_bound(s.entries.front().index), log_.end());
    bad_.erase(bad_.lower_bound(s.entries.front().index), bad_.end());
    for (const raft::entry& e : s.entries) {
      log_[e.index] = e;
      if (!e.valid()) bad_.insert(e.index);
    }
  }
}

void sim_disk::sync() {
  for (const staged& s : unsynced_) apply(s);
  unsynced_.clear();
}

void sim_disk::crash(base::prng& rng, int torn_chance) {
  // Of the unsynced writes, the log appends of the first one may have partly
  // reached the platters (a prefix, in order); hard states and snapshots are
  // written whole or not at all, and none of them are kept here.
  if (!unsynced_.empty() && !unsynced_.front().entries.empty() && chance(rng, 50)) {
    const auto& es = unsynced_.front().entries;
    const std::size_t keep = static_cast<std::size_t>(rng.below(es.size() + 1));
    if (keep > 0) {
      staged partial;
      partial.entries.assign(es.begin(), es.begin() + static_cast<std::ptrdiff_t>(keep));
      if (chance(rng, static_cast<std::uint64_t>(torn_chance))) {
        raft::entry& last = partial.entries.back();
        if (last.data.empty()) last.term ^= 1; else last.data[rng.below(last.data.size())] ^= 0x5a;
      }
      apply(partial);
    }
  }
  unsynced_.clear();
}

void sim_disk::refresh_hard_view() {
  if (!slot_written_) {
    hard_view_.reset();
    return;
  }
  const bool v0 = slots_[0].valid(), v1 = slots_[1].valid();
  if (v0 && v1) hard_view_ = slots_[0].term >= slots_[1].term ? slots_[0] : slots_[1];
  else if (v0) hard_view_ = slots_[0];
  else if (v1) hard_view_ = slots_[1];
  else hard_view_ = slots_[0];  // both damaged: hand the node a bad one, it must notice
}

raft::restored_state sim_disk::read() const {
  raft::restored_state st;
  st.hard = durable_hard();
  st.snap = snap_;
  for (const auto& [i, e] : log_) st.log.push_back(e);
  st.applied = snap_ ? snap_->index : 0;
  return st;
}

bool sim_disk::corrupt_entry(base::prng& rng) {
  // Not a last entry above the persisted commit index: that looks exactly
  // like a torn write (which a node drops, as it never acknowledged it);
  // telling the two apart would need the peers' help (protocol-aware
  // recovery), which core/raft does not do (see raft.h, restored_state).
  if (log_.empty()) return false;
  const raft::index_t commit = slot_written_ ? std::max(slots_[0].commit, slots_[1].commit) : 0;
  std::size_t candidates = log_.size() - 1;
  if (log_.rbegin()->first <= commit) candidates = log_.size();
  if (candidates == 0) return false;
  auto it = log_.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(rng.below(candidates)));
  raft::entry& e = it->second;
  if (e.data.empty()) e.index ^= 1ULL << 40; else e.data[rng.below(e.data.size())] ^= 0x21;
  bad_.insert(it->first);
  return true;
}

void sim_disk::corrupt_hard_state_slot(base::prng& rng) {
  if (!slot_written_) return;
  slots_[rng.below(2)].term ^= 0x10;
  refresh_hard_view();
}

}  // namespace natrium::sim::cluster
