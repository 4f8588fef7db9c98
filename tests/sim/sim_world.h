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
std::string describe(const net_shape& n);

class sim_world {
 public:
  sim_world(const server::config& cfg, const net_shape& net, base::prng& rng, oracle& o, verdict& v,
            trace_log& t, fault_injector* fault = nullptr);

  std::int64_t now_ns() const noexcept { return now_ns_; }
  server::node& node() noexcept { return node_; }

  int open_client(const client_profile& profile);
  sim_client* client(int id);                  // nullptr if unknown
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

 private:
  struct vconn {
    std::unique_ptr<sim_client> client;
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
  void on_write_storage(server::write_storage w);
  void storage_done();
  std::string at() const { return "t=" + std::to_string(now_ns_) + " "; }

  net_shape net_;
  base::prng& rng_;
  oracle& oracle_;
  verdict& verdict_;
  trace_log& trace_;
  fault_injector* fault_;
  store::memory_store store_;  // before node_: the node reads it until it is gone
  server::node node_;
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
