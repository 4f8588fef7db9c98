// The host's requests to a node: proposals, single-server membership changes
// (thesis §4.1), leadership transfer (thesis §3.10), linearizable reads by
// read-index (thesis §6.4), and log compaction.
#include <algorithm>

#include "core/base/assert.h"
#include "core/raft/raft_impl.h"

namespace natrium::raft {
namespace {

base::error fail(propose_error e) { return base::error{describe(e)}; }

}  // namespace

base::result<index_t> node::impl::propose(std::string data) {
  if (r != role::leader) return fail(propose_error::not_leader);
  if (transferee != 0) return fail(propose_error::transferring);
  if (data.size() > cfg.lim.entry_bytes_max) return fail(propose_error::too_large);
  // At least one entry is always admitted, however large (etcd does the same).
  if (uncommitted_bytes > 0 && uncommitted_bytes + data.size() > cfg.lim.uncommitted_bytes_max) {
    return fail(propose_error::too_many_uncommitted);
  }
  uncommitted_bytes += data.size();
  append_local(entry_type::normal, std::move(data));
  broadcast_append();
  NATRIUM_ASSERT(log.last_term() == term);
  return log.last_index();
}

base::result<index_t> node::impl::propose_change(const config_change& c) {
  if (r != role::leader) return fail(propose_error::not_leader);
  if (transferee != 0) return fail(propose_error::transferring);
  if (pending_conf_index > commit && !cfg.bugs.concurrent_changes) return fail(propose_error::change_in_progress);
  config_entry_data d;
  d.change = c;
  d.after = members();
  const bool member = d.after.contains(c.peer);
  if (c.peer == 0) return fail(propose_error::invalid_change);
  if (c.type == change_type::add_voter) {
    if (member) return fail(propose_error::invalid_change);
    d.after.voters.insert(std::upper_bound(d.after.voters.begin(), d.after.voters.end(), c.peer), c.peer);
  } else {
    if (!member || d.after.voters.size() == 1) return fail(propose_error::invalid_change);
    d.after.voters.erase(std::find(d.after.voters.begin(), d.after.voters.end(), c.peer));
  }
  append_local(entry_type::config, encode_config_entry(d));  // takes effect now
  pending_conf_index = log.last_index();
  NATRIUM_ASSERT(members() == d.after);
  broadcast_append();
  return log.last_index();
}

void node::impl::transfer_leadership(peer_id to) {
  if (r != role::leader || to == cfg.id || !prs.count(to)) return;
  if (transferee == to) return;  // already on it
  transferee = to;
  transfer_deadline = now + cfg.election_timeout;
  const progress& pr = prs.at(to);
  if (pr.match == log.last_index()) {
    message t;
    t.type = msg_type::timeout_now;
    t.to = to;
    t.term = term;
    send(std::move(t));
  } else {
    send_append(to, true);  // catch it up first; timeout_now follows its answer
  }
}

void node::impl::abort_transfer() {
  NATRIUM_ASSERT(r == role::leader);
  transferee = 0;
}

bool node::impl::committed_in_term() const {
  const auto t = log.term(commit);
  return t && *t == term;
}

void node::impl::read_index(std::uint64_t request) {
  if (r != role::leader || rounds.size() + deferred_reads.size() >= cfg.lim.pending_reads_max) {
    ++dropped_reads;
    return;
  }
  if (!committed_in_term()) {
    deferred_reads.push_back(request);  // our commit may be behind the last leader's
    return;
  }
  start_read(request);
}

void node::impl::start_read(std::uint64_t request) {
  NATRIUM_ASSERT(r == role::leader);
  NATRIUM_ASSERT(committed_in_term());
  if (members().voters.size() == 1 && members().contains(cfg.id)) {
    ready_reads.push_back(read_state{request, commit});  // nobody else to ask
    return;
  }
  read_round rd;
  rd.context = ++read_context;
  rd.index = commit;
  rd.request = request;
  if (members().contains(cfg.id)) rd.acks.insert(cfg.id);
  rounds.push_back(rd);
  broadcast_heartbeat(rd.context);
}

void node::impl::ack_reads(peer_id from, std::uint64_t context) {
  NATRIUM_ASSERT(r == role::leader);
  if (!members().contains(from)) return;
  // An answer to a heartbeat of round c confirms every round up to c.
  std::size_t confirmed = 0;
  for (std::size_t i = 0; i < rounds.size() && rounds[i].context <= context; ++i) {
    rounds[i].acks.insert(from);
    if (rounds[i].acks.size() >= members().quorum()) confirmed = i + 1;
  }
  for (std::size_t i = 0; i < confirmed; ++i) {
    ready_reads.push_back(read_state{rounds.front().request, rounds.front().index});
    rounds.pop_front();
  }
}

void node::impl::release_deferred_reads() {
  while (!deferred_reads.empty() && r == role::leader) {
    const std::uint64_t req = deferred_reads.front();
    deferred_reads.pop_front();
    start_read(req);
  }
}

void node::impl::drop_reads() {
  dropped_reads += rounds.size() + deferred_reads.size();
  rounds.clear();
  deferred_reads.clear();
}

void node::impl::compact(index_t index, std::string data) {
  if (index <= log.snap_index() || index > applied || index > log.durable_last()) return;
  const auto t = log.term(index);
  NATRIUM_ASSERT(t.has_value());
  snapshot s;
  s.index = index;
  s.term = *t;
  s.members = members_at(index);
  s.data = std::move(data);
  s.seal();
  snap_members = s.members;
  config_history.erase(std::remove_if(config_history.begin(), config_history.end(),
                                      [&](const auto& c) { return c.first <= index; }),
                       config_history.end());
  log.compact_to(index);
  snap = std::move(s);
  NATRIUM_ASSERT(log.snap_index() == snap.index);
}

}  // namespace natrium::raft
