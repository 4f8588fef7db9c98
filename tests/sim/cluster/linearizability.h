#pragma once
// A Porcupine-style linearizability checker for the simulated cluster's
// key-value registers (Wing & Gong search with Lowe's memoisation, split per
// key: each key is an independent register, so a history is linearizable iff
// every key's sub-history is). Offline: it runs on the recorded history of a
// seed, after the run.
//
// Operations: put(key, value) -> ok; get(key) -> value or absent;
// cas(key, expected, value) -> swapped or not. An operation whose outcome the
// client never learned (timeout, crashed node) has no response: it may have
// taken effect at any point after its invocation, or never.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace natrium::sim::cluster {

enum class op_kind : std::uint8_t { put, get, cas };

struct kv_op {
  int client = 0;
  op_kind kind = op_kind::put;
  std::string key;
  std::optional<std::string> expected;   // cas: the value it compares with (nullopt: absent)
  std::string value;                      // put / cas: the value written
  std::int64_t invoked_ns = 0;
  std::optional<std::int64_t> returned_ns;  // nullopt: outcome unknown
  // The observed result (meaningful when returned_ns is set):
  std::optional<std::string> read;       // get: the value (nullopt: absent)
  bool swapped = false;                  // cas: whether it swapped
};

struct lin_result {
  bool ok = true;
  std::string key;          // the first key whose history is not linearizable
  std::string explanation;  // the ops of that key, for the report
  std::uint64_t ops_checked = 0;
  std::uint64_t states_explored = 0;
};

// `budget` bounds the states explored per key; a key that exceeds it is
// reported as not checked (ok stays true, explanation says so) rather than
// hanging the run.
lin_result check_linearizable(const std::vector<kv_op>& history, std::uint64_t budget = 2'000'000);

std::string describe(const kv_op& op);

}  // namespace natrium::sim::cluster
