#pragma once
// A server node: the whole NATS server logic for one shard, as a pure state
// machine. Events in, actions out (ARCHITECTURE.md): the host calls
// advance_to(now) and an on_* handler, then drains next_action() until empty
// and arms one timer at next_deadline().
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/ids.h"
#include "core/base/result.h"
#include "core/base/time.h"
#include "core/server/action.h"
#include "core/server/config.h"
#include "core/server/event.h"
#include "core/server/introspect.h"
#include "core/store/store.h"

namespace natrium::jetstream {
class engine;
}

namespace natrium::server {

struct node_stats {
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  std::uint64_t total_connections = 0, slow_consumers = 0;
  std::size_t connections = 0, subscriptions = 0;
};

class node {
 public:
  explicit node(config cfg);
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  // Time: monotonic for timers, wall for timestamps. Never goes backwards.
  void advance_to(base::mono_time now, base::wall_time wall);

  void on_conn_opened(const conn_opened& e);
  void on_bytes_received(const bytes_received& e);
  void on_bytes_flushed(const bytes_flushed& e);
  void on_conn_closed(const conn_closed& e);
  void on_storage_done(const storage_done& e);

  // JetStream (cfg.jetstream): the host's durable store, read synchronously by
  // the node and written only through write_storage actions. Call once, before
  // the first event; recovers every stream and consumer it holds. An error
  // (unreadable or corrupt store) leaves JetStream disabled.
  [[nodiscard]] base::result<bool> attach_store(const store::store_reader* durable);

  // Config reload: applies the limits and logging of `next` (max_payload,
  // max_control_line, max_connections, max_subscriptions, max_pending,
  // ping_interval, ping_max, write_deadline, debug, trace) to every connection.
  // Changes that need a restart (host, port, server_name) make it fail with the
  // reference's "config reload not supported for ..." text, changing nothing.
  [[nodiscard]] base::result<bool> reconfigure(const config& next);

  // Lame duck mode: tell clients in INFO ("ldm":true), then after `grace_ns`
  // close them one by one spread over `duration_ns`; then emit stop_server.
  // The host stops accepting connections first.
  void enter_lame_duck(std::int64_t duration_ns, std::int64_t grace_ns);
  bool lame_duck() const noexcept;

  // Drain: returns the next action, or nullopt when there is none.
  std::optional<action> next_action();
  // When advance_to should next be called (a ping or deadline is due), if ever.
  std::optional<base::mono_time> next_deadline() const;

  const std::string& server_id() const noexcept;
  const config& cfg() const noexcept;
  node_stats stats() const noexcept;

  // Read-only introspection for monitoring (core/monitor, node_monitor.cpp).
  // Copies, in a deterministic order; none of them changes the node.
  std::vector<conn_info> open_connections(bool with_subs) const;  // by cid
  std::optional<conn_info> open_connection(base::conn_id id, bool with_subs) const;
  const closed_conns& closed_connections() const noexcept;        // oldest first
  std::vector<sub_info> subscriptions() const;                     // by subject, then age
  sublist_info sublist_stats() const;
  base::wall_time start_time() const noexcept;   // the first wall time the node saw
  base::wall_time config_time() const noexcept;  // start, or the last reconfigure
  base::wall_time wall_now() const noexcept;     // as of the last event
  // JetStream, when attach_store enabled it (monitoring reads its stats).
  const jetstream::engine* jetstream() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::server
