// node: read-only introspection for monitoring, and the ring of closed
// connections (recorded when a connection is destroyed).
#include <algorithm>

#include "core/base/assert.h"
#include "core/server/node_impl.h"

namespace natrium::server {

namespace {

// Sids are opaque strings, mostly decimal counters: order by length, then
// bytes, so "2" comes before "10". A connection's subscriptions live in a hash
// map; this gives them one order on every standard library.
bool sid_less(const sub_info& a, const sub_info& b) {
  if (a.sid.size() != b.sid.size()) return a.sid.size() < b.sid.size();
  return a.sid < b.sid;
}

sub_info describe_sub(const subject::subscription& s, std::uint64_t cid) {
  sub_info d;
  d.subject = s.subject;
  d.queue = s.queue;
  d.sid = s.sid;
  d.msgs = s.delivered;
  d.max = s.max_msgs;
  d.cid = cid;
  return d;
}

}  // namespace

conn_info node::impl::describe(const connection& c, bool with_subs) const {
  conn_info d;
  d.cid = c.id.value;
  d.ip = c.ip;
  d.port = c.port;
  d.start = c.started_wall;
  d.last_activity = c.last_activity_wall.ns != 0 ? c.last_activity_wall : c.started_wall;
  d.rtt_ns = c.rtt_ns;
  d.pending_bytes = c.out.bytes();
  d.in_msgs = c.in_msgs;
  d.out_msgs = c.out_msgs;
  d.in_bytes = c.in_bytes;
  d.out_bytes = c.out_bytes;
  d.num_subs = c.subs.size();
  d.name = c.opts.name;
  d.lang = c.opts.lang;
  d.version = c.opts.version;
  if (with_subs) {
    d.subs.reserve(c.subs.size());
    for (const auto& [sid, sub] : c.subs) d.subs.push_back(describe_sub(*sub, c.id.value));
    std::sort(d.subs.begin(), d.subs.end(), sid_less);
  }
  return d;
}

// Called from destroy(): the connection's subscriptions are still attached
// (close() only took them out of the sublist).
void node::impl::record_closed(const connection& c) {
  if (closed.max() != cfg.max_closed_clients) closed.set_max(cfg.max_closed_clients);
  conn_info d = describe(c, true);
  d.closed = true;
  d.stop = wall;
  d.reason = close_reason_text(c.reason);
  NATRIUM_ASSERT(d.stop >= d.start);
  closed.push(std::move(d));
}

std::vector<conn_info> node::open_connections(bool with_subs) const {
  std::vector<conn_info> out;
  out.reserve(impl_->conns.size());
  for (const auto& [cid, c] : impl_->conns) out.push_back(impl_->describe(*c, with_subs));
  std::sort(out.begin(), out.end(), [](const conn_info& a, const conn_info& b) { return a.cid < b.cid; });
  return out;
}

std::optional<conn_info> node::open_connection(base::conn_id id, bool with_subs) const {
  auto it = impl_->conns.find(id.value);
  if (it == impl_->conns.end()) return std::nullopt;
  return impl_->describe(*it->second, with_subs);
}

const closed_conns& node::closed_connections() const noexcept { return impl_->closed; }

std::vector<sub_info> node::subscriptions() const {
  std::vector<sub_info> out;
  for (const subject::subscription* s : impl_->subs.all()) {
    NATRIUM_ASSERT(s->owner != 0);
    out.push_back(describe_sub(*s, s->owner));
  }
  return out;
}

sublist_info node::sublist_stats() const {
  const subject::sublist_stats s = impl_->subs.stats();
  sublist_info d;
  d.subscriptions = s.subscriptions;
  d.cache_entries = s.cache_entries;
  d.inserts = s.inserts;
  d.removes = s.removes;
  d.matches = s.matches;
  d.cache_hits = s.cache_hits;
  d.fanout_max = s.fanout_max;
  d.fanout_total = s.fanout_total;
  return d;
}

base::wall_time node::start_time() const noexcept { return impl_->started_wall; }

base::wall_time node::config_time() const noexcept {
  return impl_->config_wall.ns != 0 ? impl_->config_wall : impl_->started_wall;
}

base::wall_time node::wall_now() const noexcept { return impl_->wall; }

}  // namespace natrium::server
