// Log replication (§5.3): the leader's appends, heartbeats and snapshots per
// follower progress, the follower's consistency check and conflict repair,
// and commitment by a quorum of match indexes for entries of the current
// term only (§5.4.2, Figure 8).
#include <algorithm>
#include <functional>

#include "core/base/assert.h"
#include "core/raft/raft_impl.h"

namespace natrium::raft {

void node::impl::append_local(entry_type type, std::string data) {
  NATRIUM_ASSERT(r == role::leader);
  entry e;
  e.term = term;
  e.index = log.last_index() + 1;
  e.type = type;
  e.data = std::move(data);
  e.seal();
  log.append(e);
  on_entry_appended(e);
  if (cfg.bugs.ack_before_durable) maybe_commit();
}

index_t node::impl::self_match() const {
  return cfg.bugs.ack_before_durable ? log.last_index() : log.durable_last();
}

bool node::impl::send_append(peer_id to, bool send_if_empty) {
  auto it = prs.find(to);
  NATRIUM_ASSERT(it != prs.end());
  progress& pr = it->second;
  if (pr.paused(cfg.lim.inflight_appends_max)) return false;
  const auto prev_term = log.term(pr.next - 1);
  if (!prev_term) {
    if (pr.next - 1 > log.last_index()) {  // cannot happen: next <= last + 1
      pr.become_probe();
      return false;
    }
    send_snapshot(to, pr);  // the entries it needs were compacted away
    return true;
  }
  message m;
  m.type = msg_type::append;
  m.to = to;
  m.term = term;
  m.index = pr.next - 1;
  m.log_term = *prev_term;
  if (pr.next <= log.last_index()) m.entries = log.slice(pr.next, log.last_index() + 1, cfg.lim.append_bytes_max);
  if (m.entries.empty() && !send_if_empty) return false;
  m.commit = commit;
  if (!m.entries.empty()) {
    pr.sent_entries(m.entries.back().index);
  } else if (pr.state == progress_state::probe) {
    pr.probe_sent = true;
  }
  send(std::move(m));
  return true;
}

void node::impl::send_snapshot(peer_id to, progress& pr) {
  NATRIUM_ASSERT(snap.index == log.snap_index());
  NATRIUM_ASSERT(snap.index > 0);
  message m;
  m.type = msg_type::install_snapshot;
  m.to = to;
  m.term = term;
  m.snap = snap;
  pr.become_snapshot(snap.index, now);
  send(std::move(m));
}

void node::impl::send_heartbeat(peer_id to, std::uint64_t context) {
  const progress& pr = prs.at(to);
  message m;
  m.type = msg_type::heartbeat;
  m.to = to;
  m.term = term;
  m.commit = std::min(commit, pr.match);  // never beyond what it is known to have
  m.context = context;
  send(std::move(m));
}

void node::impl::broadcast_append() {
  for (auto& [p, pr] : prs) send_append(p, true);
}

void node::impl::broadcast_heartbeat(std::uint64_t context) {
  for (auto& [p, pr] : prs) send_heartbeat(p, context);
}

void node::impl::handle_append(const message& m) {
  NATRIUM_ASSERT(r == role::follower);
  NATRIUM_ASSERT(m.term == term);
  message out;
  out.type = msg_type::append_response;
  out.to = m.from;
  out.term = term;
  if (m.index < commit) {
    out.index = commit;  // already have (and committed) all of that
    send(std::move(out));
    return;
  }
  if (log.match_term(m.index, m.log_term)) {
    const index_t last_new = m.index + m.entries.size();
    const index_t conflict = log.find_conflict(m.entries);
    if (conflict != 0 && conflict <= commit) {
      // The leader would overwrite a committed entry: a safety violation.
      // Only a mutation (test-only bug) can get here; refuse and count.
      const auto& b = cfg.bugs;
      NATRIUM_ASSERT(b.grant_two_votes_per_term || b.commit_earlier_term_by_count || b.skip_log_up_to_date_check ||
                     b.ack_before_durable);
      ++dropped_messages;
      return;
    }
    if (conflict != 0) {
      if (conflict <= log.last_index()) {
        log.truncate_from(conflict);
        on_truncated(conflict);
      }
      for (const entry& e : m.entries) {
        if (e.index < conflict) continue;
        log.append(e);
        on_entry_appended(e);
      }
    }
    commit_to(std::min(m.commit, last_new));
    check_repaired();
    out.index = last_new;
    send(std::move(out));
    return;
  }
  // Reject with a hint: the last index at or before m.index whose term is
  // <= m.log_term; the leader skips every entry of a conflicting term at once.
  const index_t hint = log.find_conflict_by_term(std::min(m.index, log.last_index()), m.log_term);
  out.reject = true;
  out.index = m.index;
  out.reject_hint = hint;
  out.log_term = log.term(hint).value_or(0);
  send(std::move(out));
}

void node::impl::handle_heartbeat(const message& m) {
  NATRIUM_ASSERT(r == role::follower);
  commit_to(std::min(m.commit, log.last_index()));
  message out;
  out.type = msg_type::heartbeat_response;
  out.to = m.from;
  out.term = term;
  out.context = m.context;
  send(std::move(out));
}

void node::impl::handle_snapshot(const message& m) {
  NATRIUM_ASSERT(r == role::follower);
  NATRIUM_ASSERT(m.snap.has_value());
  const snapshot& s = *m.snap;
  message out;
  out.type = msg_type::append_response;
  out.to = m.from;
  out.term = term;
  if (s.index <= commit) {
    out.index = commit;
  } else if (log.match_term(s.index, s.term)) {
    commit_to(s.index);  // we have it all: just fast-forward the commit
    out.index = commit;
  } else {
    log.reset_to_snapshot(s.index, s.term);
    config_history.clear();
    snap_members = s.members;
    snap = s;
    pending_snap = s;
    commit = s.index;
    check_repaired();
    out.index = s.index;
    NATRIUM_ASSERT(log.last_index() == s.index);
  }
  send(std::move(out));
}

void node::impl::handle_append_response(const message& m) {
  auto it = prs.find(m.from);
  if (it == prs.end()) return;
  progress& pr = it->second;
  pr.last_active = now;
  if (m.reject) {
    index_t next_probe = m.reject_hint;
    if (m.log_term > 0) next_probe = log.find_conflict_by_term(m.reject_hint, m.log_term);
    if (pr.maybe_decrease(m.index, next_probe)) {
      if (pr.state == progress_state::replicate) pr.become_probe();
      send_append(m.from, true);
    }
    return;
  }
  if (m.index > log.last_index()) return;  // not an answer to anything we sent
  if (pr.maybe_update(m.index)) {
    if (pr.state == progress_state::probe) {
      pr.become_replicate();
    } else if (pr.state == progress_state::snapshot && pr.match >= pr.pending_snapshot) {
      pr.become_probe();
      pr.become_replicate();
    }
    if (maybe_commit()) broadcast_append();
  }
  if (r != role::leader) return;  // the commit removed us
  while (send_append(m.from, false)) {
  }
  if (m.from == transferee && pr.match == log.last_index()) {
    message t;
    t.type = msg_type::timeout_now;
    t.to = m.from;
    t.term = term;
    send(std::move(t));
  }
}

void node::impl::handle_heartbeat_response(const message& m) {
  auto it = prs.find(m.from);
  if (it == prs.end()) return;
  progress& pr = it->second;
  pr.last_active = now;
  pr.probe_sent = false;
  // Appends may have been lost: free a slot so replication can go on.
  if (pr.state == progress_state::replicate && pr.inflight.size() >= cfg.lim.inflight_appends_max) {
    pr.inflight.pop_front();
  }
  // A snapshot unanswered for an election timeout was probably lost.
  if (pr.state == progress_state::snapshot && now - pr.snapshot_sent_at >= cfg.election_timeout) pr.become_probe();
  // An empty append finds out whether appends were lost (it gets rejected).
  if (pr.match < log.last_index()) send_append(m.from, true);
  if (m.context != 0) ack_reads(m.from, m.context);
}

bool node::impl::maybe_commit() {
  NATRIUM_ASSERT(r == role::leader);
  const membership& mem = members();
  if (mem.voters.empty()) return false;
  std::vector<index_t> matches;
  for (peer_id p : mem.voters) {
    if (p == cfg.id) {
      matches.push_back(self_match());
    } else {
      auto it = prs.find(p);
      matches.push_back(it == prs.end() ? 0 : it->second.match);
    }
  }
  std::sort(matches.begin(), matches.end(), std::greater<index_t>());
  const index_t mci = matches[mem.quorum() - 1];
  if (mci <= commit) return false;
  NATRIUM_ASSERT(mci <= log.last_index());
  // Figure 8: only an entry of the current term is committed by counting.
  if (!cfg.bugs.commit_earlier_term_by_count && log.term(mci) != term) return false;
  const index_t old = commit;
  commit = mci;
  on_commit_advanced(old);
  return true;
}

void node::impl::commit_to(index_t c) {
  c = std::min(c, log.last_index());
  if (c <= commit) return;
  commit = c;
  NATRIUM_ASSERT(commit <= log.last_index());
}

void node::impl::on_commit_advanced(index_t old_commit) {
  NATRIUM_ASSERT(commit > old_commit);
  for (index_t i = std::max(old_commit, log.snap_index()) + 1; i <= commit; ++i) {
    const entry& e = log.at(i);
    if (e.term == term) uncommitted_bytes -= std::min(uncommitted_bytes, e.data.size());
  }
  if (committed_in_term()) release_deferred_reads();
  // A leader removed from the membership leads until the removal commits.
  if (!members().contains(cfg.id) && commit >= pending_conf_index) {
    become_follower(term, 0);
  }
}

}  // namespace natrium::raft
