#pragma once
// Small pieces shared by the simulator: the run's verdict (first violated
// invariant), the trace (hashed always, printed with --trace), and a few
// helpers over the sim's PRNG.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/prng.h"

namespace natrium::sim {

// The first violated invariant of a run; later ones are ignored.
class verdict {
 public:
  void fail(std::string reason) {
    if (failed_) return;
    failed_ = true;
    reason_ = std::move(reason);
  }
  bool failed() const noexcept { return failed_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  bool failed_ = false;
  std::string reason_;
};

// Every observable thing of a run goes through line(): the FNV-1a hash of all
// lines identifies the run byte for byte (same seed, same hash).
class trace_log {
 public:
  explicit trace_log(bool print) : print_(print) {}
  void line(const std::string& s);
  // Mixes bytes into the hash without printing them (payload contents).
  void mix(std::string_view s) noexcept;
  std::uint64_t hash() const noexcept { return hash_; }
  bool printing() const noexcept { return print_; }

 private:
  bool print_;
  std::uint64_t hash_ = 14695981039346656037ULL;
};

// Printable form of protocol bytes (CR LF as \r\n), cut at `max` characters.
std::string escape(std::string_view s, std::size_t max);
std::string hex64(std::uint64_t v);

// True with probability percent/100.
inline bool chance(base::prng& rng, std::uint64_t percent) { return rng.below(100) < percent; }

// Uniform in [lo, hi].
inline std::int64_t between(base::prng& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}
inline int pick(base::prng& rng, int lo, int hi) { return static_cast<int>(between(rng, lo, hi)); }

// The unsigned decimal number `s` is, or 0 if it is not one.
std::uint64_t to_u64(std::string_view s);
// A header's value in a header block ("NATS/1.0...\r\n" lines), or empty.
std::string header_value(std::string_view block, std::string_view name);

}  // namespace natrium::sim
