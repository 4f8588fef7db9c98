// natrium-sim --cluster: the deterministic Raft cluster simulator.
//   natrium-sim --cluster --seeds=A..B [--nodes=3|5|3,5] [--fault-s=S] [--heal-s=S] [--clients=N]
//   natrium-sim --cluster --seed=N --nodes=3 --trace          replay one seed, printing every event
//   natrium-sim --cluster --random=K                           K fresh seeds (each printed first)
//   natrium-sim --cluster --mutate=NAME --expect-violation     a broken Raft: passes only if a checker catches it
//   --reconfig adds membership changes (remove a voter, add one back) and leadership transfers to the faults.
//   --quiet prints only failures and the summary; --progress=N also the running totals every N seeds.
// A failure prints "FAILED seed=N nodes=K at=T: reason" and the command that replays it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/prng.h"
#include "tests/sim/cluster/cluster_sim.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim::cluster {
namespace {

struct cli {
  params p;
  std::vector<std::uint64_t> seeds;
  std::vector<int> node_counts{3, 5};
  std::uint64_t random = 0;
  bool quiet = false;
  std::uint64_t progress = 0;   // print the running totals every N seeds
  bool expect_violation = false;
  std::string mutation;
};

bool set_mutation(raft::mutations& m, std::string_view name) {
  if (name == "grant-two-votes") m.grant_two_votes_per_term = true;
  else if (name == "commit-earlier-term") m.commit_earlier_term_by_count = true;
  else if (name == "skip-up-to-date-check") m.skip_log_up_to_date_check = true;
  else if (name == "ack-before-durable") m.ack_before_durable = true;
  else if (name == "concurrent-changes") m.concurrent_changes = true;
  else return false;
  return true;
}

bool parse(int argc, char** argv, cli& c) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto num = [&](std::size_t skip) { return to_u64(a.substr(skip)); };
    if (a == "--cluster") continue;
    if (a == "--trace") c.p.trace = true;
    else if (a == "--reconfig") c.p.reconfig = true;
    else if (a == "--quiet") c.quiet = true;
    else if (a == "--expect-violation") c.expect_violation = true;
    else if (a.starts_with("--seed=")) c.seeds.push_back(num(7));
    else if (a.starts_with("--random=")) c.random = num(9);
    else if (a.starts_with("--progress=")) c.progress = num(11);
    else if (a.starts_with("--clients=")) c.p.clients = static_cast<int>(num(10));
    else if (a.starts_with("--fault-s=")) c.p.fault_ns = static_cast<std::int64_t>(num(10)) * 1'000'000'000;
    else if (a.starts_with("--heal-s=")) c.p.heal_ns = static_cast<std::int64_t>(num(9)) * 1'000'000'000;
    else if (a.starts_with("--mutate=")) {
      c.mutation = std::string(a.substr(9));
      if (!set_mutation(c.p.mutate, c.mutation)) return false;
    } else if (a.starts_with("--nodes=")) {
      c.node_counts.clear();
      const std::string_view list = a.substr(8);
      std::size_t start = 0;
      while (start <= list.size()) {
        const std::size_t comma = list.find(',', start);
        const std::string_view one = list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const std::uint64_t n = to_u64(one);
        if (n < 1 || n > 9) return false;
        c.node_counts.push_back(static_cast<int>(n));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else if (a.starts_with("--seeds=") && a.find("..") != std::string_view::npos) {
      const std::string_view r = a.substr(8);
      const std::size_t dots = r.find("..");
      const std::uint64_t lo = to_u64(r.substr(0, dots)), hi = to_u64(r.substr(dots + 2));
      if (lo == 0 || hi < lo) return false;
      for (std::uint64_t s = lo; s <= hi; ++s) c.seeds.push_back(s);
    } else {
      std::fprintf(stderr, "unknown or malformed argument: %s\n", argv[i]);
      return false;
    }
  }
  return c.p.clients > 0;
}

std::string seconds(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(ns) / 1e9);
  return buf;
}

void print_totals(const char* what, std::uint64_t runs, const stats& total) {
  std::printf("%s: %llu seeds, %s simulated (%.1f h), %llu events, %llu faults injected, %llu messages (%llu dropped), "
              "%llu client ops checked (%llu acknowledged), %llu leader terms, 0 violations\n",
              what, static_cast<unsigned long long>(runs), seconds(total.simulated_ns).c_str(),
              static_cast<double>(total.simulated_ns) / 3.6e12, static_cast<unsigned long long>(total.events),
              static_cast<unsigned long long>(total.faults), static_cast<unsigned long long>(total.messages),
              static_cast<unsigned long long>(total.dropped), static_cast<unsigned long long>(total.ops),
              static_cast<unsigned long long>(total.ops_ok), static_cast<unsigned long long>(total.elections));
  std::fflush(stdout);
}

}  // namespace

int cluster_main(int argc, char** argv) {
  cli c;
  if (!parse(argc, argv, c)) {
    std::fprintf(stderr,
                 "usage: natrium-sim --cluster [--seed=N | --seeds=A..B | --random=K] [--nodes=3|5|3,5]\n"
                 "                   [--fault-s=S] [--heal-s=S] [--clients=N] [--reconfig] [--trace] [--quiet] [--progress=N]\n"
                 "                   [--mutate=grant-two-votes|commit-earlier-term|skip-up-to-date-check|"
                 "ack-before-durable|concurrent-changes --expect-violation]\n");
    return 2;
  }
  if (c.random > 0) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    base::prng rng(static_cast<std::uint64_t>(ns));
    for (std::uint64_t i = 0; i < c.random; ++i) c.seeds.push_back((rng.next() >> 20) + 1);
  }
  if (c.seeds.empty()) c.seeds.push_back(1);
  stats total;
  std::uint64_t runs = 0;
  for (std::uint64_t seed : c.seeds) {
    params p = c.p;
    p.seed = seed;
    p.nodes = c.node_counts[seed % c.node_counts.size()];
    if (c.random > 0 && !c.quiet) std::printf("random seed %llu\n", static_cast<unsigned long long>(seed));
    const result r = run_seed(p);
    ++runs;
    total.add(r.st);
    const auto replay = [&] {
      std::printf("replay: natrium-sim --cluster --seed=%llu --nodes=%d --fault-s=%lld --heal-s=%lld --clients=%d%s%s%s --trace\n",
                  static_cast<unsigned long long>(seed), p.nodes, static_cast<long long>(p.fault_ns / 1'000'000'000),
                  static_cast<long long>(p.heal_ns / 1'000'000'000), p.clients, p.reconfig ? " --reconfig" : "",
                  c.mutation.empty() ? "" : " --mutate=", c.mutation.c_str());
    };
    if (!r.ok) {
      std::printf("%s seed=%llu nodes=%d at=%s: %s\n", c.expect_violation ? "CAUGHT" : "FAILED",
                  static_cast<unsigned long long>(seed), p.nodes, seconds(r.at_ns).c_str(), r.reason.c_str());
      std::printf("  fault mix: %s\n", r.mix.c_str());
      replay();
      std::fflush(stdout);
      return c.expect_violation ? 0 : 1;
    }
    if (c.progress > 0 && runs % c.progress == 0) print_totals("progress", runs, total);
    if (!c.quiet) {
      std::printf("ok seed=%llu hash=%s nodes=%d events=%llu faults=%llu ops=%llu/%llu terms=%llu applied=%llu [%s]\n",
                  static_cast<unsigned long long>(seed), hex64(r.hash).c_str(), p.nodes,
                  static_cast<unsigned long long>(r.st.events), static_cast<unsigned long long>(r.st.faults),
                  static_cast<unsigned long long>(r.st.ops_ok), static_cast<unsigned long long>(r.st.ops),
                  static_cast<unsigned long long>(r.st.elections), static_cast<unsigned long long>(r.st.committed),
                  r.mix.c_str());
      std::fflush(stdout);
    }
  }
  print_totals("summary", runs, total);
  if (c.expect_violation) {
    std::printf("NOT CAUGHT: the mutated Raft (%s) passed every seed\n", c.mutation.c_str());
    return 1;
  }
  return 0;
}

}  // namespace natrium::sim::cluster
