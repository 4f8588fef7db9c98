// run_seed: one whole deterministic run. Everything random comes from one
// PRNG seeded with the seed, in a fixed order: node config, workload shape,
// network shape, then the run itself.
#include "tests/sim/workload.h"

namespace natrium::sim {

run_result run_seed(const run_params& p) {
  verdict v;
  trace_log trace(p.trace);
  base::prng rng(p.seed);
  server::config cfg = make_config(p.seed, rng);
  cfg.jetstream = p.jetstream;
  const swarm sw = make_swarm(rng);
  const net_shape net = make_net_shape(rng, cfg.max_pending != base::pending_default);
  trace.line("seed=" + std::to_string(p.seed) + " ping_interval_ns=" + std::to_string(cfg.ping_interval_ns) +
             " ping_max=" + std::to_string(cfg.ping_max) + " max_pending=" + std::to_string(cfg.max_pending) +
             " write_deadline_ns=" + std::to_string(cfg.write_deadline_ns) + " " + describe(sw) + " " +
             describe(net));
  oracle o(v, trace);
  fault_injector fault{p.fault};
  sim_world world(cfg, net, rng, o, v, trace, &fault);
  workload w(world, o, v, rng, cfg, sw, p);
  run_result r;
  for (; r.step < p.steps; ++r.step) {
    if (p.progress != nullptr) *p.progress = r.step;
    w.step(r.step);
    if (v.failed()) break;
  }
  if (p.progress != nullptr) *p.progress = r.step;
  if (!v.failed()) w.finish();  // failures here report step == steps: the final settling
  r.ok = !v.failed();
  r.reason = v.reason();
  r.hash = trace.hash();
  r.summary = w.summary();
  return r;
}

}  // namespace natrium::sim
