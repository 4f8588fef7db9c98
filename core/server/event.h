#pragma once
// Events the host delivers to a node (past tense). Time advances separately
// through node::advance_to(), which the host calls before each event.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/ids.h"

namespace natrium::server {

struct conn_opened {
  base::conn_id id;
  std::string client_ip;
  int client_port = 0;
};

struct bytes_received {
  base::conn_id id;
  std::string_view data;  // only valid during the call
};

struct bytes_flushed {
  base::conn_id id;
  std::size_t n = 0;      // bytes of the last send_bytes view that were written
};

// A write_storage batch is durable (ok) or failed (the store is unusable:
// JetStream stops accepting writes).
struct storage_done {
  std::uint64_t ticket = 0;
  bool ok = true;
  std::string error;
};

struct conn_closed {
  base::conn_id id;       // the peer went away or the socket failed
};

}  // namespace natrium::server
