// /connz (Connz and ConnInfo, monitor.go; sort keys of monitor_sort_opts.go).
#include <algorithm>

#include "core/base/assert.h"
#include "core/monitor/builders.h"

namespace natrium::monitor {

namespace {

using server::conn_info;
using server::sub_info;

struct sort_key {
  const char* name;
  bool descending;
  bool closed_only;  // "sort by stop only valid on closed connections"
};

constexpr sort_key sort_keys[] = {
    {"cid", false, false},      {"start", false, false},    {"subs", true, false},   {"pending", true, false},
    {"msgs_to", true, false},   {"msgs_from", true, false}, {"bytes_to", true, false}, {"bytes_from", true, false},
    {"last", true, false},      {"idle", true, false},      {"uptime", false, false},  {"stop", true, true},
    {"reason", false, true},
};

const sort_key* find_sort(std::string_view name) {
  if (name.empty()) name = "cid";
  for (const auto& k : sort_keys) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

// The sort value: what nats-server compares for each key (byIdle compares
// last activity minus start, as the reference does; uptime ends at stop for a
// closed connection).
std::int64_t sort_value(std::string_view key, const conn_info& c, base::wall_time now) {
  if (key == "subs") return static_cast<std::int64_t>(c.num_subs);
  if (key == "pending") return static_cast<std::int64_t>(c.pending_bytes);
  if (key == "msgs_to") return static_cast<std::int64_t>(c.out_msgs);
  if (key == "msgs_from") return static_cast<std::int64_t>(c.in_msgs);
  if (key == "bytes_to") return static_cast<std::int64_t>(c.out_bytes);
  if (key == "bytes_from") return static_cast<std::int64_t>(c.in_bytes);
  if (key == "last") return c.last_activity.ns;
  if (key == "idle") return c.last_activity.ns - c.start.ns;
  if (key == "uptime") return (c.closed ? c.stop.ns : now.ns) - c.start.ns;
  if (key == "stop") return c.stop.ns;
  return static_cast<std::int64_t>(c.cid);  // cid, start
}

void sort_conns(std::vector<const conn_info*>& list, const sort_key& key, base::wall_time now) {
  std::sort(list.begin(), list.end(), [](const conn_info* a, const conn_info* b) { return a->cid < b->cid; });
  const std::string_view name = key.name;
  if (name == "cid" || name == "start") return;
  if (name == "reason") {
    std::stable_sort(list.begin(), list.end(),
                     [](const conn_info* a, const conn_info* b) { return a->reason < b->reason; });
    return;
  }
  std::stable_sort(list.begin(), list.end(), [&](const conn_info* a, const conn_info* b) {
    const std::int64_t va = sort_value(name, *a, now), vb = sort_value(name, *b, now);
    return key.descending ? va > vb : va < vb;
  });
}

json sub_detail_json(const sub_info& s, bool with_account) {
  json d;
  if (with_account) d["account"] = global_account;
  d["subject"] = s.subject;
  if (!s.queue.empty()) d["qgroup"] = s.queue;
  d["sid"] = s.sid;
  d["msgs"] = s.msgs;
  if (s.max != 0) d["max"] = s.max;
  d["cid"] = s.cid;
  return d;
}

json conn_json(const conn_info& c, const connz_options& o, base::wall_time now) {
  const base::wall_time until = c.closed ? c.stop : now;  // ConnInfo.fill's `now` (the close time if closed)
  json j;
  j["cid"] = c.cid;
  j["kind"] = "Client";
  j["type"] = "nats";
  j["ip"] = c.port != 0 ? c.ip : std::string();
  j["port"] = c.port;
  j["start"] = rfc3339(c.start);
  j["last_activity"] = rfc3339(c.last_activity);
  if (c.closed) {
    j["stop"] = rfc3339(c.stop);
    if (!c.reason.empty()) j["reason"] = c.reason;
  }
  j["rtt"] = go_rtt(c.rtt_ns);
  j["uptime"] = uptime(until.ns - c.start.ns);
  j["idle"] = uptime(until.ns - c.last_activity.ns);
  j["pending_bytes"] = c.pending_bytes;
  j["in_msgs"] = c.in_msgs;
  j["out_msgs"] = c.out_msgs;
  j["in_bytes"] = c.in_bytes;
  j["out_bytes"] = c.out_bytes;
  j["subscriptions"] = c.num_subs;
  if (!c.name.empty()) j["name"] = c.name;
  if (!c.lang.empty()) j["lang"] = c.lang;
  if (!c.version.empty()) j["version"] = c.version;
  if (!c.subs.empty() && (o.subs || o.subs_detail)) {
    json list = json::array();
    // Closed connections keep SubDetails with the account (saveClosedClient).
    for (const sub_info& s : c.subs) list.push_back(o.subs_detail ? sub_detail_json(s, c.closed) : json(s.subject));
    j[o.subs_detail ? "subscriptions_list_detail" : "subscriptions_list"] = std::move(list);
  }
  return j;
}

// Filters nats-server applies to every connection: by user (ours have no
// user names), by MQTT client id (none are MQTT).
bool passes_filters(const connz_options& o) { return o.user.empty() && o.mqtt_client.empty(); }

}  // namespace

base::result<json> build_connz(const server::node& n, const connz_options& in, const host_stats& host) {
  connz_options o = in;
  const sort_key* key = find_sort(o.sort);
  if (key == nullptr) return base::error{"invalid sorting option: " + o.sort};
  if (o.offset < 0) o.offset = 0;
  if (o.limit <= 0) o.limit = default_list_size;
  if (key->closed_only && o.state != conn_state_filter::closed) {
    return base::error{std::string("sort by ") + key->name + " only valid on closed connections"};
  }
  if (o.cid > 0) o.limit = 1;

  json z;
  const bool known_account = o.account.empty() || o.account == global_account;
  z["server_id"] = known_account ? n.server_id() : std::string();  // the reference returns before setting it
  z["now"] = rfc3339(host.now);
  const bool want_open = o.state != conn_state_filter::closed;
  const bool want_closed = o.state != conn_state_filter::open;
  const bool want_subs = o.subs || o.subs_detail;
  const server::node_stats st = n.stats();
  const auto& ring = n.closed_connections().list();
  // Closed records remember the account only when it is not the global one, so
  // an account filter ("$G") leaves none of them.
  const bool closed_visible = want_closed && o.account.empty();
  std::size_t total = (want_open ? st.connections : 0) + (closed_visible ? ring.size() : 0);

  std::vector<conn_info> open;
  std::vector<const conn_info*> list;
  if (known_account) {
    if (o.cid > 0) {
      if (want_closed) {  // as the reference: a cid with state=all searches the closed ones only
        for (const conn_info& c : ring) {
          if (c.cid == o.cid && closed_visible && passes_filters(o)) list.push_back(&c);
        }
      } else if (auto c = n.open_connection(base::conn_id{o.cid}, want_subs)) {
        open.push_back(std::move(*c));
      }
    } else {
      if (want_open && passes_filters(o)) open = n.open_connections(want_subs);
      if (closed_visible && passes_filters(o)) {
        for (const conn_info& c : ring) list.push_back(&c);
      }
    }
  } else {
    total = 0;
  }
  for (const conn_info& c : open) list.push_back(&c);
  sort_conns(list, *key, host.now);

  const std::size_t first = std::min<std::size_t>(static_cast<std::size_t>(o.offset), list.size());
  const std::size_t last = std::min<std::size_t>(first + static_cast<std::size_t>(o.limit), list.size());
  json conns = known_account ? json::array() : json(nullptr);
  for (std::size_t i = first; i < last; ++i) conns.push_back(conn_json(*list[i], o, host.now));
  z["num_connections"] = last - first;
  z["total"] = total;
  z["offset"] = o.offset;
  z["limit"] = o.limit;
  z["connections"] = std::move(conns);
  return z;
}

}  // namespace natrium::monitor
