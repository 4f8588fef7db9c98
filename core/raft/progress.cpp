#include "core/raft/progress.h"

#include <algorithm>

#include "core/base/assert.h"

namespace natrium::raft {

void progress::become_probe() {
  // From snapshot: resume after what the snapshot covered.
  if (state == progress_state::snapshot) {
    next = std::max(match + 1, pending_snapshot + 1);
  } else {
    next = match + 1;
  }
  state = progress_state::probe;
  probe_sent = false;
  pending_snapshot = 0;
  inflight.clear();
  NATRIUM_ASSERT(next > match);
}

void progress::become_replicate() {
  state = progress_state::replicate;
  next = match + 1;
  probe_sent = false;
  pending_snapshot = 0;
  inflight.clear();
  NATRIUM_ASSERT(next == match + 1);
}

void progress::become_snapshot(index_t snap_index, base::mono_time now) {
  state = progress_state::snapshot;
  pending_snapshot = snap_index;
  snapshot_sent_at = now;
  probe_sent = false;
  inflight.clear();
  NATRIUM_ASSERT(pending_snapshot > 0);
}

bool progress::maybe_update(index_t n) {
  bool updated = false;
  if (match < n) {
    match = n;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, n + 1);
  free_inflight_to(n);
  NATRIUM_ASSERT(next > match);
  return updated;
}

bool progress::maybe_decrease(index_t rejected, index_t hint) {
  if (state == progress_state::replicate) {
    // Stale: an answer to an append we already know succeeded.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // Probe (or snapshot): only the answer to the append at next - 1 counts.
  // A reject at or below match means the follower no longer has an entry it
  // acknowledged (a damaged log cut at its restart: it is repairing): start
  // again from what it has; a lower match only makes commit counting more
  // conservative. (Without this the leader re-sent the same append forever,
  // and duplicated rejects multiplied the loop: simulator seed 153021.)
  if (next == 0 || next - 1 != rejected) return false;
  if (rejected <= match) match = std::min(match, hint);
  next = std::max(std::min(rejected, hint + 1), match + 1);
  probe_sent = false;
  NATRIUM_ASSERT(next > match);
  return true;
}

void progress::sent_entries(index_t last) {
  if (state == progress_state::replicate) {
    NATRIUM_ASSERT(inflight.empty() || inflight.back() < last);
    next = last + 1;
    inflight.push_back(last);
  } else if (state == progress_state::probe) {
    probe_sent = true;
  }
}

void progress::free_inflight_to(index_t n) {
  while (!inflight.empty() && inflight.front() <= n) inflight.pop_front();
}

bool progress::paused(std::size_t inflight_max) const {
  switch (state) {
    case progress_state::probe: return probe_sent;
    case progress_state::replicate: return inflight.size() >= inflight_max;
    case progress_state::snapshot: return true;
  }
  return true;
}

}  // namespace natrium::raft
