#pragma once
// Internal to the WebSocket listener: includes Beast, so only
// websocket_listener.cpp and websocket_session.cpp include it. Other files use
// native/websocket_listener.h.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>

#include "native/logger.h"
#include "native/websocket_handshake.h"
#include "native/websocket_listener.h"

namespace natrium::native::ws_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using upgrade_request_type = http::request<http::empty_body>;

struct session_settings {
  upgrade_kind kind = upgrade_kind::client;
  bool compress = false;           // the client offered permessage-deflate and the server enables it
  std::size_t read_chunk_bytes = 32 * 1024;
  std::int64_t close_timeout_ns = 5'000'000'000;
};

// Sends the 101 answer to `req` on `stream` (whose expiry, set by the
// listener, still bounds it: the handshake timeout), then hands the
// connection to the host through `events`.
void start_session(beast::tcp_stream stream, upgrade_request_type req, const session_settings& settings,
                   std::shared_ptr<const websocket_events> events, logger& log);

}  // namespace natrium::native::ws_detail
