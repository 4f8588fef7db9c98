#pragma once
// Raft's safety properties, checked after every event of the simulation
// (the Raft paper, figure 3):
// - election safety: at most one leader per term;
// - leader append-only (checked by the world when a leader persists);
// - log matching: two durable logs with an entry of the same index and term
//   hold the same entry there and agree on the term of the entry before it
//   (which, by induction, makes the whole prefixes identical);
// - leader completeness: a new leader's log holds every entry any node has
//   applied (applied implies committed);
// - state-machine safety: every node applies the same entry at each index.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/raft/raft.h"
#include "tests/sim/cluster/world.h"

namespace natrium::sim::cluster {

class safety_checker {
 public:
  explicit safety_checker(verdict& v) : verdict_(v) {}

  // `term_now`: the applying node's current term, an upper bound of the term
  // in which the entry was committed.
  void on_apply(raft::peer_id n, const raft::entry& e, raft::term_t term_now);
  void on_durable(raft::peer_id n, const sim_node& node, const std::vector<raft::entry>& entries);
  // Role/term changes: election safety and leader completeness.
  void after_event(const sim_node& node);
  // Committed entries are safe against every election that could still
  // happen: any node that a quorum would find at least as up to date as
  // itself (the voting rule) holds the newest committed entry. Catches a
  // commit that a later election could undo before that election happens
  // (the Figure 8 situation), on the nodes' durable logs.
  void check_electable(const std::vector<sim_node>& nodes);

  std::uint64_t leader_terms() const noexcept { return leaders_.size(); }
  raft::index_t highest_applied() const noexcept { return applied_.empty() ? 0 : applied_.rbegin()->first; }

 private:
  struct fingerprint {
    raft::term_t term;
    std::uint32_t checksum;  // of the whole entry
    bool operator==(const fingerprint&) const = default;
  };
  void leader_complete(const sim_node& node, raft::term_t term);

  verdict& verdict_;
  std::map<raft::term_t, raft::peer_id> leaders_;
  std::map<raft::index_t, fingerprint> applied_;
  // index -> the lowest term of a node seen applying it: the entry was
  // committed in that term or earlier (leader completeness binds leaders of
  // later terms only).
  std::map<raft::index_t, raft::term_t> committed_by_;
  bool reconfigured_ = false;        // a config entry became durable somewhere: memberships differ from "all"
  std::uint64_t electable_sig_ = 0;  // the durable state last checked by check_electable
  // (index, term) -> the entry's checksum and the term of the entry before it (0: unknown/compacted)
  std::map<std::pair<raft::index_t, raft::term_t>, std::pair<std::uint32_t, raft::term_t>> durable_;
  std::map<raft::peer_id, std::pair<raft::role, raft::term_t>> last_role_;
};

}  // namespace natrium::sim::cluster
