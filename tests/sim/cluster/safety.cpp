#include "tests/sim/cluster/safety.h"

#include <tuple>

namespace natrium::sim::cluster {
namespace {

std::string at(raft::index_t i, raft::term_t t) {
  return "index " + std::to_string(i) + " term " + std::to_string(t);
}

// The membership a restart would give node n: its newest durable config
// entry (and that entry's index), else its snapshot's, else every node (the
// initial membership; index 0 for both).
std::pair<raft::membership, raft::index_t> durable_members(const sim_node& n, std::size_t nodes) {
  const auto& log = n.disk.durable_log();
  for (auto it = log.rbegin(); it != log.rend(); ++it) {
    if (it->second.type != raft::entry_type::config) continue;
    if (auto d = raft::decode_config_entry(it->second.data)) return {d->after, it->first};
  }
  if (n.disk.durable_snapshot()) return {n.disk.durable_snapshot()->members, 0};
  raft::membership all;
  for (std::size_t i = 1; i <= nodes; ++i) all.voters.push_back(static_cast<raft::peer_id>(i));
  return {all, 0};
}

}  // namespace

void safety_checker::on_apply(raft::peer_id n, const raft::entry& e, raft::term_t term_now) {
  const auto [cb, first] = committed_by_.emplace(e.index, term_now);
  if (!first) cb->second = std::min(cb->second, term_now);
  const fingerprint f{e.term, e.checksum};
  const auto [it, fresh] = applied_.emplace(e.index, f);
  if (!fresh && !(it->second == f)) {
    verdict_.fail("state-machine safety: n" + std::to_string(n) + " applied " + at(e.index, e.term) +
                  " where another node applied term " + std::to_string(it->second.term));
  }
  if (!e.valid()) verdict_.fail("n" + std::to_string(n) + " applied a corrupted entry at " + at(e.index, e.term));
}

void safety_checker::on_durable(raft::peer_id n, const sim_node& node, const std::vector<raft::entry>& entries) {
  const auto& log = node.disk.durable_log();
  for (const raft::entry& e : entries) {
    if (e.type == raft::entry_type::config) reconfigured_ = true;
    raft::term_t prev = 0;
    if (e.index > 1) {
      const auto p = log.find(e.index - 1);
      if (p != log.end()) prev = p->second.term;
      else if (node.disk.durable_snapshot() && node.disk.durable_snapshot()->index == e.index - 1)
        prev = node.disk.durable_snapshot()->term;
    }
    const auto key = std::make_pair(e.index, e.term);
    const auto [it, fresh] = durable_.emplace(key, std::make_pair(e.checksum, prev));
    if (fresh) continue;
    if (it->second.first != e.checksum) {
      verdict_.fail("log matching: n" + std::to_string(n) + " stored a different entry at " + at(e.index, e.term));
      return;
    }
    if (prev != 0 && it->second.second != 0 && prev != it->second.second) {
      verdict_.fail("log matching: n" + std::to_string(n) + " has " + at(e.index, e.term) + " after term " +
                    std::to_string(prev) + ", another node after term " + std::to_string(it->second.second));
      return;
    }
    if (it->second.second == 0) it->second.second = prev;
  }
}

void safety_checker::after_event(const sim_node& node) {
  if (!node.up || !node.raft) return;
  const raft::status st = node.raft->state();
  auto& last = last_role_[node.id];
  if (st.r == raft::role::leader) {
    const auto [it, fresh] = leaders_.emplace(st.term, node.id);
    if (!fresh && it->second != node.id) {
      verdict_.fail("election safety: n" + std::to_string(node.id) + " and n" + std::to_string(it->second) +
                    " are both leaders of term " + std::to_string(st.term));
      return;
    }
    if (last.first != raft::role::leader || last.second != st.term) leader_complete(node, st.term);
  }
  last = {st.r, st.term};
}

void safety_checker::leader_complete(const sim_node& node, raft::term_t term) {
  // The new leader's log: what it has durably, plus the write it may still be
  // syncing (a candidate may have accepted entries just before it won).
  std::map<raft::index_t, raft::term_t> log;
  for (const auto& [i, e] : node.disk.durable_log()) log[i] = e.term;
  if (node.persisting) {
    for (const raft::entry& e : node.persisting->entries) {
      log.erase(log.lower_bound(e.index), log.end());
      log[e.index] = e.term;
    }
  }
  raft::index_t snap_index = node.disk.durable_snapshot() ? node.disk.durable_snapshot()->index : 0;
  if (node.persisting && node.persisting->snap) snap_index = std::max(snap_index, node.persisting->snap->index);
  for (const auto& [i, f] : applied_) {
    if (i <= snap_index) continue;
    // Leader completeness binds the leaders of terms after the commit: a
    // leader of an older term (a candidate that won late, e.g. after a pause)
    // may lack it; it cannot commit anything and steps down at once.
    if (committed_by_[i] >= term) continue;
    const auto it = log.find(i);
    if (it == log.end() || it->second != f.term) {
      verdict_.fail("leader completeness: n" + std::to_string(node.id) + " became leader of term " +
                    std::to_string(term) + " without the committed entry at " + at(i, f.term));
      return;
    }
  }
}

void safety_checker::check_electable(const std::vector<sim_node>& nodes) {
  if (applied_.empty() || verdict_.failed()) return;
  const auto& [ci, newest] = *applied_.rbegin();
  // Only the durable state matters: skip when none of it changed.
  std::uint64_t sig = ci * 0x9e3779b97f4a7c15ULL;
  for (const sim_node& n : nodes) {
    const auto& log = n.disk.durable_log();
    const auto& hard = n.disk.durable_hard();
    sig = sig * 1099511628211ULL + (log.empty() ? 0 : log.rbegin()->first * 31 + log.rbegin()->second.term);
    sig = sig * 1099511628211ULL + (n.disk.durable_snapshot() ? n.disk.durable_snapshot()->index : 0);
    sig = sig * 1099511628211ULL + (hard ? hard->repair_until * 7 + hard->checksum : 0) + (n.disk.damaged() ? 1 : 0);
  }
  if (sig == electable_sig_) return;
  electable_sig_ = sig;
  struct view {
    raft::peer_id id;
    bool usable;             // can vote and campaign (no damaged record, not repairing)
    raft::index_t last_index;
    raft::term_t last_term;
    bool has_newest;
    raft::membership members;  // whose votes it needs (its own durable membership)
    bool campaigns = true;     // a member, or removed by a config entry above its commit
  };
  std::vector<view> vs;
  // Every node as a restart would find it now (durable state only): its log,
  // and whether it would vote at all (no damaged record, no repair pending
  // in its hard state). A running node is never more willing to vote for a
  // stale candidate than that: its memory only holds more.
  for (const sim_node& n : nodes) {
    view v{n.id, !n.disk.damaged(), 0, 0, false, {}, true};
    const auto hard = n.disk.durable_hard();
    if (reconfigured_) {
      raft::index_t config_index = 0;
      std::tie(v.members, config_index) = durable_members(n, nodes.size());
      v.campaigns = v.members.contains(n.id) || (hard && config_index > hard->commit);
    }
    const auto& log = n.disk.durable_log();
    const auto& snap = n.disk.durable_snapshot();
    if (!log.empty()) {
      v.last_index = log.rbegin()->first;
      v.last_term = log.rbegin()->second.term;
    } else if (snap) {
      v.last_index = snap->index;
      v.last_term = snap->term;
    }
    if (hard && (!hard->valid() || hard->repair_until > v.last_index)) v.usable = false;
    const auto it = log.find(ci);
    v.has_newest = (it != log.end() && it->second.term == newest.term) || (snap && snap->index >= ci);
    vs.push_back(v);
  }
  // A candidate needs votes from a quorum of its own membership (its own
  // counts only if it is in it); a node outside its own membership campaigns
  // only while its removal is uncommitted. (Voters do not check theirs.)
  for (const view& x : vs) {
    if (!x.usable || x.has_newest || !x.campaigns) continue;
    const std::size_t quorum = reconfigured_ ? x.members.quorum() : nodes.size() / 2 + 1;
    std::size_t supporters = 0;
    for (const view& y : vs) {
      if (!y.usable || (reconfigured_ && !x.members.contains(y.id))) continue;
      if (x.last_term > y.last_term || (x.last_term == y.last_term && x.last_index >= y.last_index)) ++supporters;
    }
    if (supporters >= quorum) {
      verdict_.fail("leader completeness (potential): n" + std::to_string(x.id) + " (last " +
                    std::to_string(x.last_index) + "@" + std::to_string(x.last_term) + ") lacks the committed entry at " +
                    at(ci, newest.term) + " yet " + std::to_string(supporters) +
                    " nodes would vote for it: an election can undo a commit");
      return;
    }
  }
}

}  // namespace natrium::sim::cluster
