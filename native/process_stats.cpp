#include "native/process_stats.h"

#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace natrium::native {

process_sample read_process_sample() {
  process_sample s;
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces: parse after the last ')'.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(text.substr(close + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string w; fields >> w && f.size() < 22;) f.push_back(w);
  if (f.size() < 22) return s;
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  const double utime = std::strtod(f[11].c_str(), nullptr);  // field 14
  const double stime = std::strtod(f[12].c_str(), nullptr);  // field 15
  s.cpu_seconds = ticks > 0 ? (utime + stime) / static_cast<double>(ticks) : 0;
  s.rss_bytes = std::strtoll(f[21].c_str(), nullptr, 10) * (page > 0 ? page : 4096);  // field 24
  return s;
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

cpu_meter::cpu_meter() {
  window_cpu_ = read_process_sample().cpu_seconds;
  window_start_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
}

double cpu_meter::percent(double cpu_seconds, std::int64_t mono_ns) {
  const std::int64_t elapsed = mono_ns - window_start_ns_;
  if (elapsed >= 1'000'000'000) {
    const double used = cpu_seconds - window_cpu_;
    // One decimal, as the reference's (total*1000/ticks)/seconds / 10.
    last_percent_ = static_cast<double>(static_cast<std::int64_t>(used * 1e9 / static_cast<double>(elapsed) * 1000)) / 10;
    window_cpu_ = cpu_seconds;
    window_start_ns_ = mono_ns;
  }
  return last_percent_;
}

}  // namespace natrium::native
