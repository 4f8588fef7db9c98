#pragma once
// Process statistics for monitoring (varz mem/cpu/cores, /metrics), read from
// /proc/self/stat the way nats-server's pse_linux.go does.
#include <cstdint>

namespace natrium::native {

struct process_sample {
  std::int64_t rss_bytes = 0;
  double cpu_seconds = 0;  // user + system
};

// One reading of /proc/self/stat (zeros if it cannot be read).
process_sample read_process_sample();
// CPUs this process may run on (sched_getaffinity, as Go's runtime.NumCPU).
int available_cores();

// CPU use in percent of one core, averaged over the last completed window of
// at least one second (nats-server samples every second).
class cpu_meter {
 public:
  cpu_meter();
  double percent(double cpu_seconds, std::int64_t mono_ns);

 private:
  double window_cpu_ = 0;
  std::int64_t window_start_ns_ = 0;
  double last_percent_ = 0;
};

}  // namespace natrium::native
