// /jsz (JSInfo), /accountz (Accountz, AccountInfo) and /healthz (HealthStatus).
// /jsz counts come from the JetStream engine (node::jetstream()).
#include <cstdint>

#include "core/jetstream/engine.h"
#include "core/monitor/builders.h"

namespace natrium::monitor {

namespace {

// AccountDetail of the global account. Its reserved limits are "unlimited"
// (-1), which the reference prints as a uint64.
json account_detail_json(const server::node& n, const jsz_options& o) {
  json d;
  d["name"] = global_account;
  d["id"] = global_account;
  json stats = jetstream_stats_json(n, true);
  stats["reserved_memory"] = ~std::uint64_t{0};
  stats["reserved_storage"] = ~std::uint64_t{0};
  stats["accounts"] = 0;
  for (const auto& [k, v] : stats.items()) d[k] = v;
  if (o.streams && n.jetstream() != nullptr) {
    json streams = json::parse(n.jetstream()->streams_detail_json(o.config, o.consumers), nullptr, false);
    if (!streams.is_discarded() && !streams.empty()) d["stream_detail"] = std::move(streams);
  }
  return d;
}

}  // namespace

base::result<json> build_jsz(const server::node& n, const jsz_options& in, const host_stats& host) {
  jsz_options o = in;
  if (o.limit == 0) o.limit = default_list_size;
  if (o.consumers) o.streams = true;
  if (o.streams) o.accounts = true;
  const bool enabled = jetstream_enabled(n, host);
  if (!enabled && o.leader_only) return base::error{"filtered response: not leader"};
  json j;
  j["server_id"] = n.server_id();
  j["now"] = rfc3339(host.now);
  if (!enabled) j["disabled"] = true;
  j["config"] = jetstream_config_json(host);
  json stats = jetstream_stats_json(n, enabled);
  for (const auto& [k, v] : stats.items()) j[k] = v;
  jetstream::engine_stats es;
  if (n.jetstream() != nullptr) es = n.jetstream()->stats();
  j["streams"] = es.streams;
  j["consumers"] = es.consumers;
  j["messages"] = es.messages;
  j["bytes"] = es.bytes;
  if (!enabled) return j;
  // One JetStream account: the global one (offset 0 keeps it, more skips it).
  const bool pick = o.account == global_account || (o.accounts && o.offset <= 0 && o.limit > 0);
  if (pick) j["account_details"] = json::array({account_detail_json(n, o)});
  return j;
}

base::result<json> build_accountz(const server::node& n, const std::string& account, const host_stats& host) {
  json a;
  a["server_id"] = n.server_id();
  a["now"] = rfc3339(host.now);
  if (account.empty()) {
    a["accounts"] = json::array({global_account});
    return a;
  }
  if (account != global_account) return base::error{"Account " + account + " does not exist"};
  const server::node_stats st = n.stats();
  json d;
  d["account_name"] = global_account;
  d["update_time"] = rfc3339(n.start_time());
  d["expired"] = false;
  d["complete"] = true;
  d["jetstream_enabled"] = jetstream_enabled(n, host);
  d["leafnode_connections"] = 0;
  d["client_connections"] = st.connections;
  d["subscriptions"] = st.subscriptions;
  d["sublist_stats"] = sublist_stats_json(n.sublist_stats());
  a["account_detail"] = std::move(d);
  return a;
}

json build_healthz(const server::node& n, const healthz_options& o, const host_stats& host, bool& ok) {
  (void)o;  // JetStream checks: a single server with JetStream on has nothing more to check
  json h;
  ok = host.ready && !n.lame_duck();
  if (!ok) {
    // readyForConnections: the client listener is closed (shutdown, lame duck).
    h["status"] = "error";
    h["error"] = "failed to be ready for connections after 1ms: server";
    return h;
  }
  h["status"] = "ok";
  return h;
}

}  // namespace natrium::monitor
