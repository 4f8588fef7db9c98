// natrium-sim: deterministic simulation of one node with virtual clients.
//   natrium-sim --seed=N [--steps=N] [--clients=N] [--trace]
//   natrium-sim --seeds=A..B          a range of seeds
//   natrium-sim --random=K            K seeds drawn from the clock (each printed first)
//   natrium-sim --inject=drop|dup|reorder|misroute   corrupt one observed message: must FAIL
//   natrium-sim --jetstream           the node runs JetStream (its writes go to the simulated disk)
//   natrium-sim --js                  the JetStream workload instead (js_workload.h): publish, consume,
//                                     ack, crash and restart with loss of unsynced writes
//   natrium-sim --js --inject=js-early-done|js-drop-consumer-state|js-reorder   a bug js_oracle must catch
//   natrium-sim --kv                  the KV workload (kv_workload.h): puts, creates, updates, deletes,
//                                     purges, gets and watchers on one bucket, with crashes and restarts
//   natrium-sim --kv --inject=kv-stale-read|kv-lost-ack|kv-watch-reorder   a bug kv_checker must catch
//   natrium-sim --kv-selftest         hand-made histories kv_checker must reject (or accept)
//   natrium-sim --cluster ...         the Raft cluster simulator (tests/sim/cluster/cluster_main.cpp)
// Prints "FAILED seed=N step=S: reason" and exits 1 at the first violated invariant.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/prng.h"
#include "tests/sim/cluster/cluster_sim.h"
#include "tests/sim/js_workload.h"
#include "tests/sim/kv_workload.h"
#include "tests/sim/workload.h"

#if defined(__SANITIZE_ADDRESS__)
#define NATRIUM_SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NATRIUM_SIM_ASAN 1
#endif
#endif
#ifdef NATRIUM_SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace {

using natrium::sim::run_params;

// A crash (a failed NATRIUM_ASSERT aborts; a sanitizer report) must still name
// the seed. Only async-signal-safe calls in here.
std::uint64_t crash_seed = 0;
volatile int crash_step = 0;

void report_crash(const char* what) {
  char buf[160];
  std::size_t n = 0;
  const auto put = [&](const char* s) {
    while (*s != '\0' && n < sizeof buf - 1) buf[n++] = *s++;
  };
  const auto put_u64 = [&](std::uint64_t v) {
    char digits[24];
    int k = 0;
    do digits[k++] = static_cast<char>('0' + v % 10); while ((v /= 10) != 0);
    while (k > 0 && n < sizeof buf - 1) buf[n++] = digits[--k];
  };
  put("FAILED seed=");
  put_u64(crash_seed);
  put(" step=");
  put_u64(static_cast<std::uint64_t>(crash_step));
  put(": ");
  put(what);
  put("\n");
  (void)!write(1, buf, n);
}

extern "C" void on_fatal_signal(int sig) {
  report_crash(sig == SIGABRT ? "aborted (a failed assertion?)" : "crashed (fatal signal)");
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_crash_report() {
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_fatal_signal);
#ifdef NATRIUM_SIM_ASAN
  __sanitizer_set_death_callback([] { report_crash("sanitizer error (report above)"); });
#endif
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  const std::string text(s);
  out = std::strtoull(text.c_str(), &end, 10);
  return end != nullptr && *end == '\0';
}

struct options {
  run_params params;
  bool js = false, kv = false, kv_selftest = false;
  natrium::sim::js_fault js_fault = natrium::sim::js_fault::none;
  natrium::sim::kv_fault kv_fault = natrium::sim::kv_fault::none;
  std::vector<std::uint64_t> seeds;
  std::uint64_t random = 0;
};

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::uint64_t v = 0, hi = 0;
    if (a == "--trace") {
      o.params.trace = true;
    } else if (a == "--jetstream") {
      o.params.jetstream = true;
    } else if (a == "--js") {
      o.js = true;
    } else if (a == "--kv") {
      o.kv = true;
    } else if (a == "--kv-selftest") {
      o.kv_selftest = true;
    } else if (a == "--inject=kv-stale-read") {
      o.kv_fault = natrium::sim::kv_fault::stale_read;
    } else if (a == "--inject=kv-lost-ack") {
      o.kv_fault = natrium::sim::kv_fault::lost_ack;
    } else if (a == "--inject=kv-watch-reorder") {
      o.kv_fault = natrium::sim::kv_fault::watch_reorder;
    } else if (a == "--inject=js-early-done") {
      o.js_fault = natrium::sim::js_fault::early_done;
    } else if (a == "--inject=js-drop-consumer-state") {
      o.js_fault = natrium::sim::js_fault::drop_consumer_state;
    } else if (a == "--inject=js-reorder") {
      o.js_fault = natrium::sim::js_fault::reorder;
    } else if (a.starts_with("--seed=") && parse_u64(a.substr(7), v)) {
      o.seeds.push_back(v);
    } else if (a.starts_with("--steps=") && parse_u64(a.substr(8), v)) {
      o.params.steps = static_cast<int>(v);
    } else if (a.starts_with("--clients=") && parse_u64(a.substr(10), v) && v > 0) {
      o.params.clients = static_cast<int>(v);
    } else if (a.starts_with("--random=") && parse_u64(a.substr(9), v)) {
      o.random = v;
    } else if (a.starts_with("--inject=")) {
      const std::string_view k = a.substr(9);
      using natrium::sim::fault_kind;
      if (k == "drop") o.params.fault = fault_kind::drop;
      else if (k == "dup") o.params.fault = fault_kind::dup;
      else if (k == "reorder") o.params.fault = fault_kind::reorder;
      else if (k == "misroute") o.params.fault = fault_kind::misroute;
      else return false;
    } else if (a.starts_with("--seeds=") && a.find("..") != std::string_view::npos) {
      const std::string_view range = a.substr(8);
      const std::size_t dots = range.find("..");
      if (!parse_u64(range.substr(0, dots), v) || !parse_u64(range.substr(dots + 2), hi) || hi < v) {
        std::fprintf(stderr, "bad seed range: %s\n", argv[i]);
        return false;
      }
      for (std::uint64_t s = v; s <= hi; ++s) o.seeds.push_back(s);
    } else {
      std::fprintf(stderr, "unknown or malformed argument: %s\n", argv[i]);
      return false;
    }
  }
  return true;
}

// The one clock read of the simulator: it picks seeds, and each is printed
// before it runs so that a failure can be replayed with --seed.
std::vector<std::uint64_t> random_seeds(std::uint64_t k) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  natrium::base::prng rng(static_cast<std::uint64_t>(ns));
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = 0; i < k; ++i) out.push_back(rng.next() >> 16);  // short enough to type
  return out;
}

int run_all(const options& o) {
  for (std::uint64_t seed : o.seeds) {
    run_params p = o.params;
    p.seed = seed;
    p.progress = &crash_step;
    crash_seed = seed;
    const natrium::sim::run_result r = o.kv   ? natrium::sim::run_kv_seed(p, o.kv_fault)
                                       : o.js ? natrium::sim::run_js_seed(p, o.js_fault)
                                              : natrium::sim::run_seed(p);
    if (!r.ok) {
      std::printf("FAILED seed=%llu step=%d: %s\n", static_cast<unsigned long long>(seed), r.step,
                  r.reason.c_str());
      std::printf("replay: natrium-sim --seed=%llu --steps=%d --clients=%d%s%s --trace\n",
                  static_cast<unsigned long long>(seed), p.steps, p.clients, p.jetstream ? " --jetstream" : "",
                  o.js ? " --js" : o.kv ? " --kv" : "");
      std::fflush(stdout);
      return 1;
    }
    std::printf("ok seed=%llu hash=%s %s\n", static_cast<unsigned long long>(seed),
                natrium::sim::hex64(r.hash).c_str(), r.summary.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  install_crash_report();
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--cluster") return natrium::sim::cluster::cluster_main(argc, argv);
  options o;
  if (!parse_args(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: natrium-sim [--seed=N] [--seeds=A..B] [--random=K] [--steps=N] [--clients=N] [--jetstream] [--trace]\n"
                 "                   [--inject=drop|dup|reorder|misroute]\n"
                 "                   [--js [--inject=js-early-done|js-drop-consumer-state|js-reorder]]\n"
                 "                   [--kv [--inject=kv-stale-read|kv-lost-ack|kv-watch-reorder]] [--kv-selftest]\n");
    return 2;
  }
  if (o.kv_selftest) return natrium::sim::run_kv_selftest() == 0 ? 0 : 1;
  if (o.random > 0) {
    for (std::uint64_t s : random_seeds(o.random)) {
      std::printf("random seed %llu\n", static_cast<unsigned long long>(s));
      std::fflush(stdout);
      options one = o;
      one.seeds = {s};
      if (run_all(one) != 0) return 1;
    }
  }
  if (o.seeds.empty() && o.random == 0) o.seeds.push_back(1);
  return run_all(o);
}
