#pragma once
// The JetStream workload (natrium-sim --js): virtual clients create a file
// stream S (subjects js.>) and a durable pull consumer PULL (explicit acks),
// then publishers publish with reply subjects (PubAcks), the pull client
// fetches and acks (with a reply subject: AckAck; without; -NAK; or not at
// all, so ack_wait redelivers), and an ordered-style push consumer (ephemeral,
// ack none, flow control, idle heartbeats, as nats clients create them) reads
// the stream. At seeded steps the node crashes: unsynced writes are partly lost
// (sim_world::crash_and_restart), a new node recovers from the disk, clients
// reconnect, and a new ordered consumer incarnation starts (from the start of
// the stream, or after the last seq it saw, as a client's reset does).
// js_oracle checks every message and the disk after each restart and at the
// end, when everything has settled (every publish acknowledged, the ordered
// consumer at the end of the stream, the pull consumer's ack floor there too).
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "tests/sim/js_client.h"
#include "tests/sim/js_oracle.h"
#include "tests/sim/sim_world.h"
#include "tests/sim/workload.h"

namespace natrium::sim {

// Per-seed shape of the JetStream workload (swarm testing).
struct js_shape {
  int publishers = 2;
  int max_inflight = 8;      // unacknowledged publishes per publisher
  int pub_pm = 500, fetch_pm = 150, ack_pm = 250;  // per mille of steps (the rest idle)
  int ack_confirm_pct = 60, ack_plain_pct = 10, nak_pct = 5;  // the rest: never acked (ack_wait)
  int big_pct = 5;           // payloads of 1 KB to big_max
  int big_max = 6000;
  int crashes = 2;
  int keep_pct = 50;         // an unsynced batch survives a crash (as a prefix)
  int jump_pct = 2;          // a step followed by a clock jump of up to 3 s
  int ordered_all_pct = 50;  // a new ordered incarnation starts at seq 1 (else after the last seen)
  int msg_id_pct = 50;       // a publish carries Nats-Msg-Id
  int ordered_filter_pct = 20;  // an ordered incarnation has a filter subject (js.* or js.<k>)
  int retry_pct = 50;
  std::int64_t disk_latency_max_ns = 5'000'000;  // slow disks: more writes unsynced at a crash        // one with an id, unacknowledged at a crash, is sent again after it
  std::int64_t ack_wait_ns = 1'000'000'000;
  std::int64_t heartbeat_ns = 1'000'000'000;
};

js_shape make_js_shape(base::prng& rng);
std::string describe(const js_shape& s);

// Deliberate bugs for the self-tests (sim_js_catches_*).
enum class js_fault : std::uint8_t { none, early_done, drop_consumer_state, reorder };

run_result run_js_seed(const run_params& p, js_fault fault);

class js_workload {
 public:
  js_workload(sim_world& w, js_oracle& o, verdict& v, base::prng& rng, trace_log& t, const js_shape& s,
              const run_params& p, js_fault fault);

  void setup();  // stream and pull consumer; then the clients
  void step(int n);
  void finish();
  std::string summary() const;

 private:
  struct pub_msg {
    std::string subject, payload, msg_id;  // msg_id: sent as Nats-Msg-Id if not empty
    bool retry = false;
  };
  struct publisher {
    int cid = 0;
    std::uint64_t next = 1;
    std::map<std::string, pub_msg> inflight;  // reply subject -> message
    std::deque<pub_msg> retries;  // unacknowledged when the node crashed: sent again, same Nats-Msg-Id
  };
  struct pending_ack {
    std::string subject;
    std::uint64_t sseq = 0;
    int mode = 0;  // 0 confirm, 1 plain, 2 nak
  };
  struct puller {
    int cid = 0;
    std::uint64_t next = 1;
    std::map<std::string, int> fetches;        // reply subject -> messages still due (one at a time)
    std::deque<pending_ack> acks;
    std::map<std::string, std::uint64_t> ackacks;  // reply subject -> stream seq
  };
  struct ordered {
    int cid = 0;
    int incarnation = 0;
    bool begun = false, created = false;
    std::string create_reply, deliver, deliver_sid, name, filter;
    std::uint64_t start_seq = 1;
    int reorder_countdown = 25;  // js_fault::reorder
    std::optional<delivery> held;
  };

  js_client* client(int cid);
  void open_clients();
  void crash();
  void publish(publisher& p);
  void fetch(int batch, std::int64_t expires_ns);
  void do_acks(std::size_t n);
  void begin_ordered();
  void on_publisher_msg(std::size_t i, const delivery& d);
  void on_puller_msg(const delivery& d);
  void on_pull_data(const delivery& d);
  void on_ordered_msg(const delivery& d);
  void on_ordered_data(const delivery& d);
  void advance();
  bool settled() const;
  void fail(const std::string& why) { verdict_.fail(why); }

  sim_world& world_;
  js_oracle& oracle_;
  verdict& verdict_;
  base::prng& rng_;
  trace_log& trace_;
  js_shape shape_;
  run_params params_;
  js_fault fault_;
  std::set<int> crash_steps_;
  std::vector<publisher> pubs_;
  puller pull_;
  ordered ord_;
  bool finishing_ = false;
  int setup_cid_ = 0;
  std::map<std::string, bool> setup_replies_;  // reply -> answered
  std::uint64_t fetches_ = 0, naks_ = 0, plain_acks_ = 0, flow_controls_ = 0, jumps_ = 0, abandoned_pubs_ = 0, retried_ = 0;
};

}  // namespace natrium::sim
