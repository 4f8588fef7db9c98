#include "native/jetstream_limits.h"

#include <sys/statvfs.h>
#include <sys/sysinfo.h>

#include <cstdlib>

namespace natrium::native {

namespace {

// 75% of the space available to us on the filesystem that holds `dir` (or its
// nearest existing parent: nothing is created here).
std::int64_t disk_estimate(std::string dir) {
  constexpr std::int64_t fallback = 1LL << 40;  // JetStreamMaxStoreDefault (1 TB)
  for (;;) {
    struct statvfs fs{};
    if (::statvfs(dir.c_str(), &fs) == 0) {
      return static_cast<std::int64_t>(static_cast<std::uint64_t>(fs.f_bavail) * fs.f_bsize / 4 * 3);
    }
    const auto slash = dir.find_last_of('/');
    if (slash == std::string::npos || dir == "/") return fallback;
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
}

std::int64_t memory_estimate() {
  constexpr std::int64_t fallback = 256LL * 1024 * 1024;  // JetStreamMaxMemDefault
  struct sysinfo si{};
  if (::sysinfo(&si) != 0 || si.totalram == 0) return fallback;
  const std::int64_t total = static_cast<std::int64_t>(si.totalram) * si.mem_unit;
  return total / 4 * 3;
}

}  // namespace

monitor::jetstream_settings jetstream_settings_for(const options& o) {
  monitor::jetstream_settings js;
  js.enabled = o.jetstream.enabled || o.node.jetstream;
  if (!js.enabled) return js;
  std::string base = o.jetstream.store_dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/nats";
  }
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  js.store_dir = base + "/jetstream";
  js.max_memory = o.jetstream.max_memory_store.value_or(-1) >= 0 ? *o.jetstream.max_memory_store : memory_estimate();
  js.max_storage = o.jetstream.max_file_store.value_or(-1) >= 0 ? *o.jetstream.max_file_store : disk_estimate(js.store_dir);
  js.domain = o.jetstream.domain;
  return js;
}

}  // namespace natrium::native
