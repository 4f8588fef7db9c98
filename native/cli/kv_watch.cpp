// natrium kv watch BUCKET [KEYS]: the current values, then every change as it
// happens, until SIGINT (or --count entries).
#include <csignal>
#include <cstdio>
#include <fmt/format.h>

#include "native/cli/cli_context.h"
#include "native/cli/kv_bucket.h"
#include "native/cli/kv_common.h"

namespace natrium::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int) { g_interrupted = 1; }

void print_entry(kvEntry* e) {
  const kvOperation op = kvEntry_Operation(e);
  const std::string when = utc_time(kvEntry_Created(e));
  if (op == kvOp_Put) {
    fmt::print("[{}] {} {} > {}: {}\n", when, kv_op_name(op), kvEntry_Bucket(e), kvEntry_Key(e), printable(kv_value(e)));
  } else {
    fmt::print("[{}] {} {} > {}\n", when, kv_op_name(op), kvEntry_Bucket(e), kvEntry_Key(e));
  }
  std::fflush(stdout);
}

}  // namespace

void kv_watch(context& ctx, const std::string& bucket, const std::string& filter, long count) {
  kv_store_ptr kv = open_bucket(ctx, bucket);
  kvWatcher* raw = nullptr;
  kvWatchOptions wo;
  check(kvWatchOptions_Init(&wo), "watch options");
  const natsStatus s = filter.empty() ? kvStore_WatchAll(&raw, kv.get(), &wo)
                                      : kvStore_Watch(&raw, kv.get(), filter.c_str(), &wo);
  kv_check(s, fmt::format("watch {}", bucket));
  kv_watcher_ptr watcher(raw);
  g_interrupted = 0;
  struct sigaction sa{};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  long seen = 0;
  while (g_interrupted == 0 && (count <= 0 || seen < count)) {
    kvEntry* e = nullptr;
    const natsStatus n = kvWatcher_Next(&e, watcher.get(), 200);
    if (n == NATS_TIMEOUT) continue;
    kv_check(n, fmt::format("watch {}", bucket));
    if (e == nullptr) continue;  // the initial values are all in
    kv_entry_ptr entry(e);
    print_entry(e);
    ++seen;
  }
  kvWatcher_Stop(watcher.get());
}

}  // namespace natrium::cli
