#pragma once
// One node's simulated disk for Raft: the hard state in two slots (written
// together, read back as the valid copy with the highest term, so a single
// corrupted slot loses nothing), the latest snapshot, and the log. Writes go
// to a volatile cache first and become durable on sync(); a crash keeps the
// durable state plus, at most, a prefix of the unsynced log writes whose last
// entry may be torn (its bytes damaged: its checksum no longer matches).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/raft.h"

namespace natrium::sim::cluster {

class sim_disk {
 public:
  // Stages a ready's persistent parts (not durable yet).
  void write(const raft::ready& r);
  // Everything staged is durable.
  void sync();
  // Power loss: unsynced writes are lost, except perhaps a prefix of the log
  // writes (torn_chance: percent that the last kept entry is torn).
  void crash(base::prng& rng, int torn_chance);
  // What a restarting node reads back.
  raft::restored_state read() const;

  // Disk faults (the injector keeps them on a minority of nodes).
  // Flips a byte of one durable log entry other than the last; false if there is none.
  bool corrupt_entry(base::prng& rng);
  // Damages one of the two hard-state slots.
  void corrupt_hard_state_slot(base::prng& rng);

  // The hard state a restart would read (the valid slot with the higher term).
  const std::optional<raft::hard_state>& durable_hard() const noexcept { return hard_view_; }
  // True if a record on disk is damaged (torn or corrupted) and not yet rewritten.
  bool damaged() const noexcept { return !bad_.empty(); }

  // Durable log as the safety checker sees it (index -> entry).
  const std::map<raft::index_t, raft::entry>& durable_log() const noexcept { return log_; }
  const std::optional<raft::snapshot>& durable_snapshot() const noexcept { return snap_; }

 private:
  struct staged {
    std::optional<raft::hard_state> hard;
    std::optional<raft::snapshot> snap;
    std::vector<raft::entry> entries;
  };
  void apply(const staged& s);

  raft::hard_state slots_[2];
  bool slot_written_ = false;
  std::optional<raft::snapshot> snap_;
  std::map<raft::index_t, raft::entry> log_;
  std::vector<staged> unsynced_;
  std::set<raft::index_t> bad_;  // positions of damaged records
  std::optional<raft::hard_state> hard_view_;  // durable_hard(), kept up to date
  void refresh_hard_view();
};

}  // namespace natrium::sim::cluster
