#pragma once
// The simulated world of one seed: the event queue (virtual time), the nodes
// (a Raft node, its disk, its key-value machine, its host loop), the network
// between them, and the faults the injector can apply. The safety checker
// and the clients plug in through the hooks below.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/raft.h"
#include "tests/sim/cluster/kv_machine.h"
#include "tests/sim/cluster/sim_disk.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim::cluster {

// How hostile this seed's world is (swarm testing: each seed draws its own).
struct fault_mix {
  int loss_pct = 0;            // per message
  int dup_pct = 0;
  int corrupt_pct = 0;         // damaged in flight: the checksum must catch it
  std::int64_t jitter_ns = 0;  // added latency, uniform: reorders messages
  int crash_weight = 0;        // relative weights of the injector's node/link faults
  int partition_weight = 0;
  int isolate_weight = 0;
  int asym_weight = 0;
  int clog_weight = 0;
  int pause_weight = 0;
  int clock_weight = 0;
  int disk_weight = 0;         // a corrupted record or hard-state slot, found at the next restart
  int torn_pct = 0;            // a crash tears the last unsynced entry
  int write_error_pct = 0;     // per sync: the disk fails the write, the node stops (fail-stop)
  int leader_crash_pct = 0;    // a new leader crashes within 60 ms of its election
  int member_weight = 0;       // --reconfig: the leader removes a voter or adds one back
  int transfer_weight = 0;     // --reconfig: the leader hands leadership to another voter
  std::int64_t fault_every_ns = 1'000'000'000;
  std::string describe() const;
  static fault_mix draw(base::prng& rng);
};

// A client's request to a node, and the node's answer.
struct client_request {
  int client = 0;
  std::uint64_t op = 0;
  bool read = false;
  kv_command cmd;              // for writes
  std::string key;             // for reads
};
enum class reply_status : std::uint8_t { ok, not_leader, failed };
struct client_reply {
  int client = 0;
  std::uint64_t op = 0;
  reply_status status = reply_status::failed;
  raft::peer_id leader_hint = 0;
  std::optional<std::string> value;  // reads
  bool swapped = false;              // cas
};

struct world_hooks {
  std::function<void(const client_reply&)> on_reply;
  // Safety checks: a node applied `e` (index order); a node's durable log got `entries`;
  // a node is about to persist a ready while being leader.
  std::function<void(raft::peer_id, const raft::entry&)> on_apply;
  std::function<void(raft::peer_id, const std::vector<raft::entry>&)> on_durable;
  std::function<void(raft::peer_id)> after_event;  // after every event that touched a node
  std::function<void(std::string)> violation;       // an invariant the world itself can see broke
};

struct sim_node {
  raft::peer_id id = 0;
  bool up = true;
  std::int64_t paused_until = 0;
  std::int64_t clock_offset = 0;      // local monotonic clock = global + offset (only jumps forward)
  std::uint64_t incarnation = 0;      // bumped on crash: stale events for the old life are ignored
  std::uint64_t timer_gen = 0;
  std::optional<raft::node> raft;
  sim_disk disk;
  kv_machine kv;
  std::optional<raft::ready> persisting;
  raft::index_t applied = 0;
  raft::index_t last_written = 0;     // last log index handed to the disk (leader append-only check)
  bool corrupt_at_restart = false;    // the injector damaged its disk while it was down
  struct pending_write { int client; std::uint64_t op; raft::term_t term; };
  std::map<raft::index_t, pending_write> writes;
  struct pending_read { int client; std::uint64_t op; std::string key; raft::index_t index = 0; };
  std::map<std::uint64_t, pending_read> reads;        // read_index requests in flight
  std::multimap<raft::index_t, pending_read> ready_reads;  // confirmed, waiting for applied >= index
};

class world {
 public:
  world(std::uint64_t seed, int nodes, const raft::config& base_cfg, fault_mix mix, bool trace);

  std::int64_t now() const noexcept { return now_; }
  base::prng& rng() noexcept { return rng_; }
  trace_log& trace() noexcept { return trace_; }
  world_hooks& hooks() noexcept { return hooks_; }
  std::vector<sim_node>& nodes() noexcept { return nodes_; }
  const fault_mix& mix() const noexcept { return mix_; }
  void calm();  // the heal phase: no more message faults

  // The event queue.
  void at(std::int64_t t, std::function<void()> fn);
  bool run_one();                 // false when the queue is empty
  bool next_before(std::int64_t t) const;

  // Clients reach nodes directly (no partitions), with latency.
  void send_request(raft::peer_id to, client_request req);

  // Faults.
  void crash(raft::peer_id n);
  void restart(raft::peer_id n);
  void pause(raft::peer_id n, std::int64_t d);
  void jump_clock(raft::peer_id n, std::int64_t d);
  void block(raft::peer_id from, raft::peer_id to, bool blocked);
  void clog(raft::peer_id from, raft::peer_id to, std::int64_t until);
  void heal_network();
  // Control inputs (the --reconfig faults): a membership change proposed at
  // node n (false if it refused), a leadership transfer asked of node n.
  bool change_membership(raft::peer_id n, const raft::config_change& c);
  void transfer_leadership(raft::peer_id n, raft::peer_id to);
  raft::peer_id leader() const;  // a running leader of the highest term, 0 if none

  std::uint64_t messages_sent = 0, messages_dropped = 0;

 private:
  sim_node& node(raft::peer_id id) { return nodes_[id - 1]; }
  std::int64_t local(const sim_node& n) const { return now_ + n.clock_offset; }
  raft::config config_for(raft::peer_id id) const;
  void start(sim_node& n);
  void pump(sim_node& n);
  void on_synced(sim_node& n);
  void apply_committed(sim_node& n, const raft::ready& r);
  void serve_reads(sim_node& n);
  void arm_timer(sim_node& n);
  void send(raft::message m);
  void deliver(const raft::message& m, std::uint64_t incarnation);
  void on_request(sim_node& n, const client_request& req);
  void reply(const client_reply& r);
  bool busy(const sim_node& n) const { return !n.up || now_ < n.paused_until; }
  void touched(sim_node& n);

  struct event {
    std::int64_t t;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  std::priority_queue<event, std::vector<event>, std::greater<>> queue_;
  std::uint64_t seq_ = 0;
  std::int64_t now_ = 0;
  base::prng rng_;
  raft::config base_cfg_;
  fault_mix mix_;
  bool calm_ = false;
  trace_log trace_;
  world_hooks hooks_;
  std::vector<sim_node> nodes_;
  std::set<std::pair<raft::peer_id, raft::peer_id>> blocked_;
  std::map<std::pair<raft::peer_id, raft::peer_id>, std::int64_t> clogged_until_;
};

}  // namespace natrium::sim::cluster
