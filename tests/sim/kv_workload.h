#pragma once
// The KV workload (natrium-sim --kv): virtual clients use one KV bucket the
// way the official clients build it on JetStream, against one node in virtual
// time, with power losses and restarts (sim_world::crash_and_restart).
// - The bucket is the file stream KV_<b> (subjects $KV.<b>.>, history as
//   max_msgs_per_subject, discard new, roll-ups allowed, deletes denied, direct
//   gets allowed), created with $JS.API.STREAM.CREATE.KV_<b>.
// - put: PUB $KV.<b>.<key> with a reply inbox (the PubAck's seq is the
//   revision); create: Nats-Expected-Last-Subject-Sequence: 0; update: the
//   expected revision (10071 when stale); delete: KV-Operation: DEL; purge:
//   KV-Operation: PURGE with Nats-Rollup: sub.
// - get: $JS.API.DIRECT.GET.KV_<b>.$KV.<b>.<key> (reply headers
//   Nats-Sequence, ..., or a 404 status), the JSON direct get
//   {"last_by_subj":...}, or $JS.API.STREAM.MSG.GET.KV_<b>.
// - watch: an ordered push consumer (ack none, flow control, idle heartbeats,
//   last_per_subject or all with history, filter $KV.<b>.> or one key),
//   answering flow control, taking the stream seq as the revision and the
//   end of the initial data from num_pending 0 in the $JS.ACK subject. After a
//   restart each watcher recreates its consumer from its last revision + 1.
// A small key space makes the calls contend; kv_checker checks the history.
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/store/memory_store.h"
#include "tests/sim/js_client.h"
#include "tests/sim/kv_checker.h"
#include "tests/sim/sim_world.h"
#include "tests/sim/workload.h"

namespace natrium::sim {

struct kv_shape {
  int clients = 3, keys = 4, history = 5, max_inflight = 2;
  int op_pm = 600;  // per mille of steps that start a call (the rest idle)
  int put_pct = 25, create_pct = 10, update_pct = 20, del_pct = 7, purge_pct = 3;  // the rest: get
  int get_subject_pct = 50, get_json_pct = 30;  // the rest: $JS.API.STREAM.MSG.GET
  int watchers = 2, watch_history_pct = 40, watch_key_pct = 30;
  int crashes = 2, keep_pct = 50, jump_pct = 2;
  std::int64_t disk_latency_max_ns = 5'000'000;
  std::int64_t heartbeat_ns = 1'000'000'000;
};

kv_shape make_kv_shape(base::prng& rng);
std::string describe(const kv_shape& s);

// Deliberate mistakes in what the clients report, to prove that kv_checker
// catches them in a live run (ctest sim_kv_catches_*).
enum class kv_fault : std::uint8_t { none, stale_read, lost_ack, watch_reorder };

run_result run_kv_seed(const run_params& p, kv_fault fault);
// Hand-made bad (and good) histories fed to kv_checker (kv_selftest.cpp):
// returns the number of cases that went wrong, printing each.
int run_kv_selftest();

// The bucket's stream on the simulated disk, as kv_checker sees it.
class kv_disk_view final : public kv_store_view {
 public:
  kv_disk_view(const store::memory_store& disk, store::stream_id stream, std::string prefix)
      : disk_(disk), stream_(stream), prefix_(std::move(prefix)) {}
  std::optional<kv_entry> load(std::uint64_t rev) const override;
  std::uint64_t last_seq() const override;

 private:
  const store::memory_store& disk_;
  store::stream_id stream_;
  std::string prefix_;
};

class kv_workload {
 public:
  kv_workload(sim_world& w, kv_checker& k, verdict& v, base::prng& rng, trace_log& t, const kv_shape& s,
              const run_params& p, kv_fault fault);

  void setup();
  void step(int n);
  void finish();
  std::string summary() const;

 private:
  enum class get_form : std::uint8_t { subject, json, msg_get };
  struct pending {
    int id = 0;
    kv_call kind = kv_call::get;
    std::string key;
    get_form form = get_form::subject;
  };
  struct kv_user {
    int cid = 0;
    std::uint64_t next = 1;
    bool subscribed = false;
    std::map<std::string, pending> calls;        // reply subject -> call
    std::map<std::string, std::uint64_t> known;  // key -> last revision this client learned
  };
  struct kv_watcher {
    int cid = 0, index = 0;
    std::string filter, create_reply, deliver, deliver_sid, consumer;
    bool history = false, begun = false, created = false;
    std::uint64_t held_rev = 0;  // kv_fault::watch_reorder
    std::optional<delivery> held;
  };

  js_client* client(int cid);
  void open_clients();
  void crash();
  void start_call(kv_user& u);
  void send_write(kv_user& u, kv_call kind, const std::string& key);
  void send_get(kv_user& u, const std::string& key);
  void on_user_msg(std::size_t i, const delivery& d);
  void on_write_reply(kv_user& u, const pending& p, const delivery& d);
  void on_get_reply(kv_user& u, const pending& p, const delivery& d);
  void on_get_missing(const pending& p);
  void begin_watch(kv_watcher& w);
  void on_watch_msg(std::size_t i, const delivery& d);
  void on_watch_data(kv_watcher& w, const delivery& d);
  void advance();
  bool settled() const;
  void fail(const std::string& why) { verdict_.fail(why); }

  sim_world& world_;
  kv_checker& checker_;
  verdict& verdict_;
  base::prng& rng_;
  trace_log& trace_;
  kv_shape shape_;
  run_params params_;
  kv_fault fault_;
  std::string bucket_ = "sim", stream_, prefix_;
  kv_disk_view disk_;
  std::set<int> crash_steps_;
  std::vector<kv_user> users_;
  std::vector<kv_watcher> watchers_;
  bool finishing_ = false;
  int setup_cid_ = 0, fault_countdown_ = 30;
  bool setup_done_ = false;
  std::uint64_t next_value_ = 1, flow_controls_ = 0, heartbeats_ = 0, jumps_ = 0, by_form_[3] = {0, 0, 0};
};

}  // namespace natrium::sim
