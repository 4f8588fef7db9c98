// node: lifecycle of connections, output hand-off, timers.
#include "core/server/node.h"

#include <algorithm>

#include "core/base/assert.h"
#include "core/proto/encoder.h"
#include "core/server/node_impl.h"

namespace natrium::server {

node::impl::impl(config c) : cfg(std::move(c)), rng(cfg.seed) { server_id = make_server_id(); }

node::node(config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {}
node::~node() = default;

const std::string& node::server_id() const noexcept { return impl_->server_id; }
const config& node::cfg() const noexcept { return impl_->cfg; }

node_stats node::stats() const noexcept {
  node_stats s = impl_->stats;
  s.connections = impl_->conns.size();
  s.subscriptions = impl_->subs.count();
  return s;
}

void node::advance_to(base::mono_time now, base::wall_time wall) {
  NATRIUM_ASSERT(now >= impl_->now);
  impl_->now = now;
  if (wall > impl_->wall) impl_->wall = wall;
  if (impl_->started_wall.ns == 0) impl_->started_wall = impl_->wall;  // monitoring: varz start
  impl_->fire_timers();
  if (impl_->js) impl_->js->advance(now, impl_->wall);
  impl_->end_event();
}

void node::on_conn_opened(const conn_opened& e) {
  auto& m = *impl_;
  NATRIUM_ASSERT(e.id.value != 0);  // 0 names node-level timers
  NATRIUM_ASSERT(m.conns.find(e.id.value) == m.conns.end());
  proto::parser_limits limits{m.cfg.max_control_line, m.cfg.max_payload};
  auto owned = std::make_unique<connection>(e.id, limits);
  connection& c = *owned;
  c.ip = e.client_ip;
  c.port = e.client_port;
  c.started = c.last_activity = m.now;
  c.started_wall = m.wall;
  m.conns.emplace(e.id.value, std::move(owned));
  m.stats.total_connections++;
  c.out.buffer() += m.info_line(c);
  m.queue_send(c);
  if (static_cast<int>(m.conns.size()) > m.cfg.max_connections) {
    m.send_err(c, "maximum connections exceeded");
    m.log(log_level::error, "maximum connections exceeded");
    m.close(c, close_reason::max_connections, true);
  } else {
    // The first ping comes early (2 s, as nats-server's firstClientPingInterval,
    // plus up to 20% jitter), then every ping_interval.
    const std::int64_t first = std::min<std::int64_t>(m.cfg.ping_interval_ns, 2'000'000'000);
    const std::int64_t jitter = static_cast<std::int64_t>(m.rng.below(static_cast<std::uint64_t>(first / 5) + 1));
    m.set_timer(m.ping_due, c, timer_kind::ping, m.now.ns + first + jitter);
    if (m.cfg.debug) m.log(log_level::debug, m.conn_prefix(c) + "Client connection created");
  }
  m.end_event();
}

void node::on_bytes_received(const bytes_received& e) {
  auto& m = *impl_;
  connection* c = m.find(e.id);
  if (c != nullptr && c->state == conn_state::open) m.on_bytes(*c, e.data);
  m.end_event();
}

void node::on_bytes_flushed(const bytes_flushed& e) {
  auto& m = *impl_;
  connection* c = m.find(e.id);
  if (c == nullptr) return m.end_event();  // reported after conn_closed: nothing to do
  c->out.finish_write(e.n);
  m.clear_timer(m.write_due, *c, timer_kind::write_deadline);
  m.release_producers(*c);
  if (c->state == conn_state::open) {
    // Buffers keep their capacity while the connection is busy (freeing and
    // regrowing them per write costs more than the copying); the ping timer
    // trims an idle connection's buffers.
    if (!c->out.buffer().empty()) m.queue_send(*c);
  } else {
    m.maybe_finish_close(*c);
  }
  m.end_event();
}

void node::on_conn_closed(const conn_closed& e) {
  auto& m = *impl_;
  connection* c = m.find(e.id);
  if (c != nullptr) {
    if (c->state == conn_state::open) m.close(*c, close_reason::client_closed, false, false);
    m.destroy(*c);
  }
  m.end_event();
}

std::optional<action> node::next_action() {
  auto& m = *impl_;
  if (!m.actions.empty()) {
    action a = std::move(m.actions.front());
    m.actions.pop_front();
    return a;
  }
  while (!m.send_queue.empty()) {
    connection* c = m.send_queue.front();
    m.send_queue.pop_front();
    c->queued_for_send = false;
    if (c->state == conn_state::closed || c->out.writing() || c->out.buffer().empty()) continue;
    std::string_view data = c->out.start_write();
    m.set_timer(m.write_due, *c, timer_kind::write_deadline, m.now.ns + m.cfg.write_deadline_ns);
    return send_bytes{c->id, data};
  }
  return std::nullopt;
}

std::optional<base::mono_time> node::next_deadline() const {
  std::optional<base::mono_time> due;
  if (!impl_->timers.empty()) due = base::mono_time{std::get<0>(*impl_->timers.begin())};
  if (impl_->js) {
    if (auto j = impl_->js->next_deadline(); j && (!due || j->ns < due->ns)) due = j;
  }
  return due;
}

// ---------------------------------------------------------------------------

connection* node::impl::find(base::conn_id id) {
  auto it = conns.find(id.value);
  return it == conns.end() ? nullptr : it->second.get();
}

void node::impl::queue_send(connection& c) {
  if (c.queued_for_send || c.out.writing()) return;
  c.queued_for_send = true;
  send_queue.push_back(&c);
}

bool node::impl::check_pending(connection& c) {
  if (static_cast<std::int64_t>(c.out.bytes()) <= cfg.max_pending) return true;
  stats.slow_consumers++;
  log(log_level::warn, conn_prefix(c) + "Slow Consumer Detected: MaxPending of " + std::to_string(cfg.max_pending) +
                           " Exceeded");
  close(c, close_reason::slow_consumer_pending, false);
  return false;
}

// How long a publisher waits for a subscriber that is over half of max_pending:
// 100 ms, growing towards 1 s as the subscriber approaches the limit (the
// reference's stallDuration).
static std::int64_t stall_duration_ns(std::int64_t pending, std::int64_t max_pending) {
  constexpr std::int64_t min_ns = 100'000'000, max_ns = 1'000'000'000;
  if (pending >= max_pending) return max_ns;
  const std::int64_t half = max_pending / 2;
  if (pending <= half || half / 10 == 0) return min_ns;
  return std::min(max_ns, min_ns + min_ns * ((pending - half) / (half / 10)));
}

void node::impl::note_stall(connection& publisher, connection& target) {
  publisher.stall_requested = true;
  publisher.stall_pending_max = std::max<std::int64_t>(publisher.stall_pending_max,
                                                       static_cast<std::int64_t>(target.out.bytes()));
  constexpr std::size_t waiters_max = 256;  // bounded: beyond it, producers wait for their timer
  auto& w = target.stalled_producers;
  if (w.size() < waiters_max && std::find(w.begin(), w.end(), publisher.id.value) == w.end()) {
    w.push_back(publisher.id.value);
  }
}

void node::impl::apply_stall(connection& publisher) {
  if (!publisher.stall_requested) return;
  publisher.stall_requested = false;
  const std::int64_t pending = publisher.stall_pending_max;
  publisher.stall_pending_max = 0;
  if (publisher.state != conn_state::open || publisher.reads_paused) return;
  publisher.reads_paused = true;
  actions.push_back(set_reading{publisher.id, false});
  set_timer(stall_due, publisher, timer_kind::stall, now.ns + stall_duration_ns(pending, cfg.max_pending));
  if (cfg.debug) log(log_level::debug, conn_prefix(publisher) + "Fast producer: pausing reads");
}

void node::impl::resume_reading(connection& c) {
  clear_timer(stall_due, c, timer_kind::stall);
  if (!c.reads_paused) return;
  c.reads_paused = false;
  if (c.state == conn_state::open) actions.push_back(set_reading{c.id, true});
}

void node::impl::release_producers(connection& target) {
  if (target.stalled_producers.empty()) return;
  if (static_cast<std::int64_t>(target.out.bytes()) > stall_threshold()) return;
  for (std::uint64_t pid : target.stalled_producers) {
    if (connection* p = find(base::conn_id{pid})) resume_reading(*p);
  }
  target.stalled_producers.clear();
}

void node::impl::send_err(connection& c, std::string_view text) {
  if (cfg.trace) log(log_level::trace, conn_prefix(c) + "->> [-ERR " + std::string(text) + "]");
  proto::append_err(c.out.buffer(), text);
  queue_send(c);
}

void node::impl::send_ok(connection& c) {
  if (cfg.trace) log(log_level::trace, conn_prefix(c) + "->> [OK]");
  c.out.buffer() += proto::ok_line;
  queue_send(c);
}

void node::impl::log(log_level lvl, std::string text) {
  if (actions.size() >= base::log_queue_max) return;  // bounded: drop logs, never output
  actions.push_back(emit_log{lvl, std::move(text)});
}

// Close: subscriptions leave the sublist at once (no more deliveries); the
// connection object lives on until the host reports conn_closed, so views
// handed out in send_bytes stay valid.
void node::impl::close(connection& c, close_reason why, bool flush, bool tell_host) {
  if (c.state != conn_state::open) return;
  c.state = conn_state::closing;
  c.reason = why;
  for (auto& [sid, sub] : c.subs) {
    subs.remove(sub.get());
    sub->owner = 0;
  }
  clear_timer(ping_due, c, timer_kind::ping);
  clear_timer(stall_due, c, timer_kind::stall);
  for (std::uint64_t pid : c.stalled_producers) {
    if (connection* p = find(base::conn_id{pid})) resume_reading(*p);
  }
  c.stalled_producers.clear();
  if (!flush) {
    c.state = conn_state::closed;
    if (tell_host) actions.push_back(close_conn{c.id, false});
    return;
  }
  queue_send(c);
  maybe_finish_close(c);
}

void node::impl::maybe_finish_close(connection& c) {
  if (c.state != conn_state::closing) return;
  if (!c.out.idle()) {
    if (!c.out.writing()) queue_send(c);
    return;
  }
  c.state = conn_state::closed;
  actions.push_back(close_conn{c.id, true});
}

void node::impl::destroy(connection& c) {
  NATRIUM_ASSERT(c.state != conn_state::open);
  clear_timer(ping_due, c, timer_kind::ping);
  clear_timer(write_due, c, timer_kind::write_deadline);
  clear_timer(stall_due, c, timer_kind::stall);
  if (cfg.debug) {
    log(log_level::debug, conn_prefix(c) + "Client connection closed: " + close_reason_text(c.reason));
  }
  // Subscriptions may still be referenced by a match result in flight; they
  // were removed from the sublist at close(), and are freed after the event.
  record_closed(c);  // connz state=closed (node_monitor.cpp)
  for (auto& [sid, sub] : c.subs) graveyard.push_back(std::move(sub));
  std::erase(send_queue, &c);
  conns.erase(c.id.value);
}

void node::impl::set_timer(std::unordered_map<std::uint64_t, std::int64_t>& slot, connection& c, timer_kind k,
                           std::int64_t due) {
  clear_timer(slot, c, k);
  slot[c.id.value] = due;
  timers.emplace(due, c.id.value, k);
}

void node::impl::clear_timer(std::unordered_map<std::uint64_t, std::int64_t>& slot, connection& c,
                             timer_kind k) {
  auto it = slot.find(c.id.value);
  if (it == slot.end()) return;
  timers.erase({it->second, c.id.value, k});
  slot.erase(it);
}

void node::impl::fire_timers() {
  while (!timers.empty() && std::get<0>(*timers.begin()) <= now.ns) {
    auto [due, cid, kind] = *timers.begin();
    timers.erase(timers.begin());
    if (kind == timer_kind::lame_duck) {
      lame_duck_step();
      continue;
    }
    connection* c = find(base::conn_id{cid});
    NATRIUM_ASSERT(c != nullptr);
    if (kind == timer_kind::write_deadline) {
      write_due.erase(cid);
      stats.slow_consumers++;
      log(log_level::warn, conn_prefix(*c) + "Slow Consumer Detected: WriteDeadline exceeded");
      if (c->state == conn_state::open) close(*c, close_reason::slow_consumer_deadline, false);
      else if (c->state == conn_state::closing) {
        c->state = conn_state::closed;
        actions.push_back(close_conn{c->id, false});
      }
      continue;
    }
    if (kind == timer_kind::stall) {
      stall_due.erase(cid);
      if (c->reads_paused && cfg.debug) log(log_level::debug, conn_prefix(*c) + "Timed out of fast producer stall");
      resume_reading(*c);
      continue;
    }
    ping_due.erase(cid);
    if (c->state != conn_state::open) continue;
    c->out.trim();
    const std::int64_t interval = cfg.ping_interval_ns;
    // Activity within the interval makes a ping unnecessary, unless the RTT is
    // due for a measurement (never measured, or over an hour ago), as nats-server.
    constexpr std::int64_t rtt_interval_ns = 3600LL * 1'000'000'000;
    const bool need_rtt = !c->ping_sent_once || now.ns - c->last_ping_sent.ns > rtt_interval_ns;
    const bool active = now.ns - c->last_activity.ns < interval || now.ns - c->last_ping_received.ns < interval;
    if (!active || need_rtt) {
      if (c->pings_out + 1 > cfg.ping_max) {
        send_err(*c, "Stale Connection");
        close(*c, close_reason::stale_connection, true);
        continue;
      }
      c->out.buffer() += proto::ping_line;
      c->pings_out++;
      c->ping_sent_once = true;
      c->last_ping_sent = now;
      queue_send(*c);
    }
    set_timer(ping_due, *c, timer_kind::ping, now.ns + interval);
  }
}

void node::impl::end_event() {
  drain_jetstream();
  graveyard.clear();
}

}  // namespace natrium::server
