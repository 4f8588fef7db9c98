#pragma once
// Actions the host drains from a node (imperative).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/base/ids.h"
#include "core/store/store_batch.h"

namespace natrium::server {

// Write `data` to the connection. The view stays valid until the host reports
// bytes_flushed or conn_closed for this connection, so a host may write it
// asynchronously without copying (this refines STYLE.md's "until the next call").
// At most one send_bytes per connection is outstanding: the next comes after the flush.
struct send_bytes {
  base::conn_id id;
  std::string_view data;
};

// Close the connection's socket, then report conn_closed(id) exactly once. With
// `flush` the node emits this only after every send_bytes was flushed; without
// it a write may be outstanding, and the host abandons it. The node keeps the
// connection (and the buffers behind its views) until conn_closed arrives.
struct close_conn {
  base::conn_id id;
  bool flush = true;
};

// Stop (enabled=false) or resume reading from a connection: flow control for a
// publisher whose subscribers fall behind (nats-server's "stall"). Bytes already
// read may still be delivered after a pause; the node copes.
struct set_reading {
  base::conn_id id;
  bool enabled = true;
};

// Lame duck mode has closed every client: the host should exit now.
struct stop_server {};

enum class log_level : std::uint8_t { error, warn, info, debug, trace };

struct emit_log {
  log_level level = log_level::info;
  std::string text;
};

// Apply `batch` to the host's durable store (store::store::apply), then report
// storage_done with the same ticket. Tickets increase; the host applies batches
// in ticket order and may group several into one durable transaction (group
// commit), but must report each ticket only after its batch is durable.
struct write_storage {
  std::uint64_t ticket = 0;
  store::store_batch batch;
};

using action = std::variant<send_bytes, close_conn, emit_log, set_reading, stop_server, write_storage>;

}  // namespace natrium::server
