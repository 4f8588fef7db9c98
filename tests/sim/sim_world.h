#pragma once
// The virtual world: one node, a virtual clock, and virtual connections. The
// world is the node's host: it advances the clock before every event, takes
// send_bytes views (copies them), reports bytes_flushed after a random delay,
// closes connections when told and then reports conn_closed once, and honours
// set_reading (flow control). Bytes travel both ways in random splits with
// random delays; slow readers flush slowly. Events at the same virtual time run
// in insertion order. It also checks the node's side of the host contract (one
// send_bytes in flight per connection, close_conn(flush) only when flushed, an
// abortive close only for a counted slow consumer, a pause of at most 1 s).
// With cfg.jetstream it is also the node's disk: a memory_store attached at
// start; each write_storage batch is applied and reported (storage_done) after
// a random latency, in ticket order. Without JetStream it draws nothing for
// storage, so runs without it stay as they were.
// crash_and_restart() models a power loss: the batches written but not yet
// reported durable survive as a prefix in ticket order (the rest is lost), the
// node and every connection vanish, and a new node recovers from the store.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/server/node.h"
#include "core/store/memory_store.h"
#include "tests/sim/oracle.h"
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_peer.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim {

// How bytes travel, per seed.
struct net_shape {
  int zero_delay_pct = 25;  // an event follows at the same virtual time
  int slow_delay_pct = 10;  // 0.3 to 3 ms instead of up to 0.3 ms
  int whole_pct = 45;       // a read or write carries everything pending
  int tiny_pct = 20;        // a read or write carries 1 to 8 bytes
  // Slow readers: their writes take up to slow_flush_max_ns to flush, so the
  // node's flow control (set_reading) and slow-consumer closes come into play.
  // Only in runs whose config has a small max_pending and write deadline.
  int slow_reader_pct = 0;
  std::int64_t slow_flush_max_ns = 0;
};

net_shape make_net_shape(base::prng& rng, bool slow_readers);

// Deliberate disk bugs, to prove that js_oracle catches lost writes
// (ctest sim_js_catches_*). Off in normal runs.
// How slow the disk's fsync is: 0 (20% of batches) or 20 us up to this.
inline constexpr std::int64_t storage_latency_max_default_ns = 5'000'000;

struct disk_faults {
  bool early_done = false;           // storage_done before the batch is durable
  bool drop_consumer_state = false;  // op_save_consumer never reaches the disk
};
std::string describe(const net_shape& n);

class sim_world {
 public:
  sim_world(const server::config& cfg, const net_shape& net, base::prng& rng, oracle& o, verdict& v,
            trace_log& t, fault_injector* fault = nullptr);

  std::int64_t now_ns() const noexcept { return now_ns_; }
  server::node& node() noexcept { return *node_; }

  int open_client(const client_profile& profile);
  // A client the core oracle does not check (make gets the new id).
  int open_peer(const std::function<std::unique_ptr<sim_peer>(int id)>& make);
  sim_client* client(int id);                  // nullptr if unknown or not a core client
  sim_peer* peer(int id);                      // nullptr if unknown
  std::vector<int> ready_clients() const;      // sorted by id
  void close_by_peer(int id);
  // The client wrote something: schedule its delivery to the node.
  void kick(int id);
  // Runs every event and node timer due up to t, then sets the clock to t.
  void run_until(std::int64_t t_ns);

  std::uint64_t pauses() const noexcept { return pauses_; }
  std::uint64_t slow_consumer_closes() const noexcept { return slow_closes_; }
  std::uint64_t bytes_to_node() const noexcept { return bytes_to_node_; }
  std::uint64_t bytes_from_node() const noexcept { return bytes_from_node_; }
  std::uint64_t storage_batches() const noexcept { return storage_batches_; }
  const store::memory_store& store() const noexcept { return store_; }

  // Before the first event.
  void set_disk_faults(const disk_faults& f);
  void set_storage_latency_max(std::int64_t ns) noexcept { storage_latency_max_ns_ = ns; }
  // Power loss and restart (JetStream only): each batch not yet reported
  // durable survives with probability keep_pct, but only as a prefix in
  // ticket order; every pending event and connection is gone; a new node
  // (fresh PRNG seed, as a new process) attaches the store and recovers.
  void crash_and_restart(int keep_pct);
  std::uint64_t restarts() const noexcept { return restarts_; }
  std::uint64_t batches_lost() const noexcept { return batches_lost_; }

 private:
  struct vconn {
    std::unique_ptr<sim_peer> client;
    sim_client* core = nullptr;   // the same client, if the core oracle checks it
    bool to_node_scheduled = false;
    bool writing = false;         // a send_bytes is handed out, its flush not yet reported
    std::string in_flight;        // copy of the send_bytes view
    std::string to_client;        // written by the host, not yet read by the client
    bool to_client_scheduled = false;
    bool server_closed = false;   // close_conn seen: the socket is closed
    bool eof_due = false;         // the client reads EOF after to_client
    bool peer_gone = false;       // the client went away (we reported conn_closed)
    bool slow_reader = false;
    bool paused = false;          // set_reading(false): deliver nothing more to the node
    bool grace = false;           // ... except one read that was already under way
    std::uint64_t pause_serial = 0;
  };

  void schedule(std::int64_t delay_ns, std::function<void()> fn);
  std::int64_t random_delay();
  std::size_t random_split(std::size_t n);
  void set_time(std::int64_t t_ns);
  void drain();
  void on_send_bytes(int id, std::string_view data);
  void on_close_conn(int id, bool flush);
  bool explain_abortive_close(int id);
  void on_set_reading(int id, bool enabled);
  void deliver_to_node(int id);
  void flush_done(int id);
  void schedule_to_client(int id);
  void deliver_to_client(int id);
  int add_conn(std::unique_ptr<sim_peer> client, sim_client* core, const std::string& what);
  void start_node();
  void on_write_storage(server::write_storage w);
  void storage_done();
  void report_storage_done(std::uint64_t ticket);
  void apply_batch(store::memory_store& target, const server::write_storage& w, const char* how);
  std::string at() const { return "t=" + std::to_string(now_ns_) + " "; }

  net_shape net_;
  base::prng& rng_;
  oracle& oracle_;
  verdict& verdict_;
  trace_log& trace_;
  fault_injector* fault_;
  server::config cfg_;
  store::memory_store store_;  // before node_: the node reads it until it is gone
  std::unique_ptr<server::node> node_;
  disk_faults disk_faults_;
  std::unique_ptr<store::memory_store> early_disk_;  // disk_faults::early_done: store_ is the cache, this the disk
  std::uint64_t restarts_ = 0, batches_lost_ = 0;
  std::int64_t storage_latency_max_ns_ = storage_latency_max_default_ns;
  std::deque<server::write_storage> storage_queue_;  // written, not yet durable (ticket order)
  std::int64_t storage_last_done_ns_ = 0;            // completions never overtake each other
  std::uint64_t storage_last_ticket_ = 0, storage_batches_ = 0;
  std::int64_t now_ns_ = 0;
  std::uint64_t next_event_ = 0;
  std::map<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> events_;  // (time, insertion)
  std::map<int, vconn> conns_;
  int next_id_ = 1;
  std::uint64_t bytes_to_node_ = 0, bytes_from_node_ = 0;
  std::uint64_t slow_seen_ = 0, slow_budget_ = 0;  // node slow_consumers counted / not yet matched to a close
  std::uint64_t pauses_ = 0, slow_closes_ = 0;
};

}  // namespace natrium::sim
