#pragma once
// The workload: what virtual clients do at each step (SUB, UNSUB, PUB, HPUB,
// requests, PING barriers, going away, going silent), how far the virtual clock
// moves between steps, and the end of a run (settle everything, let silent
// clients go stale, check that every op was accounted for).
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/server/config.h"
#include "tests/sim/sim_world.h"

namespace natrium::sim {

struct run_params {
  std::uint64_t seed = 1;
  int steps = 400;
  int clients = 6;
  bool trace = false;
  bool jetstream = false;  // --jetstream: the node runs JetStream on the simulated disk (no extra draws)
  fault_kind fault = fault_kind::none;  // --inject: prove the oracle catches it
  volatile int* progress = nullptr;  // if set: the current step (crash reports)
};

struct run_result {
  bool ok = true;
  int step = 0;             // the step at which the first invariant failed
  std::string reason;
  std::uint64_t hash = 0;   // of the whole trace
  std::string summary;
};

// Per-seed workload shape (swarm testing: each seed stresses different things).
struct swarm {
  int alphabet = 3;      // subject tokens 'a'.. ('a' + alphabet - 1)
  int max_tokens = 3;
  int star_pct = 25;     // a pattern token is '*'
  int tail_gt_pct = 15;  // a pattern ends in '>'
  int full_gt_pct = 3;   // a pattern is just '>'
  int queue_pct = 35;    // a SUB joins queue group q1 or q2
  int unique_pct = 0;    // a PUB goes to a fresh subject (churns the sublist cache)
  int hpub_pct = 40;
  // Per mille of steps; the rest of 1000 is idle.
  int gone_pm = 8, silent_pm = 4, sub_pm = 190, unsub_pm = 100, pub_pm = 320, request_pm = 160, ping_pm = 100;
  int jump_pct = 2;      // steps followed by a big clock jump (ping timers fire)
};

swarm make_swarm(base::prng& rng);
std::string describe(const swarm& s);

// One whole run of one seed.
run_result run_seed(const run_params& p);

class workload {
 public:
  workload(sim_world& w, oracle& o, verdict& v, base::prng& rng, const server::config& cfg, const swarm& sw,
           const run_params& p);

  void step(int n);
  // Settles all outstanding ops and checks the end state; then the run is over.
  void finish();
  std::string summary() const;

 private:
  client_profile random_profile();
  std::string random_literal();
  std::string random_pattern();
  void act(sim_client& c);
  void advance();
  bool settle();               // every ready client PINGs; runs until the oracle has checked all
  void expire_silent();

  struct silent_client {
    int id;
    std::int64_t since_ns;
  };

  sim_world& world_;
  oracle& oracle_;
  verdict& verdict_;
  base::prng& rng_;
  server::config cfg_;
  swarm swarm_;
  run_params params_;
  std::vector<silent_client> silent_;
  std::uint64_t peer_closes_ = 0, requests_ = 0, big_jumps_ = 0, none_subject_ = 0, unique_subject_ = 0;
};

// The node configuration for a seed: its PRNG seed derived from the sim seed,
// random ping timers, and in a quarter of the seeds a small max_pending and
// write deadline (slow consumers, flow control).
server::config make_config(std::uint64_t seed, base::prng& rng);

// The node of the JetStream workloads (js, kv): JetStream on, random ping
// timers; `salt` keeps their PRNG seeds apart.
inline server::config make_jetstream_config(std::uint64_t seed, std::uint64_t salt, base::prng& rng) {
  server::config cfg;
  cfg.server_name = "sim";
  cfg.seed = seed * 0x9e3779b97f4a7c15ULL + salt;
  cfg.ping_interval_ns = between(rng, 1, 30) * 1'000'000'000;
  cfg.ping_max = pick(rng, 1, 3);
  cfg.jetstream = true;
  return cfg;
}

// Runs a workload's steps until p.steps or the first violation, then its
// finish() checks, and reports.
template <typename Workload>
run_result run_steps(Workload& w, const run_params& p, const verdict& v, const trace_log& trace) {
  run_result r;
  w.setup();
  for (; r.step < p.steps && !v.failed(); ++r.step) {
    if (p.progress != nullptr) *p.progress = r.step;
    w.step(r.step);
    if (v.failed()) break;
  }
  if (p.progress != nullptr) *p.progress = r.step;
  if (!v.failed()) w.finish();
  r.ok = !v.failed();
  r.reason = v.reason();
  r.hash = trace.hash();
  r.summary = w.summary();
  return r;
}

}  // namespace natrium::sim
