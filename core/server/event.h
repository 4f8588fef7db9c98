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

struct conn_closed {
  base::conn_id id;       // the peer went away or the socket failed
};

}  // namespace natrium::server
