#pragma once
// Runtime configuration of one node: what nats-server calls Options, for the
// parts the core needs. Defaults are the reference's (const.go).
#include <cstdint>
#include <string>

#include "core/base/limits.h"

namespace natrium::server {

struct config {
  std::string server_name;               // INFO server_name; defaults to the server id
  std::string host = "0.0.0.0";          // INFO host (what we listen on)
  int port = 4222;                       // INFO port (the real bound port)
  std::uint64_t seed = 1;                // seeds the node's PRNG (server id, queue picks)
  std::int64_t max_payload = base::payload_default;
  std::size_t max_control_line = base::control_line_default;
  int max_connections = base::connections_default;
  int max_subscriptions = 0;             // per connection; 0: unlimited
  std::int64_t max_pending = base::pending_default;
  // Flow control: a publisher pauses while a subscriber it fills has a write
  // outstanding and more than this pending (capped at max_pending / 2, the
  // reference's stall point). Paced by the subscriber's socket, this keeps
  // memory low without slowing a subscriber that keeps up.
  std::int64_t stall_pending = 2 * 1024 * 1024;
  std::int64_t ping_interval_ns = base::ping_interval_default_ns;
  int ping_max = base::ping_max_out_default;
  std::int64_t write_deadline_ns = base::write_deadline_default_ns;
  std::size_t max_closed_clients = base::closed_clients_default;  // closed connections kept for connz
  bool jetstream = false;                // INFO jetstream; JetStream needs attach_store
  std::int64_t js_max_memory = -1;       // account limit on memory storage bytes (-1: none)
  std::int64_t js_max_store = -1;        // account limit on file storage bytes (-1: none)
  bool debug = false;                    // -D: debug logs
  bool trace = false;                    // -V: protocol trace logs
  std::string natrium_version = "0.1.0";
};

// The nats-server version whose behaviour Natrium matches; clients gate features on it.
inline constexpr const char* compat_version = "2.9.10";
inline constexpr int proto_version = 1;

}  // namespace natrium::server
