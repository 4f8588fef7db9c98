#pragma once
// Compile-time ceilings and the reference server's defaults (nats-server 2.9.10 const.go).
#include <cstddef>
#include <cstdint>

namespace natrium::base {

inline constexpr std::size_t control_line_default = 4096;           // MAX_CONTROL_LINE_SIZE
inline constexpr std::int64_t payload_default = 1024 * 1024;         // MAX_PAYLOAD_SIZE
inline constexpr std::int64_t payload_max = 64 * 1024 * 1024;         // hard ceiling we accept in config
inline constexpr std::int64_t pending_default = 64 * 1024 * 1024;    // MAX_PENDING_SIZE
inline constexpr int connections_default = 64 * 1024;                // DEFAULT_MAX_CONNECTIONS
inline constexpr int ping_max_out_default = 2;                       // DEFAULT_PING_MAX_OUT
inline constexpr std::int64_t ping_interval_default_ns = 120'000'000'000;  // 2 minutes
inline constexpr std::int64_t write_deadline_default_ns = 10'000'000'000;  // DEFAULT_FLUSH_DEADLINE
inline constexpr std::size_t sublist_cache_max = 1024;               // slCacheMax
inline constexpr std::size_t sublist_cache_sweep_to = 512;           // slCacheSweep
inline constexpr std::size_t log_queue_max = 4096;                   // emit_log actions kept before dropping
inline constexpr std::size_t closed_clients_default = 10000;         // DEFAULT_MAX_CLOSED_CLIENTS (connz state=closed)

static_assert(sublist_cache_sweep_to < sublist_cache_max);
static_assert(payload_default <= payload_max);

}  // namespace natrium::base
