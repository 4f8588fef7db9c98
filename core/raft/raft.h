#pragma once
// A sans-I/O Raft node, modelled on etcd-io/raft's RawNode: inputs are calls
// (step a peer's message, advance the clock, propose, campaign, transfer
// leadership, change membership, ask for a linearizable read), output is a
// `ready` batch the host persists, sends and applies, then acknowledges with
// advance_ready(). No I/O, no clock, no randomness but the seeded prng.
//
// Durability rule: everything in ready.messages may depend on ready.hard,
// ready.entries and ready.snap (votes, append responses), so the host sends
// those messages only after they are durable. Committed entries are only ever
// entries that a quorum has durably stored.
//
// Host loop (refinements of part 1, marked [raft part 1] below):
//   while (n.has_ready()) { r = n.take_ready(); persist(r); send(r.messages);
//                           apply(r.committed); serve(r.reads); n.advance_ready(r); }
// - One ready at a time: after take_ready(), has_ready() is false until
//   advance_ready() for it (like etcd's RawNode Ready/Advance). step(),
//   advance() and the other inputs may still be called in between.
// - A leader counts its own entries toward commit only once advance_ready()
//   reported them durable.
// - Reads: read_index() on a node that is not the leader is dropped (counted
//   in status::dropped_reads); the host asks the leader (status().leader).
// - Leader stickiness (a node that heard from a leader within an election
//   timeout ignores vote and pre-vote requests of a higher term) is on when
//   pre_vote or check_quorum is on; a leader keeps its lease only with
//   check_quorum. Votes from a timeout_now transfer carry
//   message::context == vote_context_transfer and ignore stickiness.
// - Check-quorum: a leader steps down when fewer than a quorum of voters
//   (itself included) answered within the last election timeout; it is
//   checked on every advance() (the heartbeat deadline bounds the delay).
// - Membership: a node not in the membership (or repairing, or with a
//   snapshot not yet installed) never campaigns; a leader whose removal
//   committed steps down (it leads, not counting itself, until then).
//
// Files: raft.cpp (construction, restore checks, ready cycle, status),
// raft_step.cpp (message checks, term rules, votes), raft_election.cpp
// (roles, timers, check-quorum), raft_replication.cpp (appends, snapshots,
// commit), raft_control.cpp (propose, membership, transfer, reads, compact),
// raft_log.* (entries and durability), progress.* (per-follower state),
// messages.cpp (CRC-32C, seal/valid, config codecs), raft_impl.h (node::impl).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/time.h"
#include "core/raft/messages.h"

namespace natrium::raft {

struct limits {
  std::size_t entry_bytes_max = 1 << 20;            // propose() refuses larger data
  std::size_t append_bytes_max = 1 << 20;           // entries per append message (at least one), counted by entry_bytes()
  std::size_t inflight_appends_max = 64;            // unacknowledged append messages per follower
  std::size_t uncommitted_bytes_max = 64u << 20;    // a leader refuses proposals beyond this
  std::size_t pending_reads_max = 4096;             // read_index requests waiting for a round
  std::size_t messages_max = 65536;                 // [raft part 1] queued outgoing messages; beyond: dropped (counted)
};

// [raft part 1] TEST ONLY: deliberately broken variants for the simulator's
// mutation tests (each must be caught by some checker). All false in any real
// configuration; each makes the node commit exactly the named bug.
struct mutations {
  bool grant_two_votes_per_term = false;      // grant a vote even if already voted for another in this term
  bool commit_earlier_term_by_count = false;  // ignore the Figure 8 rule (commit an old-term entry by replica count)
  bool skip_log_up_to_date_check = false;     // grant votes to candidates whose log is behind ours
  bool ack_before_durable = false;            // the leader counts its own entries toward commit before they are durable
  bool concurrent_changes = false;            // accept a membership change while another is uncommitted (or before the leader committed in its term)
};

struct config {
  peer_id id = 0;
  // Voters of a new cluster: used when the restored state has no snapshot and
  // no config entries (a fresh node). A node added later starts with {} and
  // learns the membership from the leader (its snapshot or log).
  std::vector<peer_id> initial_voters;
  base::duration_ns election_timeout = base::millis(300);   // randomised in [t, 2t)
  base::duration_ns heartbeat_interval = base::millis(50);
  bool pre_vote = true;
  bool check_quorum = true;      // a leader that hears from no quorum for an election timeout steps down
  std::uint64_t seed = 1;        // election jitter
  limits lim;
  mutations bugs;                // [raft part 1] test only, see struct mutations
};

// What the host read back from its disk at start. The node checks every
// checksum: a bad hard state, snapshot or entry is reported (status) and
// repaired from peers (the log is cut before the first bad entry and the node
// refuses to vote until it has caught up again past what it had), never applied.
// [raft part 1] Rules, each counted in status::corrupt_records:
// - A bad entry (checksum, index not consecutive, term going down, or a config
//   entry whose data does not decode): the log is cut before it; the node is
//   `repairing` until its last index reaches the last index it had on disk
//   (snap index + disk log size); meanwhile it grants no vote or pre-vote and
//   does not campaign (its truncated log must not help elect, or become, a
//   leader that lacks a committed entry). The cut entries are replaced by the
//   leader's appends (ready.entries rewrites the disk from their index on).
//   Exception, the torn write: a bad entry with no intact entry after it and
//   above the persisted commit index is what a crash during the last,
//   unsynced write leaves; the node never acknowledged it, so it is cut
//   without `repairing` (counted in status::torn_records). Residual risk: a
//   durable tail entry above the node's persisted commit index that rots is
//   taken for a torn one; telling them apart would need the peers
//   (protocol-aware recovery), which is not done here.
// - A bad hard state: term = the highest term in the snapshot/log, vote =
//   nobody, commit = min(applied, last index); the node refuses to grant any
//   vote or pre-vote for a term <= that term (status::vote_floor). Residual
//   risk: a vote it cast in a higher term that left no entry is forgotten.
//   A fresh, valid hard state is written in the next ready.
// - A bad snapshot: the snapshot and the log after it are not used (nothing
//   is deleted from disk by the node itself); the node starts empty with no
//   membership, applied 0 (the host must reset its state machine), and is
//   repairing until its log reaches max(the snapshot's claimed index, the last
//   valid entry's index). It learns the membership from the leader.
// - If the disk's `applied` is beyond the (cut) log, entries up to it are not
//   handed out again when they are re-learned.
struct restored_state {
  std::optional<hard_state> hard;
  std::optional<snapshot> snap;
  std::vector<entry> log;          // consecutive, after snap (if any)
  index_t applied = 0;             // what the state machine has applied (>= snap index)
};

struct read_state {
  std::uint64_t request = 0;       // the caller's read_index() id
  index_t index = 0;               // serve the read once applied >= index
};

struct ready {
  std::optional<hard_state> hard;  // persist (replace)
  std::vector<entry> entries;      // persist: replace the log from entries.front().index on
  std::optional<snapshot> snap;    // persist and install; it replaces the whole log (entries after it come in `entries`); before `entries`
  std::vector<message> messages;   // send after the three above are durable
  std::vector<entry> committed;    // apply in order (config entries too: the node has already applied their membership)
  std::vector<read_state> reads;   // linearizable reads now safe at their index
  // [raft part 1] `committed` holds at most limits::append_bytes_max bytes of
  // data (at least one entry); the rest comes in the next ready. Entries in
  // `committed` are always in this ready's `entries` or already durable.
  // `snap`: the host installs it in its state machine; applied becomes snap->index.
  bool empty() const noexcept {
    return !hard && entries.empty() && !snap && messages.empty() && committed.empty() && reads.empty();
  }
};

enum class role : std::uint8_t { follower, pre_candidate, candidate, leader };

struct status {
  peer_id id = 0;
  role r = role::follower;
  term_t term = 0;
  peer_id vote = 0;
  peer_id leader = 0;
  index_t commit = 0;
  index_t applied = 0;
  index_t first_index = 0;         // first entry still in the log (snapshot index + 1)
  index_t last_index = 0;
  term_t last_term = 0;
  membership members;
  bool repairing = false;          // lost entries to corruption: not voting until caught up
  std::uint64_t corrupt_records = 0;
  std::uint64_t torn_records = 0;  // of which torn tails: cut without repairing
  // [raft part 1]
  index_t repair_target = 0;       // repairing: the last index to reach
  term_t vote_floor = 0;           // no vote granted in a term <= this (after a bad hard state)
  std::uint64_t corrupt_messages = 0;   // step(): checksum failed
  std::uint64_t dropped_messages = 0;   // step(): wrong `to`, unknown sender 0 or self; outbox full
  std::uint64_t dropped_reads = 0;      // read_index() while not leader, or too many pending
  peer_id transferee = 0;          // leader: transfer in progress to
};

// [raft part 1] invalid_change: adding a voter that is one, removing one that
// is not, or removing the last voter.
enum class propose_error : std::uint8_t { not_leader, too_large, too_many_uncommitted, change_in_progress, transferring, invalid_change };
const char* describe(propose_error e) noexcept;

class node {
 public:
  node(const config& cfg, restored_state disk, base::mono_time now);
  ~node();
  node(node&&) noexcept;
  node& operator=(node&&) noexcept;

  // --- inputs ---
  void step(const message& m);             // from a peer; invalid checksum or wrong `to`: dropped (counted)
  void advance(base::mono_time now);       // elections, heartbeats, check-quorum
  base::result<index_t> propose(std::string data);                 // leader only; the index it will have
  base::result<index_t> propose_change(const config_change& c);    // one at a time, after the current one commits
  void campaign();                         // start an election now (with pre-vote if enabled)
  void transfer_leadership(peer_id to);    // leader: catch `to` up, then send timeout_now
  void read_index(std::uint64_t request);  // answered in ready.reads (or dropped if leadership is lost)
  // The state machine saved a snapshot at `index` (<= applied): drop the log up to it.
  // [raft part 1] The host has made the snapshot durable itself (it does not
  // come back in ready.snap) and may drop its own log up to index; the node
  // keeps a copy to send to followers that are behind the log. index <=
  // the current snapshot or beyond applied/durable: ignored.
  void compact(index_t index, std::string data);

  // --- outputs ---
  bool has_ready() const;                  // false while a taken ready is not advanced
  ready take_ready();                      // then persist / send / apply it, then:
  void advance_ready(const ready& r);      // it is done (applied up to r.committed.back())
  base::mono_time next_deadline() const;   // call advance() by then

  status state() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::raft
