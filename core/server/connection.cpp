#include "core/server/connection.h"

#include "core/base/assert.h"

namespace natrium::server {

const char* close_reason_text(close_reason r) noexcept {
  switch (r) {
    case close_reason::client_closed: return "Client Closed";
    case close_reason::slow_consumer_pending: return "Slow Consumer (Pending Bytes)";
    case close_reason::slow_consumer_deadline: return "Slow Consumer (Write Deadline)";
    case close_reason::stale_connection: return "Stale Connection";
    case close_reason::protocol_violation: return "Protocol Violation";
    case close_reason::parse_error: return "Parse Error";
    case close_reason::max_payload: return "Maximum Message Payload Exceeded";
    case close_reason::max_control_line: return "Maximum Control Line Exceeded";
    case close_reason::max_connections: return "Maximum Connections Exceeded";
    case close_reason::bad_client_protocol: return "Bad Client Protocol Version";
    case close_reason::no_responders_requires_headers: return "No Responders Requires Headers";
    case close_reason::server_shutdown: return "Server Shutdown";
  }
  return "Unknown";
}

std::string_view outbox::start_write() noexcept {
  NATRIUM_ASSERT(!writing_);
  NATRIUM_ASSERT(!pending_.empty());
  in_flight_.swap(pending_);
  pending_.clear();
  writing_ = true;
  return in_flight_;
}

void outbox::finish_write(std::size_t n) noexcept {
  NATRIUM_ASSERT(writing_);
  NATRIUM_ASSERT(n == in_flight_.size());
  in_flight_.clear();
  writing_ = false;
}

void outbox::trim() noexcept {
  constexpr std::size_t keep_max = 256 * 1024;
  if (!writing_ && in_flight_.capacity() > keep_max) std::string().swap(in_flight_);
  if (pending_.empty() && pending_.capacity() > keep_max) std::string().swap(pending_);
}

}  // namespace natrium::server
