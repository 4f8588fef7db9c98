// node: construction from disk (with corruption checks), the ready cycle,
// membership bookkeeping, status, and the public API's forwarding.
#include "core/raft/raft.h"

#include <algorithm>

#include "core/base/assert.h"
#include "core/raft/raft_impl.h"

namespace natrium::raft {

const char* describe(propose_error e) noexcept {
  switch (e) {
    case propose_error::not_leader: return "raft: not the leader";
    case propose_error::too_large: return "raft: entry exceeds the maximum entry size";
    case propose_error::too_many_uncommitted: return "raft: too many uncommitted bytes";
    case propose_error::change_in_progress: return "raft: a membership change is already in progress";
    case propose_error::transferring: return "raft: leadership transfer in progress";
    case propose_error::invalid_change: return "raft: invalid membership change";
  }
  return "raft: unknown error";
}

node::impl::impl(const config& c, restored_state disk, base::mono_time t)
    : cfg(c), rng(c.seed ^ c.id), now(t) {
  NATRIUM_ASSERT(cfg.id != 0);
  NATRIUM_ASSERT(cfg.election_timeout.ns > 0);
  NATRIUM_ASSERT(cfg.heartbeat_interval.ns > 0);
  NATRIUM_ASSERT(cfg.lim.inflight_appends_max > 0);
  restore(std::move(disk));
  reset_election_timer();
  heartbeat_deadline = now + cfg.heartbeat_interval;
}

void node::impl::restore(restored_state disk) {
  bool hard_bad = false;
  if (disk.hard && !disk.hard->valid()) {
    ++corrupt_records;
    hard_bad = true;
  }
  bool snap_bad = false;
  if (disk.snap && !disk.snap->valid()) {
    ++corrupt_records;
    snap_bad = true;
  }
  if (snap_bad) {
    // Nothing after an unusable snapshot can be applied: start empty.
    index_t target = disk.snap->index;
    for (const entry& e : disk.log) {
      if (e.valid()) target = std::max(target, e.index);
    }
    repairing = true;
    repair_target = target;
    log.restore(0, 0, {});
  } else {
    if (disk.snap) snap = *disk.snap;
    snap_members = disk.snap ? disk.snap->members : membership{cfg.initial_voters};
    std::sort(snap_members.voters.begin(), snap_members.voters.end());
    restore_log(disk);
  }
  applied = snap_bad ? 0 : std::max(disk.applied, log.snap_index());
  applying = applied;
  if (disk.hard && !hard_bad) {
    term = std::max(disk.hard->term, log.last_term());
    vote = disk.hard->term == term ? disk.hard->vote : 0;
    commit = std::max(disk.hard->commit, log.snap_index());
    persisted = *disk.hard;
    persisted_known = true;
    commit_floor = disk.hard->commit;
    if (disk.hard->repair_until > 0) {  // a repair a restart interrupted
      repairing = true;
      repair_target = std::max(repair_target, disk.hard->repair_until);
    }
  } else {
    term = std::max(log.last_term(), snap_bad ? disk.snap->term : term_t{0});
    vote = 0;
    commit = std::max(std::min(applied, log.last_index()), log.snap_index());
    if (hard_bad) {
      vote_floor = term;
      // The commit index and any repair in progress are unknown: repair up
      // to everything the disk holds.
      const index_t on_disk = (disk.snap ? disk.snap->index : 0) + disk.log.size();
      repairing = true;
      repair_target = std::max(repair_target, on_disk);
    }
    persisted_known = !hard_bad && term == 0;  // a fresh node has nothing to write yet
  }
  commit = std::min(commit, log.last_index());
  NATRIUM_ASSERT(commit >= log.snap_index());
  NATRIUM_ASSERT(commit <= log.last_index());
  check_repaired();
}

void node::impl::restore_log(const restored_state& disk) {
  const index_t snap_index = disk.snap ? disk.snap->index : 0;
  const term_t snap_term = disk.snap ? disk.snap->term : 0;
  std::vector<entry> good;
  term_t last_term = snap_term;
  for (std::size_t k = 0; k < disk.log.size(); ++k) {
    const entry& e = disk.log[k];
    bool ok = e.valid() && e.index == snap_index + good.size() + 1 && e.term >= last_term;
    if (ok && e.type == entry_type::config) ok = decode_config_entry(e.data).has_value();
    if (!ok) {
      ++corrupt_records;
      // A bad record with no intact record after it, above the persisted
      // commit index, is taken for a torn write from a crash: the node never
      // acknowledged it (messages wait for durability), so it is dropped and
      // the node carries on. Otherwise it is damage to data the node may have
      // acknowledged: it must not vote until it has caught up past what it
      // had (repairing).
      // An entry at or below the persisted commit index was durable whatever
      // follows it.
      // (By position: the damaged record's own index field cannot be trusted.)
      const index_t at = snap_index + good.size() + 1;
      bool durable = disk.hard && disk.hard->valid() && at <= disk.hard->commit;
      for (std::size_t j = k + 1; j < disk.log.size() && !durable; ++j) durable = disk.log[j].valid();
      if (durable) {
        repairing = true;
        repair_target = snap_index + disk.log.size();
      } else {
        ++torn_records;
      }
      break;
    }
    last_term = e.term;
    good.push_back(e);
  }
  log.restore(snap_index, snap_term, std::move(good));
  for (index_t i = log.first_index(); i <= log.last_index(); ++i) on_entry_appended(log.at(i));
}

const membership& node::impl::members() const {
  return config_history.empty() ? snap_members : config_history.back().second;
}

membership node::impl::members_at(index_t i) const {
  membership m = snap_members;
  for (const auto& [at, mem] : config_history) {
    if (at <= i) m = mem;
  }
  return m;
}

void node::impl::on_entry_appended(const entry& e) {
  if (e.type != entry_type::config) return;
  auto c = decode_config_entry(e.data);
  NATRIUM_ASSERT(c.has_value());  // checked before appending
  NATRIUM_ASSERT(config_history.empty() || config_history.back().first < e.index);
  config_history.emplace_back(e.index, c->after);
  if (r == role::leader) {
    for (peer_id p : c->after.voters) {
      if (p != cfg.id && !prs.count(p)) {
        progress pr;
        pr.next = log.last_index() + 1;
        pr.last_active = now;
        prs.emplace(p, pr);
      }
    }
    for (auto it = prs.begin(); it != prs.end();) {
      it = c->after.contains(it->first) ? std::next(it) : prs.erase(it);
    }
  }
}

void node::impl::on_truncated(index_t from) {
  while (!config_history.empty() && config_history.back().first >= from) config_history.pop_back();
}

void node::impl::check_repaired() {
  if (repairing && log.last_index() >= repair_target) repairing = false;
}

void node::impl::send(message m) {
  NATRIUM_ASSERT(m.to != 0);
  NATRIUM_ASSERT(m.to != cfg.id);
  if (msgs.size() >= cfg.lim.messages_max) {
    ++dropped_messages;  // peers recover lost messages by retries
    return;
  }
  m.from = cfg.id;
  msgs.push_back(std::move(m));
}

hard_state node::impl::current_hard() const {
  // The persisted commit never goes down: after a restart that cut a damaged
  // log, the in-memory commit is below what was known, and rewriting the
  // hard state with it would forget that those entries were durable.
  return {term, vote, std::max(commit, commit_floor), repairing ? repair_target : 0, 0};
}

bool node::impl::has_ready() const {
  if (ready_out) return false;
  const hard_state h = current_hard();
  const bool hard_changed =
      !persisted_known || h.term != persisted.term || h.vote != persisted.vote || h.commit != persisted.commit ||
      h.repair_until != persisted.repair_until;
  return hard_changed || log.has_unstable() || pending_snap || !msgs.empty() || !ready_reads.empty() ||
         std::max(applying, log.snap_index()) < commit;
}

ready node::impl::take_ready() {
  NATRIUM_ASSERT(!ready_out);
  ready rd;
  hard_state h = current_hard();
  h.seal();
  if (!persisted_known || h.term != persisted.term || h.vote != persisted.vote || h.commit != persisted.commit ||
      h.repair_until != persisted.repair_until) {
    rd.hard = h;
  }
  rd.snap = std::move(pending_snap);
  pending_snap.reset();
  rd.entries = log.take_unstable();
  if (rd.snap) applying = std::max(applying, rd.snap->index);
  // Committed entries: all in this ready's entries or already durable.
  std::size_t bytes = 0;
  for (index_t i = std::max(applying, log.snap_index()) + 1; i <= commit; ++i) {
    const entry& e = log.at(i);
    if (!rd.committed.empty() && bytes + entry_bytes(e) > cfg.lim.append_bytes_max) break;
    bytes += entry_bytes(e);
    rd.committed.push_back(e);
    applying = i;
  }
  rd.messages = std::move(msgs);
  msgs.clear();
  for (auto& m : rd.messages) m.seal();
  rd.reads = std::move(ready_reads);
  ready_reads.clear();
  ready_out = true;
  return rd;
}

void node::impl::advance_ready(const ready& rd) {
  NATRIUM_ASSERT(ready_out);
  ready_out = false;
  if (rd.hard) {
    persisted = *rd.hard;
    persisted_known = true;
  }
  if (rd.snap) {
    log.snapshot_stable(rd.snap->index);
    applied = std::max(applied, rd.snap->index);
  }
  if (!rd.entries.empty()) log.stable_to(rd.entries.back().index, rd.entries.back().term);
  if (!rd.committed.empty()) {
    NATRIUM_ASSERT(rd.committed.back().index <= applying);
    applied = std::max(applied, rd.committed.back().index);
  }
  // A leader's own entries count toward commit once durable.
  if (r == role::leader && maybe_commit()) broadcast_append();
}

base::mono_time node::impl::next_deadline() const {
  if (r != role::leader) return election_deadline;
  base::mono_time d = heartbeat_deadline;  // check-quorum runs on every advance()
  if (transferee != 0) d = std::min(d, transfer_deadline);
  return d;
}

status node::impl::state() const {
  status s;
  s.id = cfg.id;
  s.r = r;
  s.term = term;
  s.vote = vote;
  s.leader = lead;
  s.commit = commit;
  s.applied = applied;
  s.first_index = log.first_index();
  s.last_index = log.last_index();
  s.last_term = log.last_term();
  s.members = members();
  s.repairing = repairing;
  s.corrupt_records = corrupt_records;
  s.torn_records = torn_records;
  s.repair_target = repair_target;
  s.vote_floor = vote_floor;
  s.corrupt_messages = corrupt_messages;
  s.dropped_messages = dropped_messages;
  s.dropped_reads = dropped_reads;
  s.transferee = transferee;
  return s;
}

// --- public API ---

node::node(const config& cfg, restored_state disk, base::mono_time now)
    : impl_(std::make_unique<impl>(cfg, std::move(disk), now)) {}
node::~node() = default;
node::node(node&&) noexcept = default;
node& node::operator=(node&&) noexcept = default;

void node::step(const message& m) { impl_->step(m); }
void node::advance(base::mono_time now) { impl_->advance(now); }
base::result<index_t> node::propose(std::string data) { return impl_->propose(std::move(data)); }
base::result<index_t> node::propose_change(const config_change& c) { return impl_->propose_change(c); }
void node::campaign() { impl_->campaign(impl::campaign_kind::normal); }
void node::transfer_leadership(peer_id to) { impl_->transfer_leadership(to); }
void node::read_index(std::uint64_t request) { impl_->read_index(request); }
void node::compact(index_t index, std::string data) { impl_->compact(index, std::move(data)); }
bool node::has_ready() const { return impl_->has_ready(); }
ready node::take_ready() { return impl_->take_ready(); }
void node::advance_ready(const ready& r) { impl_->advance_ready(r); }
base::mono_time node::next_deadline() const { return impl_->next_deadline(); }
status node::state() const { return impl_->state(); }

}  // namespace natrium::raft
