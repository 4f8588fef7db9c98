#include "native/jetstream_limits.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <vector>

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
    if (slash == std::string::npos) {
      if (dir == ".") return fallback;
      dir = ".";  // a relative path: its first element lives in the working directory
      continue;
    }
    if (dir == "/") return fallback;
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

// Go's os.TempDir() on Unix.
std::string temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// The reload comparison works on the reference's -1 for "not set".
std::int64_t limit_or_unset(const std::optional<std::int64_t>& v) { return v.value_or(-1); }

// Go's error text for an errno: strerror, lower-cased as Go's syscall table is.
std::string errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

// os.MkdirAll(dir, 0750): false with Go's "mkdir PATH: reason" text.
bool mkdir_all(const std::string& dir, std::string& error) {
  for (std::size_t at = 1; at <= dir.size(); ++at) {
    if (at != dir.size() && dir[at] != '/') continue;
    const std::string prefix = dir.substr(0, at);
    if (::mkdir(prefix.c_str(), 0750) == 0) continue;
    const int err = errno;
    struct stat st{};
    if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    error = "mkdir " + prefix + ": " + errno_text(err == EEXIST ? ENOTDIR : err);
    return false;
  }
  return true;
}

}  // namespace

base::result<bool> prepare_store_dir(const std::string& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return base::error{"storage directory is not a directory"};
    std::string error;
    if (!mkdir_all(dir, error)) return base::error{"could not create storage directory - " + error};
    return true;
  }
  if (!S_ISDIR(st.st_mode)) return base::error{"storage directory is not a directory"};
  std::string probe = dir + "/_test_XXXXXX";  // os.CreateTemp(dir, "_test_")
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) return base::error{"storage directory is not writable"};
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

std::string go_clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);  // a relative path keeps its leading ".."
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out.append(parts[k]);
  }
  return out.empty() ? "." : out;
}

std::string jetstream_store_dir(const options& o) {
  const auto& js = o.jetstream;
  if (!js.store_dir.empty()) return go_clean_path(js.store_dir + "/jetstream");
  const bool fixed_limits = js.max_memory_store.value_or(0) > 0 && js.max_file_store.value_or(0) > 0;
  return go_clean_path(temp_dir() + (fixed_limits ? "/jetstream" : "/nats/jetstream"));
}

monitor::jetstream_settings jetstream_settings_for(const options& o) {
  monitor::jetstream_settings js;
  js.enabled = o.jetstream.enabled || o.node.jetstream;
  if (!js.enabled) return js;
  js.store_dir = jetstream_store_dir(o);
  js.max_memory = o.jetstream.max_memory_store.value_or(-1) >= 0 ? *o.jetstream.max_memory_store : memory_estimate();
  js.max_storage = o.jetstream.max_file_store.value_or(-1) >= 0 ? *o.jetstream.max_file_store : disk_estimate(js.store_dir);
  js.domain = o.jetstream.domain;
  return js;
}

std::string friendly_bytes(std::int64_t bytes) {
  const double f = static_cast<double>(bytes);
  constexpr double base = 1024;
  if (f < base) return std::to_string(bytes) + " B";  // Go's %v of a whole float64
  const int exp = static_cast<int>(std::log(f) / std::log(base));
  static constexpr char prefixes[] = {'K', 'M', 'G', 'T', 'P', 'E'};
  const int index = exp - 1;
  if (index < 0 || index >= static_cast<int>(sizeof prefixes)) return std::to_string(bytes) + " B";
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %cB", f / std::pow(base, exp), prefixes[index]);
  return text;
}

std::optional<std::string> jetstream_reload_refusal(const options& running, const options& next) {
  const bool was = running.jetstream.enabled;
  if (next.jetstream.enabled != was) {
    return std::string("config reload not supported for JetStream: old=") + (was ? "true" : "false") +
           ", new=" + (was ? "false" : "true");
  }
  if (!was) return std::nullopt;
  if (next.jetstream.store_dir != running.jetstream.store_dir) {
    return std::string("config reload not supported for jetstream storage directory");
  }
  const std::int64_t old_limits[2] = {limit_or_unset(running.jetstream.max_memory_store),
                                      limit_or_unset(running.jetstream.max_file_store)};
  const std::int64_t new_limits[2] = {limit_or_unset(next.jetstream.max_memory_store),
                                      limit_or_unset(next.jetstream.max_file_store)};
  for (int i = 0; i < 2; ++i) {
    if (old_limits[i] == new_limits[i]) continue;
    if (old_limits[i] == -1) return std::string("config reload not supported for jetstream dynamic max memory and store");
    if (new_limits[i] == -1) return std::string("config reload not supported for jetstream max memory and max store");
    return std::string("config reload not supported for jetstream max memory and store");
  }
  return std::nullopt;
}

}  // namespace natrium::native
