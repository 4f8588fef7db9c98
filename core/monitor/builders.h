#pragma once
// Builders of the monitoring JSON bodies from a node's state, with the field
// names, order, types, units and omitempty rules of nats-server 2.9.10
// (monitor.go). Each takes its decoded options and the host's view (time,
// process stats); handler.cpp decodes query strings into these options.
#include <cstdint>
#include <string>

#include "core/base/result.h"
#include "core/monitor/format.h"
#include "core/monitor/monitor.h"
#include "core/server/node.h"

namespace natrium::monitor {

// The only account Natrium has: nats-server's global account.
inline constexpr const char* global_account = "$G";

enum class conn_state_filter : std::uint8_t { open, closed, all };

struct connz_options {
  std::string sort;            // "" = cid; see docs/monitoring.md for the keys
  bool auth = false;
  bool subs = false;
  bool subs_detail = false;
  std::int64_t offset = 0;
  std::int64_t limit = 0;      // <= 0: 1024
  std::uint64_t cid = 0;       // > 0: only this connection (limit becomes 1)
  conn_state_filter state = conn_state_filter::open;
  std::string user, account, mqtt_client;
};

struct subsz_options {
  bool subs = false;
  std::int64_t offset = 0;
  std::int64_t limit = 0;      // <= 0: 1024
  std::string test;            // a literal subject: only subscriptions it would match
  std::string account;
};

struct jsz_options {
  std::string account;
  bool accounts = false, streams = false, consumers = false, config = false, leader_only = false;
  std::int64_t offset = 0, limit = 0;
};

struct healthz_options {
  bool js_enabled_only = false;
  bool js_server_only = false;
};

inline constexpr std::int64_t default_list_size = 1024;  // DefaultConnListSize, DefaultSubListSize

json build_varz(const server::node& n, const host_stats& host, const request_stats& stats);
base::result<json> build_connz(const server::node& n, const connz_options& o, const host_stats& host);
// The whole Subsz object; handler.cpp sends only its stats when the list is empty.
base::result<json> build_subsz(const server::node& n, const subsz_options& o, const host_stats& host);
json build_sublist_stats(const server::node& n);
json build_routez(const server::node& n, const host_stats& host);
base::result<json> build_jsz(const server::node& n, const jsz_options& o, const host_stats& host);
base::result<json> build_accountz(const server::node& n, const std::string& account, const host_stats& host);
// {"status":"ok"} or {"status":..., "error":...}; `ok` tells the HTTP status (200 or 503).
json build_healthz(const server::node& n, const healthz_options& o, const host_stats& host, bool& ok);
std::string build_root_html(const server::node& n);

// Shared pieces: JetStreamConfig and JetStreamStats (zeros: JetStream has no
// streams yet), and SublistStats.
bool jetstream_enabled(const server::node& n, const host_stats& host);
json jetstream_config_json(const host_stats& host);
json jetstream_stats_json(const server::node& n, bool enabled);
json sublist_stats_json(const server::sublist_info& s);
// Prometheus text exposition format 0.0.4 (docs/monitoring.md lists the metrics).
std::string build_metrics(const server::node& n, const host_stats& host, const request_stats& stats);

}  // namespace natrium::monitor
