#pragma once
// One client connection inside a node: its protocol parser, CONNECT options,
// subscriptions, output buffers and statistics. Owned by the node.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/base/ids.h"
#include "core/base/time.h"
#include "core/proto/parser.h"
#include "core/subject/sublist.h"

namespace natrium::server {

// What the client said in CONNECT (client.go ClientOpts). The defaults apply
// before CONNECT and to fields CONNECT leaves out: as nats-server's defaultOpts,
// verbose and pedantic start true.
struct client_options {
  bool verbose = true;
  bool pedantic = true;
  bool echo = true;
  bool headers = false;
  bool no_responders = false;
  int protocol = 0;
  std::string name, lang, version;
};

enum class conn_state : std::uint8_t {
  open,     // normal operation
  closing,  // the node decided to close: waiting for output to drain
  closed,   // close_conn emitted: waiting for the host's conn_closed
};

// Why a connection closed; the texts match nats-server's connz `reason`.
enum class close_reason : std::uint8_t {
  client_closed,
  slow_consumer_pending,
  slow_consumer_deadline,
  stale_connection,
  protocol_violation,
  parse_error,
  max_payload,
  max_control_line,
  max_connections,
  bad_client_protocol,
  no_responders_requires_headers,
  server_shutdown,
};

const char* close_reason_text(close_reason r) noexcept;

// Output: `pending_` collects bytes; `in_flight_` is what the host is writing
// (handed out by send_bytes, stable until bytes_flushed). Swapping the two keeps
// their capacity, so a busy connection stops allocating.
class outbox {
 public:
  std::string& buffer() noexcept { return pending_; }
  std::size_t bytes() const noexcept { return pending_.size() + in_flight_.size(); }
  bool writing() const noexcept { return writing_; }
  bool idle() const noexcept { return !writing_ && pending_.empty(); }
  // Moves pending into flight; returns the bytes the host must write.
  std::string_view start_write() noexcept;
  // The host wrote n bytes of the in-flight buffer (all of it).
  void finish_write(std::size_t n) noexcept;
  // Release memory after a burst (bounded allocation when idle).
  void trim() noexcept;

 private:
  std::string pending_;
  std::string in_flight_;
  bool writing_ = false;
};

struct connection {
  base::conn_id id;
  std::string ip;
  int port = 0;
  conn_state state = conn_state::open;
  close_reason reason = close_reason::client_closed;
  bool connect_received = false;
  bool queued_for_send = false;  // in the node's send queue
  client_options opts;
  proto::parser parser;
  outbox out;

  // sid -> subscription. The node inserts each into the sublist.
  std::unordered_map<std::string, std::unique_ptr<subject::subscription>> subs;

  // Timers and liveness.
  base::mono_time started{};
  base::wall_time started_wall{};
  base::mono_time last_activity{};
  base::mono_time last_ping_received{};
  base::mono_time last_ping_sent{};
  // Flow control: a publisher that pushed a subscriber over half of max_pending
  // pauses reading until that subscriber drains (or a stall timeout passes).
  bool stall_requested = false;
  bool reads_paused = false;
  std::int64_t stall_pending_max = 0;              // the fullest subscriber seen this turn
  std::vector<std::uint64_t> stalled_producers;    // on a subscriber: who waits for it
  bool ping_sent_once = false;
  int pings_out = 0;
  // Monitoring (connz): the wall time of the last CONNECT, PUB, SUB or delivery
  // (0: none yet, i.e. the start), and the round trip of the last server PING
  // answered by a PONG (first estimated at CONNECT, as nats-server).
  base::wall_time last_activity_wall{};
  std::int64_t rtt_ns = 0;

  // Statistics (connz).
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;

  connection(base::conn_id cid, proto::parser_limits limits)
      : id(cid), parser(proto::parser_role::server, limits) {}
};

}  // namespace natrium::server
