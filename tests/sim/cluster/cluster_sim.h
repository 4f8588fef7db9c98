#pragma once
// The deterministic cluster simulator: N Raft nodes (core/raft) each running
// the replicated key-value machine, clients, and a virtual network and disk
// with faults, all driven by one event queue in virtual time. A seed fixes
// everything (fault mix, timings, workload): the same seed gives the same
// trace hash. Safety is checked after every event, linearizability and
// liveness at the end of the run.
#include <cstdint>
#include <string>

#include "core/raft/raft.h"

namespace natrium::sim::cluster {

struct params {
  std::uint64_t seed = 1;
  int nodes = 3;
  int clients = 4;
  std::int64_t fault_ns = 20'000'000'000;   // virtual time with faults injected
  std::int64_t heal_ns = 10'000'000'000;    // then everything heals: liveness must follow
  bool trace = false;
  bool reconfig = false;                    // membership changes and leadership transfers among the faults
  raft::mutations mutate;                   // deliberately broken Raft (tests that the checkers catch it)
};

struct stats {
  std::uint64_t events = 0;
  std::int64_t simulated_ns = 0;
  std::uint64_t faults = 0;        // crashes, partitions, pauses, clock jumps, clogs, disk faults
  std::uint64_t messages = 0;      // sent between nodes
  std::uint64_t dropped = 0;       // lost, corrupted or blocked by a partition
  std::uint64_t ops = 0;           // client operations checked for linearizability
  std::uint64_t ops_ok = 0;        // ... of which acknowledged
  std::uint64_t elections = 0;     // distinct leader terms
  std::uint64_t committed = 0;     // highest index applied
  void add(const stats& o);
};

struct result {
  bool ok = true;
  std::string reason;
  std::int64_t at_ns = 0;
  std::uint64_t hash = 0;
  std::string mix;                 // the seed's fault mix, for the report
  stats st;
};

result run_seed(const params& p);

// natrium-sim --cluster ...: see cluster_main.cpp.
int cluster_main(int argc, char** argv);

}  // namespace natrium::sim::cluster
