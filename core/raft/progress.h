#pragma once
// A leader's view of one follower (etcd-io/raft tracker.Progress):
//   probe:     one append at a time until the follower's match is found;
//   replicate: appends streamed optimistically, at most inflight_max unacked;
//   snapshot:  an install_snapshot is in flight, no appends until it is acked.
// Internal to core/raft.
#include <cstddef>
#include <deque>

#include "core/base/time.h"
#include "core/raft/messages.h"

namespace natrium::raft {

enum class progress_state : std::uint8_t { probe, replicate, snapshot };

struct progress {
  index_t match = 0;
  index_t next = 1;
  progress_state state = progress_state::probe;
  bool probe_sent = false;            // probe: an append is out, wait for its answer (or a heartbeat answer)
  index_t pending_snapshot = 0;       // snapshot: the index sent
  base::mono_time snapshot_sent_at;   // snapshot: retried (back to probe) after an election timeout
  base::mono_time last_active;        // last time it answered (check-quorum)
  std::deque<index_t> inflight;       // replicate: last index of each unacked append, ascending

  void become_probe();
  void become_replicate();
  void become_snapshot(index_t snap_index, base::mono_time now);
  // An accepted append up to n; false if it was stale (nothing changed).
  bool maybe_update(index_t n);
  // A rejected append at `rejected` with the follower's hint; false if stale.
  bool maybe_decrease(index_t rejected, index_t hint);
  // Another append was sent with entries up to `last` (replicate: optimistic).
  void sent_entries(index_t last);
  void free_inflight_to(index_t n);
  bool paused(std::size_t inflight_max) const;
};

}  // namespace natrium::raft
