#pragma once
// Time enters the core only through events: the host passes monotonic and wall
// clock readings in nanoseconds. There is no now() in core/.
#include <cstdint>
#include <compare>

namespace natrium::base {

struct mono_time {
  std::int64_t ns = 0;
  auto operator<=>(const mono_time&) const = default;
};

struct wall_time {
  std::int64_t ns = 0;  // nanoseconds since the Unix epoch
  auto operator<=>(const wall_time&) const = default;
};

struct duration_ns {
  std::int64_t ns = 0;
  auto operator<=>(const duration_ns&) const = default;
};

constexpr duration_ns seconds(std::int64_t s) { return {s * 1'000'000'000}; }
constexpr duration_ns millis(std::int64_t ms) { return {ms * 1'000'000}; }
constexpr mono_time operator+(mono_time t, duration_ns d) { return {t.ns + d.ns}; }
constexpr duration_ns operator-(mono_time a, mono_time b) { return {a.ns - b.ns}; }

}  // namespace natrium::base
