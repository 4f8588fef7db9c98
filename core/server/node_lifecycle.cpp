// node: config reload and lame duck mode.
#include <algorithm>

#include "core/base/assert.h"
#include "core/server/node_impl.h"

namespace natrium::server {

namespace {

std::string reload_refused(const char* field, const std::string& old_value, const std::string& new_value) {
  return std::string("config reload not supported for ") + field + ": old=" + old_value + ", new=" + new_value;
}

}  // namespace

base::result<bool> node::reconfigure(const config& next) {
  auto& m = *impl_;
  const config& cur = m.cfg;
  // As nats-server's reload: these need a restart (port 0 or -1 means "random": ignored).
  if (next.host != cur.host) return base::error{reload_refused("Host", cur.host, next.host)};
  if (next.port > 0 && next.port != cur.port) {
    return base::error{reload_refused("Port", std::to_string(cur.port), std::to_string(next.port))};
  }
  if (next.server_name != cur.server_name) {
    return base::error{reload_refused("ServerName", cur.server_name, next.server_name)};
  }
  auto note = [&m](const char* what, const std::string& value) {
    m.log(log_level::info, std::string("Reloaded: ") + what + " = " + value);
  };
  if (next.max_payload != cur.max_payload) note("max_payload", std::to_string(next.max_payload));
  if (next.max_control_line != cur.max_control_line) note("max_control_line", std::to_string(next.max_control_line));
  if (next.max_connections != cur.max_connections) note("max_connections", std::to_string(next.max_connections));
  if (next.max_subscriptions != cur.max_subscriptions) note("max_subscriptions", std::to_string(next.max_subscriptions));
  if (next.max_pending != cur.max_pending) note("max_pending", std::to_string(next.max_pending));
  if (next.ping_interval_ns != cur.ping_interval_ns) note("ping_interval", std::to_string(next.ping_interval_ns / 1'000'000) + "ms");
  if (next.ping_max != cur.ping_max) note("ping_max", std::to_string(next.ping_max));
  if (next.write_deadline_ns != cur.write_deadline_ns) note("write_deadline", std::to_string(next.write_deadline_ns / 1'000'000) + "ms");
  if (next.debug != cur.debug) note("debug", next.debug ? "true" : "false");
  if (next.trace != cur.trace) note("trace", next.trace ? "true" : "false");

  const int port = m.cfg.port;  // keep the bound port
  const std::uint64_t seed = m.cfg.seed;
  m.cfg = next;
  m.cfg.port = port;
  m.cfg.seed = seed;
  m.config_wall = m.wall;  // varz config_load_time
  const proto::parser_limits limits{m.cfg.max_control_line, m.cfg.max_payload};
  for (auto& [cid, c] : m.conns) c->parser.set_limits(limits);
  m.end_event();
  return true;
}

bool node::lame_duck() const noexcept { return impl_->ldm; }

void node::enter_lame_duck(std::int64_t duration_ns, std::int64_t grace_ns) {
  auto& m = *impl_;
  if (m.ldm) return m.end_event();
  m.ldm = true;
  m.log(log_level::info, "Entering lame duck mode, stop accepting new clients");
  // Clients in a fixed order (by id), so a seed gives one run.
  m.ldm_queue.clear();
  for (auto& [cid, c] : m.conns) {
    if (c->state == conn_state::open) m.ldm_queue.push_back(cid);
  }
  std::sort(m.ldm_queue.begin(), m.ldm_queue.end());
  if (m.ldm_queue.empty()) {
    m.actions.push_back(stop_server{});
    return m.end_event();
  }
  for (std::uint64_t cid : m.ldm_queue) {
    connection& c = *m.conns.at(cid);
    if (!c.connect_received || c.opts.protocol < 1) continue;  // async INFO needs protocol 1
    c.out.buffer() += m.info_line(c);
    m.queue_send(c);
  }
  std::int64_t spread = duration_ns - grace_ns;
  if (spread <= 0) spread = 1'000'000'000;
  m.ldm_interval_ns = std::clamp<std::int64_t>(spread / static_cast<std::int64_t>(m.ldm_queue.size()), 1,
                                               1'000'000'000);
  m.ldm_next = 0;
  m.timers.emplace(m.now.ns + std::max<std::int64_t>(grace_ns, 0), 0, timer_kind::lame_duck);
  m.end_event();
}

// One step of lame duck mode: close the next client, schedule the one after.
void node::impl::lame_duck_step() {
  NATRIUM_ASSERT(ldm);
  if (ldm_next == 0) log(log_level::info, "Closing existing clients");
  while (ldm_next < ldm_queue.size()) {
    connection* c = find(base::conn_id{ldm_queue[ldm_next++]});
    if (c == nullptr || c->state != conn_state::open) continue;
    close(*c, close_reason::server_shutdown, true);
    break;
  }
  if (ldm_next >= ldm_queue.size()) {
    actions.push_back(stop_server{});
    return;
  }
  // The next close in [interval/2, interval), as the reference.
  const std::int64_t half = ldm_interval_ns / 2;
  const std::int64_t wait = half + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(half) + 1));
  timers.emplace(now.ns + std::max<std::int64_t>(wait, 1), 0, timer_kind::lame_duck);
}

}  // namespace natrium::server
