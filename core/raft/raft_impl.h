#pragma once
// node::impl: the state of one Raft node, shared by raft.cpp (construction,
// ready/advance, status), raft_step.cpp (message dispatch), raft_election.cpp
// (roles, votes, timers), raft_replication.cpp (appends, snapshots, commit)
// and raft_control.cpp (reads, membership, transfer). Internal to core/raft.
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/progress.h"
#include "core/raft/raft.h"
#include "core/raft/raft_log.h"

namespace natrium::raft {

struct node::impl {
  impl(const config& c, restored_state disk, base::mono_time t);

  // --- configuration and clock ---
  config cfg;
  base::prng rng;
  base::mono_time now;

  // --- persistent state (term, vote, commit go to disk as hard_state) ---
  term_t term = 0;
  peer_id vote = 0;
  index_t commit = 0;
  hard_state persisted;                  // last hard state handed to the host
  bool persisted_known = false;          // false: write a hard state in the next ready
  index_t commit_floor = 0;              // the restored hard state's commit: persisted commits never go below it
  hard_state current_hard() const;
  raft_log log;
  snapshot snap;                         // the latest snapshot (index 0: none)
  std::optional<snapshot> pending_snap;  // received, goes out in the next ready
  membership snap_members;               // membership at log.snap_index()
  std::vector<std::pair<index_t, membership>> config_history;  // config entries in the log

  // --- volatile state ---
  role r = role::follower;
  peer_id lead = 0;
  index_t applied = 0;                   // the host has applied up to here
  index_t applying = 0;                  // handed out for applying up to here
  std::map<peer_id, progress> prs;       // leader: every voter but itself
  std::map<peer_id, bool> votes;         // (pre-)candidate: answers received
  base::mono_time election_deadline;
  base::mono_time heartbeat_deadline;
  base::mono_time leader_contact;        // last append/heartbeat/snapshot from the leader
  bool leader_contact_known = false;
  peer_id transferee = 0;
  base::mono_time transfer_deadline;
  index_t pending_conf_index = 0;        // leader: index of the last config entry (or its first entry)
  std::size_t uncommitted_bytes = 0;     // leader: data bytes proposed in this term, not committed

  // --- corruption repair ---
  bool repairing = false;
  index_t repair_target = 0;
  term_t vote_floor = 0;

  // --- linearizable reads ---
  struct read_round {
    std::uint64_t context = 0;
    index_t index = 0;
    std::uint64_t request = 0;
    std::set<peer_id> acks;
  };
  std::deque<read_round> rounds;         // leader: waiting for a heartbeat quorum, context ascending
  std::deque<std::uint64_t> deferred_reads;  // leader: waiting for the first commit of its term
  std::vector<read_state> ready_reads;
  std::uint64_t read_context = 0;

  // --- output ---
  std::vector<message> msgs;
  bool ready_out = false;

  // --- counters ---
  std::uint64_t corrupt_records = 0;
  std::uint64_t torn_records = 0;
  std::uint64_t corrupt_messages = 0;
  std::uint64_t dropped_messages = 0;
  std::uint64_t dropped_reads = 0;

  // raft.cpp
  void restore(restored_state disk);
  void restore_log(const restored_state& disk);
  bool has_ready() const;
  ready take_ready();
  void advance_ready(const ready& rd);
  base::mono_time next_deadline() const;
  status state() const;
  void send(message m);
  const membership& members() const;
  membership members_at(index_t i) const;
  void on_entry_appended(const entry& e);  // config entries take effect here
  void on_truncated(index_t from);
  void check_repaired();

  // raft_step.cpp
  void step(const message& m);
  void step_leader(const message& m);
  void step_candidate(const message& m);
  void step_follower(const message& m);
  void handle_stale_term(const message& m);
  void handle_vote_request(const message& m);

  // raft_election.cpp
  void advance(base::mono_time t);
  bool promotable() const;
  bool in_lease() const;
  void reset_election_timer();
  void become_follower(term_t t, peer_id leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  enum class campaign_kind : std::uint8_t { normal, election, transfer };  // normal: pre-vote first if enabled
  void campaign(campaign_kind kind);
  void poll(const message& m);
  void note_leader_contact(peer_id from);
  bool can_grant(const message& m) const;

  // raft_replication.cpp
  void append_local(entry_type type, std::string data);
  bool send_append(peer_id to, bool send_if_empty);
  void send_snapshot(peer_id to, progress& pr);
  void send_heartbeat(peer_id to, std::uint64_t context);
  void broadcast_append();
  void broadcast_heartbeat(std::uint64_t context);
  void handle_append(const message& m);
  void handle_heartbeat(const message& m);
  void handle_snapshot(const message& m);
  void handle_append_response(const message& m);
  void handle_heartbeat_response(const message& m);
  index_t self_match() const;
  bool maybe_commit();
  void commit_to(index_t c);
  void on_commit_advanced(index_t old_commit);

  // raft_control.cpp
  base::result<index_t> propose(std::string data);
  base::result<index_t> propose_change(const config_change& c);
  void transfer_leadership(peer_id to);
  void abort_transfer();
  void read_index(std::uint64_t request);
  void start_read(std::uint64_t request);
  void ack_reads(peer_id from, std::uint64_t context);
  void release_deferred_reads();
  void drop_reads();
  void compact(index_t index, std::string data);
  bool committed_in_term() const;
};

}  // namespace natrium::raft
