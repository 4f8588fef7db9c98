#pragma once
// The monitoring HTTP/1.1 listener (-m): Boost.Beast on the host's io_context.
// Everything is asynchronous with timeouts, requests are bounded in size and
// connections in number, so a slow or hostile HTTP client never blocks message
// routing. The answers come from a handler (the host calls monitor::handle).
// Beast stays in monitor_http.cpp: this header only forward-declares Asio.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/monitor/monitor.h"
#include "native/logger.h"

namespace boost::asio {
class io_context;
}

namespace natrium::native {

struct monitor_http_limits {
  std::size_t connections_max = 64;      // more are accepted and closed at once
  std::size_t header_bytes_max = 8 * 1024;
  std::size_t body_bytes_max = 8 * 1024;  // monitoring requests carry no body
  int read_timeout_s = 10;                // a whole request, or a keep-alive idle period
  int write_timeout_s = 30;               // a whole response
};

class monitor_http {
 public:
  using handler = std::function<monitor::response(const monitor::request&)>;

  monitor_http(boost::asio::io_context& io, logger& log, handler h, monitor_http_limits limits = {});
  ~monitor_http();
  monitor_http(const monitor_http&) = delete;
  monitor_http& operator=(const monitor_http&) = delete;

  // Binds host:port (port -1 or 0: a random one), logs "Starting http monitor
  // on HOST:PORT" as the reference, starts accepting. False (logged) on failure.
  bool listen(const std::string& host, int port);
  int port() const;
  // Stops accepting and closes every HTTP connection.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace natrium::native
