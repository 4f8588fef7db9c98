// step(): checks a peer's message (checksum, address), applies the term rules
// of the Raft paper (§5.1) with pre-vote and leader stickiness (thesis §9.6),
// answers vote requests, and hands the rest to the role's handler.
#include <algorithm>

#include "core/base/assert.h"
#include "core/raft/raft_impl.h"

namespace natrium::raft {
namespace {

bool from_leader(msg_type t) {
  return t == msg_type::append || t == msg_type::heartbeat || t == msg_type::install_snapshot;
}

bool entries_well_formed(const message& m, std::size_t entry_bytes_max) {
  index_t expect = m.index + 1;
  term_t t = m.log_term;
  for (const entry& e : m.entries) {
    if (!e.valid() || e.index != expect++ || e.data.size() > entry_bytes_max) return false;
    if (e.term < t || e.term > m.term) return false;
    t = e.term;
    if (e.type == entry_type::config && !decode_config_entry(e.data)) return false;
  }
  if (m.type == msg_type::install_snapshot) {
    if (!m.snap || !m.snap->valid() || m.snap->index == 0 || m.snap->term > m.term) return false;
    const auto& v = m.snap->members.voters;
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i - 1] >= v[i]) return false;  // sorted, unique
    }
  }
  return !m.snap || m.snap->valid();
}

}  // namespace

void node::impl::step(const message& m) {
  if (!m.valid()) {
    ++corrupt_messages;
    return;
  }
  if (m.to != cfg.id || m.from == 0 || m.from == cfg.id) {
    ++dropped_messages;
    return;
  }
  if (!entries_well_formed(m, cfg.lim.entry_bytes_max)) {
    ++corrupt_messages;  // a sender bug or an attack: sealed, but not sane
    return;
  }
  if (m.term > term) {
    if (m.type == msg_type::vote || m.type == msg_type::pre_vote) {
      const bool force = m.context == vote_context_transfer;
      if (!force && in_lease()) return;  // a live leader exists: ignore the disruption
    }
    if (m.type == msg_type::pre_vote) {
      // never changes our term
    } else if (m.type == msg_type::pre_vote_response && !m.reject) {
      // the term we would campaign in; changes nothing until we win
    } else {
      become_follower(m.term, from_leader(m.type) ? m.from : 0);
    }
  } else if (m.term < term) {
    handle_stale_term(m);
    return;
  }
  switch (m.type) {
    case msg_type::vote:
    case msg_type::pre_vote: handle_vote_request(m); return;
    default: break;
  }
  switch (r) {
    case role::leader: step_leader(m); return;
    case role::candidate:
    case role::pre_candidate: step_candidate(m); return;
    case role::follower: step_follower(m); return;
  }
}

void node::impl::handle_stale_term(const message& m) {
  NATRIUM_ASSERT(m.term < term);
  if (m.type == msg_type::append || m.type == msg_type::heartbeat) {
    // A deposed leader (or one cut off by check-quorum / pre-vote, which
    // never raises its term): tell it our term so it steps down.
    message out;
    out.type = msg_type::append_response;
    out.to = m.from;
    out.term = term;
    send(std::move(out));
  } else if (m.type == msg_type::pre_vote) {
    message out;
    out.type = msg_type::pre_vote_response;
    out.to = m.from;
    out.term = term;
    out.reject = true;
    send(std::move(out));
  }
  // anything else from an old term is ignored
}

bool node::impl::can_grant(const message& m) const {
  if (repairing) return false;
  if (m.term <= vote_floor) return false;
  const bool up_to_date = cfg.bugs.skip_log_up_to_date_check || log.is_up_to_date(m.index, m.log_term);
  if (!up_to_date) return false;
  if (m.type == msg_type::pre_vote) return m.term > term || vote == m.from || (vote == 0 && lead == 0);
  NATRIUM_ASSERT(m.term == term);
  if (vote == m.from) return true;
  if (vote == 0 && lead == 0) return true;
  return cfg.bugs.grant_two_votes_per_term && r == role::follower;
}

void node::impl::handle_vote_request(const message& m) {
  NATRIUM_ASSERT(m.term >= term);
  message out;
  out.type = m.type == msg_type::vote ? msg_type::vote_response : msg_type::pre_vote_response;
  out.to = m.from;
  if (can_grant(m)) {
    // A pre-vote answer carries the candidate's term: it is accepted there.
    out.term = m.term;
    out.reject = false;
    if (m.type == msg_type::vote) {
      vote = m.from;
      reset_election_timer();
    }
  } else {
    out.term = term;
    out.reject = true;
  }
  send(std::move(out));
}

void node::impl::step_leader(const message& m) {
  NATRIUM_ASSERT(m.term == term);
  switch (m.type) {
    case msg_type::append_response: handle_append_response(m); return;
    case msg_type::heartbeat_response: handle_heartbeat_response(m); return;
    default: return;  // another leader in our term cannot exist; stale answers
  }
}

void node::impl::step_candidate(const message& m) {
  switch (m.type) {
    case msg_type::append:
    case msg_type::heartbeat:
    case msg_type::install_snapshot:
      // A leader exists in our term: we lost.
      become_follower(m.term, m.from);
      step_follower(m);
      return;
    case msg_type::vote_response:
      if (r == role::candidate) poll(m);
      return;
    case msg_type::pre_vote_response:
      if (r == role::pre_candidate) poll(m);
      return;
    default: return;
  }
}

void node::impl::step_follower(const message& m) {
  switch (m.type) {
    case msg_type::append:
      note_leader_contact(m.from);
      handle_append(m);
      return;
    case msg_type::heartbeat:
      note_leader_contact(m.from);
      handle_heartbeat(m);
      return;
    case msg_type::install_snapshot:
      note_leader_contact(m.from);
      handle_snapshot(m);
      return;
    case msg_type::timeout_now:
      // Leadership transfer: campaign at once, skipping pre-vote and stickiness.
      if (promotable()) campaign(campaign_kind::transfer);
      return;
    default: return;
  }
}

}  // namespace natrium::raft
