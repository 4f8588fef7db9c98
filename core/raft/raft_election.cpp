// Roles, elections and timers: randomised election timeouts in [t, 2t),
// pre-vote (thesis §9.6), check-quorum, leader stickiness.
#include <algorithm>

#include "core/base/assert.h"
#include "core/raft/raft_impl.h"

namespace natrium::raft {

void node::impl::advance(base::mono_time t) {
  if (t > now) now = t;
  if (r != role::leader) {
    if (now >= election_deadline) {
      if (promotable()) {
        campaign(campaign_kind::normal);
      } else {
        reset_election_timer();
      }
    }
    return;
  }
  if (now >= heartbeat_deadline) {
    heartbeat_deadline = now + cfg.heartbeat_interval;
    broadcast_heartbeat(read_context);
  }
  if (transferee != 0 && now >= transfer_deadline) abort_transfer();
  // Check-quorum: step down unless a quorum answered within an election timeout.
  if (cfg.check_quorum) {
    std::size_t active = members().contains(cfg.id) ? 1 : 0;
    for (const auto& [p, pr] : prs) {
      if (now - pr.last_active < cfg.election_timeout) ++active;
    }
    if (active < members().quorum()) become_follower(term, 0);
  }
}

// A node outside its own membership still campaigns while the entry that
// removed it is uncommitted: it may still be needed to commit it (thesis
// §4.2.2; without this, nodes holding different uncommitted removals can
// leave no node able to win: simulator seeds 337992 and 364919 --reconfig).
// It never counts its own vote then.
bool node::impl::promotable() const {
  const bool needed = members().contains(cfg.id) || (!config_history.empty() && config_history.back().first > commit);
  return needed && !repairing && !pending_snap;
}

bool node::impl::in_lease() const {
  if (r == role::leader) return cfg.check_quorum;
  if (!cfg.check_quorum && !cfg.pre_vote) return false;
  return lead != 0 && leader_contact_known && now - leader_contact < cfg.election_timeout;
}

void node::impl::reset_election_timer() {
  const auto t = static_cast<std::uint64_t>(cfg.election_timeout.ns);
  election_deadline = now + base::duration_ns{static_cast<std::int64_t>(t + rng.below(t))};
  NATRIUM_ASSERT(election_deadline >= now + cfg.election_timeout);
}

void node::impl::note_leader_contact(peer_id from) {
  NATRIUM_ASSERT(r == role::follower);
  lead = from;
  leader_contact = now;
  leader_contact_known = true;
  reset_election_timer();
}

void node::impl::become_follower(term_t t, peer_id leader) {
  NATRIUM_ASSERT(t >= term);
  if (t > term) {
    term = t;
    vote = 0;
  }
  if (r == role::leader) {
    drop_reads();
    prs.clear();
    transferee = 0;
  }
  r = role::follower;
  lead = leader;
  votes.clear();
  uncommitted_bytes = 0;
  reset_election_timer();
}

void node::impl::become_pre_candidate() {
  NATRIUM_ASSERT(r != role::leader);
  NATRIUM_ASSERT(promotable());
  r = role::pre_candidate;
  lead = 0;
  votes.clear();
  reset_election_timer();
}

void node::impl::become_candidate() {
  NATRIUM_ASSERT(r != role::leader);
  NATRIUM_ASSERT(promotable());
  r = role::candidate;
  ++term;
  vote = cfg.id;
  lead = 0;
  votes.clear();
  reset_election_timer();
}

void node::impl::become_leader() {
  NATRIUM_ASSERT(r == role::candidate);
  NATRIUM_ASSERT(vote == cfg.id);
  r = role::leader;
  lead = cfg.id;
  votes.clear();
  prs.clear();
  for (peer_id p : members().voters) {
    if (p == cfg.id) continue;
    progress pr;
    pr.next = log.last_index() + 1;
    pr.last_active = now;  // a grace period of one election timeout
    prs.emplace(p, pr);
  }
  heartbeat_deadline = now + cfg.heartbeat_interval;
  transferee = 0;
  uncommitted_bytes = 0;
  // No config change until the entries of earlier terms are known committed
  // (etcd: pendingConfIndex = lastIndex).
  pending_conf_index = log.last_index();
  append_local(entry_type::empty, {});
  broadcast_append();
}

void node::impl::campaign(campaign_kind kind) {
  if (r == role::leader || !promotable()) return;
  const bool transfer = kind == campaign_kind::transfer;
  if (cfg.pre_vote && kind == campaign_kind::normal) {
    become_pre_candidate();
  } else {
    become_candidate();
  }
  const bool pre = r == role::pre_candidate;
  if (members().contains(cfg.id)) votes[cfg.id] = true;
  if (members().contains(cfg.id) && members().quorum() <= 1) {
    // A cluster of one: we already have a quorum.
    if (pre) become_candidate();
    become_leader();
    return;
  }
  for (peer_id p : members().voters) {
    if (p == cfg.id) continue;
    message m;
    m.type = pre ? msg_type::pre_vote : msg_type::vote;
    m.to = p;
    m.term = pre ? term + 1 : term;
    m.index = log.last_index();
    m.log_term = log.last_term();
    m.context = transfer ? vote_context_transfer : 0;
    send(std::move(m));
  }
}

void node::impl::poll(const message& m) {
  NATRIUM_ASSERT(r == role::candidate || r == role::pre_candidate);
  if (!members().contains(m.from)) return;
  votes.emplace(m.from, !m.reject);  // the first answer counts
  std::size_t granted = 0;
  std::size_t rejected = 0;
  for (const auto& [p, yes] : votes) (yes ? granted : rejected)++;
  const std::size_t q = members().quorum();
  if (granted >= q) {
    if (r == role::pre_candidate) {
      campaign(campaign_kind::election);  // the real election (pre-vote done)
    } else {
      become_leader();
    }
  } else if (rejected > members().voters.size() - q) {  // cannot win any more
    become_follower(term, 0);
  }
}

}  // namespace natrium::raft
