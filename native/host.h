#pragma once
// The native host: one Asio io_context thread drives one core node. It owns the
// sockets, the clock and the one timer; the node owns every decision.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "native/logger.h"
#include "native/options.h"

namespace natrium::native {

class host {
 public:
  // Reload source for SIGHUP: produces the options anew (config file + flags),
  // or an error text; the host then applies what can change on a live server.
  using reload_fn = std::function<std::optional<options>(std::string& error)>;

  host(const options& opts, logger& log, reload_fn reload = {});
  ~host();
  host(const host&) = delete;
  host& operator=(const host&) = delete;

  // Binds the client listener; false (with a log line) on failure.
  bool listen();
  // Runs until SIGINT/SIGTERM; returns the process exit code.
  int run();
  int bound_port() const;
  // Monitoring (-m): after listen(), starts the HTTP monitor if http_port is
  // set; false (logged) if it cannot listen. monitor_port() is 0 without it.
  bool start_monitor();
  int monitor_port() const;
  // JetStream (-js, jetstream {}): after listen() and before run(), creates the
  // store directory, logs the reference's startup lines, opens the LMDB store
  // in <store dir>/natrium and hands it to the node (attach_store). False
  // (logged as "Can't start JetStream: ...") if it cannot: the server must
  // exit, as the reference does. True at once when JetStream is off.
  bool start_jetstream();
  // WebSocket (websocket { ... }): after start_jetstream(), starts the listener
  // if a websocket port is configured; false (logged) if it cannot listen.
  // websocket_port() is 0 without it.
  bool start_websocket();
  int websocket_port() const;
  const std::string& server_id() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::native
