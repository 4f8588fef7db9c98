#pragma once
// The replicated state machine the simulated cluster runs: a map of string
// registers, changed only by committed log entries (put, compare-and-swap),
// read at a read-index. Commands and snapshots have a small binary encoding.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace natrium::sim::cluster {

struct kv_command {
  bool is_cas = false;
  int client = 0;
  std::uint64_t op = 0;
  std::string key;
  std::optional<std::string> expected;
  std::string value;
};

std::string encode(const kv_command& c);
std::optional<kv_command> decode_command(const std::string& data);

class kv_machine {
 public:
  // Applies a command; returns whether it changed the map (cas: swapped).
  bool apply(const kv_command& c);
  std::optional<std::string> get(const std::string& key) const;
  std::string snapshot() const;
  bool restore(const std::string& image);
  std::uint64_t digest() const;  // FNV-1a over the contents, for convergence checks

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace natrium::sim::cluster
