// /varz (Varz, monitor.go) and the / index page.
#include "core/base/assert.h"
#include "core/jetstream/engine.h"
#include "core/monitor/builders.h"

namespace natrium::monitor {

namespace {

// Defaults the reference reports for features Natrium does not configure yet
// (seconds, as Go float64): AUTH_TIMEOUT and TLS_TIMEOUT.
constexpr double auth_timeout_s = 2;
constexpr double tls_timeout_s = 2;

// The configured limits (updateVarzConfigReloadableFields), in struct order
// from max_connections to max_pending.
void add_limits(json& v, const server::config& cfg, const host_stats& host) {
  v["max_connections"] = cfg.max_connections;
  if (cfg.max_subscriptions != 0) v["max_subscriptions"] = cfg.max_subscriptions;
  v["ping_interval"] = cfg.ping_interval_ns;  // time.Duration: nanoseconds
  v["ping_max"] = cfg.ping_max;
  v["http_host"] = host.http_host;
  v["http_port"] = host.http_port;
  v["http_base_path"] = "";
  v["https_port"] = 0;
  v["auth_timeout"] = go_float(auth_timeout_s);
  v["max_control_line"] = cfg.max_control_line;
  v["max_payload"] = cfg.max_payload;
  v["max_pending"] = cfg.max_pending;
}

// WebsocketOptsVarz: every field is omitempty, in the reference's order.
json websocket_json(const websocket_settings& ws) {
  json o = json::object();
  if (ws.port == 0) return o;
  if (!ws.host.empty()) o["host"] = ws.host;
  o["port"] = ws.port;
  if (!ws.advertise.empty()) o["advertise"] = ws.advertise;
  if (ws.handshake_timeout_ns != 0) o["handshake_timeout"] = ws.handshake_timeout_ns;
  if (ws.no_tls) o["no_tls"] = true;
  if (ws.same_origin) o["same_origin"] = true;
  if (!ws.allowed_origins.empty()) o["allowed_origins"] = ws.allowed_origins;
  if (ws.compression) o["compression"] = true;
  return o;
}

// Cluster, gateway, leaf and MQTT are not configured: every field of their
// structs is omitempty, so each is an empty object, as the reference's.
void add_features(json& v, const server::node& n, const host_stats& host) {
  for (const char* key : {"cluster", "gateway", "leaf", "mqtt"}) v[key] = json::object();
  v["websocket"] = websocket_json(host.websocket);
  json js = json::object();
  if (jetstream_enabled(n, host)) {
    js["config"] = jetstream_config_json(host);
    js["stats"] = jetstream_stats_json(n, true);
  }
  v["jetstream"] = std::move(js);
}

void add_runtime(json& v, const server::node& n, const host_stats& host) {
  const server::node_stats st = n.stats();
  const base::wall_time start = n.start_time();
  v["start"] = rfc3339(start);
  v["now"] = rfc3339(host.now);
  v["uptime"] = uptime(host.now.ns - start.ns);
  v["mem"] = host.mem_bytes;
  v["cores"] = host.cores;
  v["gomaxprocs"] = host.max_procs;
  v["cpu"] = go_float(host.cpu_percent);
  v["connections"] = st.connections;
  v["total_connections"] = st.total_connections;
  v["routes"] = 0;
  v["remotes"] = 0;
  v["leafnodes"] = 0;
  v["in_msgs"] = st.in_msgs;
  v["out_msgs"] = st.out_msgs;
  v["in_bytes"] = st.in_bytes;
  v["out_bytes"] = st.out_bytes;
  v["slow_consumers"] = st.slow_consumers;
  v["subscriptions"] = st.subscriptions;
}

}  // namespace

bool jetstream_enabled(const server::node& n, const host_stats& host) {
  return n.cfg().jetstream || host.jetstream.enabled;
}

json jetstream_config_json(const host_stats& host) {
  json c;
  c["max_memory"] = host.jetstream.enabled ? host.jetstream.max_memory : 0;
  c["max_storage"] = host.jetstream.enabled ? host.jetstream.max_storage : 0;
  if (host.jetstream.enabled && !host.jetstream.store_dir.empty()) c["store_dir"] = host.jetstream.store_dir;
  if (host.jetstream.enabled && !host.jetstream.domain.empty()) c["domain"] = host.jetstream.domain;
  return c;
}

json jetstream_stats_json(const server::node& n, bool enabled) {
  jetstream::engine_stats es;
  if (n.jetstream() != nullptr) es = n.jetstream()->stats();
  json s;
  s["memory"] = es.memory;
  s["storage"] = es.store;
  s["reserved_memory"] = 0;
  s["reserved_storage"] = 0;
  s["accounts"] = enabled ? 1 : 0;  // the global account, once JetStream is on
  s["ha_assets"] = 0;
  s["api"] = json{{"total", es.api_total}, {"errors", es.api_errors}};
  return s;
}

json build_varz(const server::node& n, const host_stats& host, const request_stats& stats) {
  const server::config& cfg = n.cfg();
  json v;
  v["server_id"] = n.server_id();
  v["server_name"] = cfg.server_name.empty() ? n.server_id() : cfg.server_name;
  v["version"] = server::compat_version;
  v["proto"] = server::proto_version;
  v["go"] = "natrium";  // as INFO's "go": the runtime behind the server
  v["host"] = cfg.host;
  v["port"] = cfg.port;
  add_limits(v, cfg, host);
  add_features(v, n, host);
  v["tls_timeout"] = go_float(tls_timeout_s);
  v["write_deadline"] = cfg.write_deadline_ns;
  add_runtime(v, n, host);
  json reqs = json::object();
  for (const auto& [path, count] : stats) reqs[path] = count;  // std::map: sorted, as Go's map encoding
  v["http_req_stats"] = std::move(reqs);
  v["config_load_time"] = rfc3339(n.config_time());
  v["natrium_version"] = cfg.natrium_version;  // our own extra field ("version" stays the reference's)
  NATRIUM_ASSERT(v.is_object());
  return v;
}

std::string build_root_html(const server::node& n) {
  static constexpr const char* links[][2] = {
      {"varz", "General"},        {"jsz", "JetStream"},     {"connz", "Connections"},
      {"accountz", "Accounts"},   {"subsz", "Subscriptions"}, {"routez", "Routes"},
      {"healthz", "Health Probe"}, {"metrics", "Prometheus Metrics"},
  };
  std::string html =
      "<html lang=\"en\">\n  <head>\n    <title>Natrium monitoring</title>\n"
      "    <style type=\"text/css\">\n"
      "      body { font-family: ui-sans-serif,system-ui,sans-serif; font-size: 18; margin-left: 32px }\n"
      "      a { display:block; margin-left: 7px; padding-bottom: 6px; color: rgb(72 72 92); text-decoration: none }\n"
      "      a:hover { font-weight: 600; color: rgb(59 50 202) }\n"
      "      a.version { font-size: 14; font-weight: 400 }\n"
      "    </style>\n  </head>\n  <body>\n    <h1>Natrium</h1>\n";
  html += "    <a href=https://github.com/nats-io/nats-server class='version'>v" + std::string(server::compat_version) +
          " (natrium " + n.cfg().natrium_version + ")</a>\n    <br/>\n";
  for (const auto& l : links) html += std::string("    <a href=./") + l[0] + ">" + l[1] + "</a>\n";
  html +=
      "    <a href=https://docs.nats.io/running-a-nats-service/nats_admin/monitoring class=\"help\">Help</a>\n"
      "  </body>\n</html>";
  return html;
}

}  // namespace natrium::monitor
