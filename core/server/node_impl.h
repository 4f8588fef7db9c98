#pragma once
// Private state of server::node, shared by node*.cpp. Not part of the API.
#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/jetstream/engine.h"
#include "core/proto/ops.h"
#include "core/server/connection.h"
#include "core/server/node.h"
#include "core/subject/sublist.h"

namespace natrium::server {

// Timers are (due, conn id, kind); node-level timers (lame_duck) use conn id 0.
enum class timer_kind : std::uint8_t { ping, write_deadline, stall, lame_duck };

struct node::impl {
  explicit impl(config c);

  config cfg;
  base::prng rng;
  std::string server_id;
  base::mono_time now{};
  base::wall_time wall{};
  std::uint64_t next_cid = 1;

  std::unordered_map<std::uint64_t, std::unique_ptr<connection>> conns;
  subject::sublist subs;
  node_stats stats;

  // Output side.
  std::deque<action> actions;                 // logs and close_conn, in order
  std::deque<connection*> send_queue;         // connections with bytes to hand out
  std::vector<std::unique_ptr<subject::subscription>> graveyard;  // freed after the event

  // Timers: (due, conn id, kind). Ping timers always exist per open connection;
  // a write-deadline timer exists while a write is outstanding.
  std::set<std::tuple<std::int64_t, std::uint64_t, timer_kind>> timers;
  std::unordered_map<std::uint64_t, std::int64_t> ping_due;   // cid -> due
  std::unordered_map<std::uint64_t, std::int64_t> write_due;  // cid -> due
  std::unordered_map<std::uint64_t, std::int64_t> stall_due;  // cid -> due

  // Lame duck mode (node_lifecycle.cpp).
  bool ldm = false;
  std::vector<std::uint64_t> ldm_queue;  // clients to close, by id
  std::size_t ldm_next = 0;
  std::int64_t ldm_interval_ns = 0;
  void lame_duck_step();

  // --- lifecycle (node.cpp)
  connection* find(base::conn_id id);
  // flush: close once output drains; otherwise at once. tell_host: emit
  // close_conn (false when the host itself reported the close).
  void close(connection& c, close_reason why, bool flush, bool tell_host = true);
  void maybe_finish_close(connection& c);
  void destroy(connection& c);
  void fire_timers();
  void set_timer(std::unordered_map<std::uint64_t, std::int64_t>& slot, connection& c, timer_kind k,
                 std::int64_t due);
  void clear_timer(std::unordered_map<std::uint64_t, std::int64_t>& slot, connection& c, timer_kind k);
  void log(log_level lvl, std::string text);
  std::string conn_prefix(const connection& c) const;
  void trace_in(const connection& c, const proto::op& op);
  void end_event();

  // --- output (node.cpp)
  void queue_send(connection& c);
  bool check_pending(connection& c);  // false if the connection was closed as slow consumer
  void send_err(connection& c, std::string_view text);
  std::int64_t stall_threshold() const noexcept { return std::min(cfg.stall_pending, cfg.max_pending / 2); }
  void note_stall(connection& publisher, connection& target);
  void apply_stall(connection& publisher);
  void resume_reading(connection& c);
  void release_producers(connection& target);
  void send_ok(connection& c);

  // --- protocol (node_protocol.cpp)
  void on_bytes(connection& c, std::string_view data);
  void on_parse_error(connection& c);
  void apply(connection& c, const proto::op& op);
  void process_connect(connection& c, std::string_view json);
  void process_pub(connection& c, const proto::op& op);
  void process_sub(connection& c, const proto::op& op);
  void process_unsub(connection& c, const proto::op& op);
  void process_ping(connection& c);
  bool route(connection* publisher, const proto::op& op, std::string_view match_subject = {});
  void deliver(connection* publisher, subject::subscription& sub, const proto::op& op);
  bool deliver_queue(connection* publisher, const subject::queue_group& g, const proto::op& op);
  void send_no_responders(connection& c, std::string_view reply);
  void unsubscribe(connection& c, subject::subscription& sub);

  // --- JetStream (node_jetstream.cpp). Internal subscriptions have
  // owner == internal_owner and owner_data == nullptr; their token is the key
  // of internal_subs. What the engine publishes waits in js_out until the
  // current event's handler returns (end_event), then goes through route().
  static constexpr std::uint64_t internal_owner = ~std::uint64_t{0};
  struct js_port;
  std::unique_ptr<jetstream::port> jsp;  // a js_port
  std::unique_ptr<jetstream::engine> js;
  std::unordered_map<std::uint64_t, std::unique_ptr<subject::subscription>> internal_subs;
  std::unordered_map<const subject::subscription*, std::uint64_t> internal_tokens;
  std::deque<jetstream::out_msg> js_out;
  std::uint64_t next_ticket_seen = 0;
  void deliver_internal(subject::subscription& sub, const proto::op& op);
  void drain_jetstream();
  void route_jetstream_out();

  // --- monitoring (node_monitor.cpp)
  base::wall_time started_wall{};  // the first wall time seen
  base::wall_time config_wall{};   // the last reconfigure (0: none)
  closed_conns closed{cfg.max_closed_clients};
  void record_closed(const connection& c);
  conn_info describe(const connection& c, bool with_subs) const;

  // --- info (node_info.cpp)
  std::string make_server_id();
  std::string info_line(const connection& c) const;
};

// Parses CONNECT's JSON into opts; false if it is not a JSON object.
bool parse_connect_json(std::string_view json, client_options& opts);

}  // namespace natrium::server
