#pragma once
// Actions the host drains from a node (imperative).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/base/ids.h"

namespace natrium::server {

// Write `data` to the connection. The view stays valid until the host reports
// bytes_flushed for this connection (or the connection closes). At most one
// send_bytes per connection is outstanding: the next comes after the flush.
struct send_bytes {
  base::conn_id id;
  std::string_view data;
};

// Close the connection once what was handed out in send_bytes is written (or at
// once, if `flush` is false). The host then reports nothing more for it: the
// node has already forgotten the connection.
struct close_conn {
  base::conn_id id;
  bool flush = true;
};

enum class log_level : std::uint8_t { error, warn, info, debug, trace };

struct emit_log {
  log_level level = log_level::info;
  std::string text;
};

using action = std::variant<send_bytes, close_conn, emit_log>;

}  // namespace natrium::server
