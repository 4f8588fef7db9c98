#pragma once
// NATS over WebSocket (websocket { ... }): a Boost.Beast listener on the host's
// io_context. It answers the HTTP/1.1 upgrade as nats-server's wsUpgrade does
// (origin checks, 400/403/405 refusals, handshake timeout, permessage-deflate),
// then each upgraded connection is a plain byte pipe for the host: binary (or
// text) messages in, the node's output out as one binary message per write.
// Beast stays in the .cpp files: this header only forward-declares Asio.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/ids.h"
#include "native/logger.h"
#include "native/options.h"

namespace boost::asio {
class io_context;
}

namespace natrium::native {

struct websocket_limits {
  std::size_t handshakes_max = 1024;            // connections not upgraded yet; more are closed at once
  std::size_t header_bytes_max = 64 * 1024;     // the upgrade request's start line and headers (Go allows 1 MB)
  std::size_t read_chunk_bytes = 32 * 1024;     // per connection: what one read hands to the node at most
  std::int64_t handshake_timeout_default_ns = 2'000'000'000;  // handshake_timeout unset
  std::int64_t close_timeout_ns = 5'000'000'000;  // waiting for the peer's close frame
};

// One upgraded connection, as the host drives it. The host owns it (by
// shared_ptr); the listener never reports events for it after close or abort.
class websocket_conn {
 public:
  virtual ~websocket_conn() = default;
  // Sends `data` as one binary message. `data` must stay valid until the
  // listener reports flushed(id, data.size()). One write at a time.
  virtual void write(std::string_view data) = 0;
  virtual bool writing() const = 0;
  // Flow control: stop or resume reading (a paused connection answers no pings).
  virtual void set_reading(bool enabled) = 0;
  // Sends a close frame with `status` and `reason` (after the write in
  // progress, if any), waits a bounded time for the peer's, closes the socket.
  virtual void close(int status, std::string_view reason) = 0;
  // Closes the socket now: a write in progress is abandoned.
  virtual void abort() = 0;
  // At shutdown: a best-effort close frame written without waiting (only
  // when no write is in progress), then the socket closed.
  virtual void close_now(int status, std::string_view reason) = 0;
};

struct websocket_events {
  // The upgrade completed: the host registers the connection with the node and
  // returns its id (the host may call write/close on `conn` from inside).
  std::function<base::conn_id(std::shared_ptr<websocket_conn> conn, const std::string& ip, int port)> opened;
  std::function<void(base::conn_id, std::string_view)> received;  // view valid during the call
  std::function<void(base::conn_id, std::size_t)> flushed;        // a write completed
  std::function<void(base::conn_id)> closed;  // the peer closed, or a protocol or socket error
};

class websocket_listener {
 public:
  websocket_listener(boost::asio::io_context& io, logger& log, const websocket_options& opts, websocket_events events,
                     websocket_limits limits = {});
  ~websocket_listener();
  websocket_listener(const websocket_listener&) = delete;
  websocket_listener& operator=(const websocket_listener&) = delete;

  // Binds opts.host:opts.port (-1: a random port), logs the reference's
  // "Listening for websocket clients on ws://HOST:PORT" and its no-TLS
  // warning, starts accepting. False (logged) on failure.
  bool listen();
  int port() const;
  // Stops accepting and drops the connections still in their handshake.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace natrium::native
