#include "native/config_file.h"

#include <charconv>
#include <climits>
#include <cstdint>
#include <limits>
#include <string_view>

#include "core/base/limits.h"
#include "native/config_parser.h"
#include "native/config_text.h"

namespace natrium::native {

namespace {

using conf::entry;
using conf::value;
using conf::value_kind;

struct context {
  options& o;
  config_report& r;
  void error(const conf::position& p, const std::string& m) { r.errors.push_back(conf::to_string(p) + ": " + m); }
  void warning(const conf::position& p, const std::string& m) { r.warnings.push_back(conf::to_string(p) + ": " + m); }
  void ignore(const conf::position& p, const std::string& m) { r.ignored.push_back(conf::to_string(p) + ": " + m); }
  void unsupported(const entry& e) { ignore(e.key_pos, e.key + " is not supported yet; ignoring it"); }
  void rejected(const entry& e) { error(e.key_pos, e.key + " is not supported yet"); }
  void unknown(const entry& e) {
    if (!e.used_as_variable) ignore(e.key_pos, "unknown field \"" + e.key + "\"");
  }
};

std::string shown(const value& v) {
  switch (v.kind) {
    case value_kind::string:
    case value_kind::datetime: return std::string(conf::describe(v.kind)) + " (\"" + v.text + "\")";
    case value_kind::integer:
    case value_kind::floating:
    case value_kind::boolean: return std::string(conf::describe(v.kind)) + " (" + v.text + ")";
    default: return conf::describe(v.kind);
  }
}

bool expect(const entry& e, value_kind kind, context& c) {
  if (e.val.kind == kind) return true;
  c.error(e.key_pos, "invalid value for \"" + e.key + "\": expected " + conf::describe(kind) + ", got " + shown(e.val));
  return false;
}

bool get_string(const entry& e, context& c, std::string& out) {
  if (!expect(e, value_kind::string, c)) return false;
  out = e.val.text;
  return true;
}

bool get_bool(const entry& e, context& c, bool& out) {
  if (!expect(e, value_kind::boolean, c)) return false;
  out = e.val.boolean;
  return true;
}

bool get_int64(const entry& e, context& c, std::int64_t& out) {
  if (!expect(e, value_kind::integer, c)) return false;
  out = e.val.integer;
  return true;
}

bool get_int(const entry& e, context& c, int& out) {
  std::int64_t n = 0;
  if (!get_int64(e, c, n)) return false;
  if (n > INT_MAX || n < INT_MIN) {
    c.error(e.key_pos, e.key + " value is too big");
    return false;
  }
  out = static_cast<int>(n);
  return true;
}

// listen, http, cluster.listen: a port, or "host:port" (net.SplitHostPort).
bool get_listen(const entry& e, context& c, std::string& host, int& port) {
  if (e.val.kind == value_kind::integer) {
    if (!get_int(e, c, port)) return false;
    host.clear();
    return true;
  }
  if (e.val.kind != value_kind::string) {
    c.error(e.key_pos, std::string("expected port or host:port, got ") + conf::describe(e.val.kind));
    return false;
  }
  const std::string& s = e.val.text;
  const auto colon = s.rfind(':');
  std::string h = colon == std::string::npos ? std::string() : s.substr(0, colon);
  bool ok = colon != std::string::npos;
  if (ok && !h.empty() && h.front() == '[') {
    ok = h.back() == ']';
    h = h.substr(1, h.size() - 2);
  } else if (ok) {
    ok = h.find(':') == std::string::npos && h.find('[') == std::string::npos && h.find(']') == std::string::npos;
  }
  if (!ok) {
    c.error(e.key_pos, "could not parse address string \"" + s + "\"");
    return false;
  }
  const std::string p = s.substr(colon + 1);
  int n = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size()) {
    c.error(e.key_pos, "could not parse port \"" + p + "\"");
    return false;
  }
  host = h;
  port = n;
  return true;
}

// ping_interval, write_deadline: a Go duration string, or (as older configs)
// a number of seconds, which the reference accepts with a warning.
bool get_duration(const entry& e, const std::string& field, context& c, std::int64_t& out_ns) {
  if (e.val.kind == value_kind::integer) {
    c.warning(e.key_pos, "invalid use of field \"" + field + "\": " + field + " should be converted to a duration");
    const std::int64_t s = e.val.integer;
    if (s > std::numeric_limits<std::int64_t>::max() / 1'000'000'000 || s < 0) {
      c.error(e.key_pos, "error parsing " + field + ": out of range");
      return false;
    }
    out_ns = s * 1'000'000'000;
    return true;
  }
  if (!expect(e, value_kind::string, c)) return false;
  auto d = conf::parse_go_duration(e.val.text);
  if (!d) {
    c.error(e.key_pos, "error parsing " + field + ": " + d.err().text);
    return false;
  }
  if (d.value() < 0) {
    c.error(e.key_pos, "invalid " + field + " of " + conf::format_go_duration(d.value()) + ", needs to be positive");
    return false;
  }
  out_ns = d.value();
  return true;
}

// lame_duck_duration, lame_duck_grace_period: duration strings only.
bool get_duration_string(const entry& e, const std::string& field, context& c, std::int64_t& out_ns) {
  if (!expect(e, value_kind::string, c)) return false;
  auto d = conf::parse_go_duration(e.val.text);
  if (!d) {
    c.error(e.key_pos, "error parsing " + field + ": " + d.err().text);
    return false;
  }
  out_ns = d.value();
  return true;
}

// jetstream max_memory_store / max_file_store (opts.go getStorageSize): an
// integer (with the lexer's suffixes), or a string ending in K, M, G or T
// (powers of 1024).
bool get_storage_size(const entry& e, const std::string& field, context& c, std::int64_t& out) {
  if (e.val.kind == value_kind::integer) {
    out = e.val.integer;
    return true;
  }
  if (e.val.kind != value_kind::string) {
    c.error(e.key_pos, field + " must be int64 or string");
    return false;
  }
  const std::string& s = e.val.text;
  if (s.empty()) {
    out = 0;
    return true;
  }
  const std::string prefix = s.substr(0, s.size() - 1);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), n);
  if (prefix.empty() || ec != std::errc() || end != prefix.data() + prefix.size()) {
    const char* why = ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
    c.error(e.key_pos, field + " strconv.ParseInt: parsing \"" + prefix + "\": " + why);
    return false;
  }
  const std::string_view units = "KMGT";
  const auto u = units.find(s.back());
  if (u == std::string_view::npos) {
    c.error(e.key_pos, field + " sizes defined as strings must end in K, M, G, T");
    return false;
  }
  const int shift = 10 * static_cast<int>(u + 1);
  if (n > (std::numeric_limits<std::int64_t>::max() >> shift) || n < (std::numeric_limits<std::int64_t>::min() >> shift)) {
    c.error(e.key_pos, field + " value is too big");
    return false;
  }
  out = n * (std::int64_t{1} << shift);
  return true;
}

// A limit where 0 means "the default" (setBaselineOptions).
bool get_limit(const entry& e, context& c, std::int64_t max, std::int64_t fallback, std::int64_t& out) {
  std::int64_t n = 0;
  if (!get_int64(e, c, n)) return false;
  if (n > max) {
    c.error(e.key_pos, e.key + " value is too big");
    return false;
  }
  if (n < 0) {
    c.error(e.key_pos, e.key + " value can not be negative");
    return false;
  }
  out = n == 0 ? fallback : n;
  return true;
}


// --- blocks ---

void apply_jetstream_key(const entry& m, context& c, bool& enable) {
  auto& js = c.o.jetstream;
  const std::string k = conf::lowercase(m.key);
  std::int64_t size = 0;
  if (k == "store" || k == "store_dir" || k == "storedir") {
    if (!js.store_dir.empty()) return c.error(m.key_pos, "Duplicate 'store_dir' configuration");
    get_string(m, c, js.store_dir);
  } else if (k == "max_memory_store" || k == "max_mem_store" || k == "max_mem") {
    if (get_storage_size(m, "max_mem_store", c, size)) js.max_memory_store = size;
  } else if (k == "max_file_store" || k == "max_file") {
    if (get_storage_size(m, "max_file_store", c, size)) js.max_file_store = size;
  } else if (k == "domain") {
    get_string(m, c, js.domain);
  } else if (k == "enable" || k == "enabled") {
    get_bool(m, c, enable);
  } else if (k == "key" || k == "ek" || k == "encryption_key" || k == "cipher" || k == "extension_hint" ||
             k == "limits" || k == "unique_tag" || k == "max_outstanding_catchup") {
    c.unsupported(m);
  } else {
    c.unknown(m);
  }
}

// jetstream: true | "enabled" | "disabled" | { store_dir, max_memory_store, max_file_store, ... }
void apply_jetstream(const entry& e, context& c) {
  auto& js = c.o.jetstream;
  const std::string s = conf::lowercase(e.val.text);
  switch (e.val.kind) {
    case value_kind::boolean: js.enabled = e.val.boolean; break;
    case value_kind::string:
      if (s == "enabled" || s == "enable" || s == "disabled" || s == "disable") {
        js.enabled = s.starts_with("enable");
        break;
      }
      return c.error(e.key_pos, "Expected 'enabled' or 'disabled' for string value, got '" + e.val.text + "'");
    case value_kind::map: {
      bool enable = true;
      for (const auto& m : e.val.entries) apply_jetstream_key(m, c, enable);
      js.enabled = enable;
      break;
    }
    default:
      return c.error(e.key_pos, std::string("Expected map, bool or string to define JetStream, got ") +
                                    conf::describe(e.val.kind));
  }
}

void apply_routes(const entry& m, context& c) {
  if (!expect(m, value_kind::array, c)) return;
  std::vector<std::string> routes;
  for (const auto& item : m.val.items) {
    if (item.kind != value_kind::string) {
      c.error(item.pos, std::string("invalid route: expected a string, got ") + conf::describe(item.kind));
      continue;
    }
    bool duplicate = false;
    for (const auto& r : routes) duplicate = duplicate || r == item.text;
    if (duplicate) {
      c.warning(item.pos, "invalid use of field \"" + item.text + "\": Duplicate route entry detected");
      continue;
    }
    routes.push_back(item.text);
  }
  c.o.cluster.routes = std::move(routes);
}

void apply_cluster_key(const entry& m, context& c) {
  auto& cl = c.o.cluster;
  const std::string k = conf::lowercase(m.key);
  if (k == "name") {
    get_string(m, c, cl.name);
  } else if (k == "listen") {
    get_listen(m, c, cl.host, cl.port);
  } else if (k == "port") {
    get_int(m, c, cl.port);
  } else if (k == "host" || k == "net") {
    get_string(m, c, cl.host);
  } else if (k == "routes") {
    apply_routes(m, c);
  } else if (k == "authorization" || k == "tls") {
    c.error(m.key_pos, "cluster " + m.key + " is not supported yet");
  } else if (k == "cluster_advertise" || k == "advertise" || k == "no_advertise" || k == "connect_retries" ||
             k == "permissions" || k == "pool_size" || k == "compression") {
    c.unsupported(m);
  } else {
    c.unknown(m);
  }
}

// cluster { name, listen, routes, ... }
void apply_cluster(const entry& e, context& c) {
  if (e.val.kind != value_kind::map) {
    return c.error(e.key_pos, std::string("Expected map to define cluster, got ") + conf::describe(e.val.kind));
  }
  for (const auto& m : e.val.entries) apply_cluster_key(m, c);
  c.ignore(e.key_pos, "clustering is not supported yet; ignoring it");
}

// --- websocket ---

// Go's %T of a conf value, for the reference's "unsupported type" errors.
const char* go_type(value_kind kind) {
  switch (kind) {
    case value_kind::string: return "string";
    case value_kind::integer: return "int64";
    case value_kind::floating: return "float64";
    case value_kind::boolean: return "bool";
    case value_kind::datetime: return "time.Time";
    case value_kind::array: return "[]interface {}";
    case value_kind::map: return "map[string]interface {}";
  }
  return "interface {}";
}

// allowed_origins: one string or an array of strings (parseStringArray).
void get_origins(const entry& m, context& c, std::vector<std::string>& out) {
  if (m.val.kind == value_kind::string) {
    out = {m.val.text};
    return;
  }
  if (m.val.kind != value_kind::array) {
    return c.error(m.key_pos, std::string("error parsing allowed origins: unsupported type ") + go_type(m.val.kind));
  }
  out.clear();
  for (const auto& item : m.val.items) {
    if (item.kind == value_kind::string) {
      out.push_back(item.text);
    } else {
      c.error(item.pos, std::string("error parsing allowed origins: unsupported type in array ") + go_type(item.kind));
    }
  }
}

// handshake_timeout: a duration string, or an integer number of seconds.
void get_handshake_timeout(const entry& m, context& c, std::int64_t& out_ns) {
  if (m.val.kind == value_kind::integer) {
    const std::int64_t s = m.val.integer;
    if (s > std::numeric_limits<std::int64_t>::max() / 1'000'000'000 || s < 0) {
      return c.error(m.key_pos, "error parsing handshake timeout: out of range");
    }
    out_ns = s * 1'000'000'000;
    return;
  }
  if (m.val.kind != value_kind::string) {
    return c.error(m.key_pos, std::string("error parsing handshake timeout: unsupported type ") + go_type(m.val.kind));
  }
  auto d = conf::parse_go_duration(m.val.text);
  if (!d) return c.error(m.key_pos, d.err().text);
  out_ns = d.value();
}

void apply_websocket_key(const entry& m, context& c) {
  auto& ws = c.o.websocket;
  const std::string k = conf::lowercase(m.key);
  if (k == "listen") {
    get_listen(m, c, ws.host, ws.port);
  } else if (k == "port") {
    get_int(m, c, ws.port);
  } else if (k == "host" || k == "net") {
    get_string(m, c, ws.host);
  } else if (k == "advertise") {
    get_string(m, c, ws.advertise);
  } else if (k == "no_tls") {
    get_bool(m, c, ws.no_tls);
  } else if (k == "same_origin") {
    get_bool(m, c, ws.same_origin);
  } else if (k == "allowed_origins" || k == "allowed_origin" || k == "allow_origins" || k == "allow_origin" ||
             k == "origins" || k == "origin") {
    get_origins(m, c, ws.allowed_origins);
  } else if (k == "handshake_timeout") {
    get_handshake_timeout(m, c, ws.handshake_timeout_ns);
  } else if (k == "compress" || k == "compression") {
    get_bool(m, c, ws.compression);
  } else if (k == "tls" || k == "authorization" || k == "authentication" || k == "jwt_cookie" || k == "no_auth_user") {
    // Security settings: ignoring them would run the listener open.
    c.error(m.key_pos, "websocket " + m.key + " is not supported yet");
  } else if (!m.used_as_variable) {
    c.error(m.key_pos, "unknown field \"" + m.key + "\"");  // the reference refuses these here
  }
}

// websocket { port, host, no_tls, same_origin, allowed_origins, compression, handshake_timeout }
void apply_websocket(const entry& e, context& c) {
  if (e.val.kind != value_kind::map) {
    return c.error(e.key_pos, std::string("Expected websocket to be a map, got ") + go_type(e.val.kind));
  }
  for (const auto& m : e.val.entries) apply_websocket_key(m, c);
}

// --- top level ---

using handler = void (*)(const entry&, context&);

struct key_rule {
  std::vector<std::string_view> names;  // lower case, as the reference matches them
  handler apply;
};

void on_listen(const entry& e, context& c) { get_listen(e, c, c.o.node.host, c.o.port_requested); }
void on_http(const entry& e, context& c) { get_listen(e, c, c.o.http_host, c.o.http_port); }

void on_max_control_line(const entry& e, context& c) {
  std::int64_t n = 0;
  if (get_limit(e, c, INT32_MAX, base::control_line_default, n)) c.o.node.max_control_line = static_cast<std::size_t>(n);
}

void on_max_payload(const entry& e, context& c) {
  std::int64_t n = 0;
  if (!get_limit(e, c, INT32_MAX, base::payload_default, n)) return;
  if (n > base::payload_max) {
    return c.error(e.key_pos, e.key + " value is too big (at most " + std::to_string(base::payload_max) + ")");
  }
  c.o.node.max_payload = n;
}

void on_max_connections(const entry& e, context& c) {
  int n = 0;
  if (!get_int(e, c, n)) return;
  // 0: the default; negative: no limit (the reference checks MaxConn > 0).
  c.o.node.max_connections = n == 0 ? base::connections_default : (n < 0 ? INT_MAX : n);
}

void on_log_size_limit(const entry& e, context& c) {
  if (get_int64(e, c, c.o.log_size_limit) && c.o.log_size_limit > 0) {
    c.ignore(e.key_pos, "log rotation (" + e.key + ") is not supported yet; ignoring it");
  }
}

void on_lame_duck_duration(const entry& e, context& c) {
  std::int64_t ns = 0;
  if (!get_duration_string(e, "lame_duck_duration", c, ns)) return;
  if (ns < 30'000'000'000) {
    return c.error(e.key_pos, "invalid lame_duck_duration of " + conf::format_go_duration(ns) +
                                  ", minimum is 30 seconds");
  }
  c.o.lame_duck_duration_ns = ns;
}

void on_lame_duck_grace_period(const entry& e, context& c) {
  std::int64_t ns = 0;
  if (!get_duration_string(e, "lame_duck_grace_period", c, ns)) return;
  if (ns < 0) return c.error(e.key_pos, "invalid lame_duck_grace_period, needs to be positive");
  c.o.lame_duck_grace_ns = ns;
}

void on_store_dir(const entry& e, context& c) {
  if (!c.o.jetstream.store_dir.empty()) return c.error(e.key_pos, "Duplicate 'store_dir' configuration");
  get_string(e, c, c.o.jetstream.store_dir);
}

const std::vector<key_rule>& top_rules() {
  static const std::vector<key_rule> rules = {
      {{"listen"}, on_listen},
      {{"port"}, [](const entry& e, context& c) { get_int(e, c, c.o.port_requested); }},
      {{"host", "net"}, [](const entry& e, context& c) { get_string(e, c, c.o.node.host); }},
      {{"server_name"}, [](const entry& e, context& c) { get_string(e, c, c.o.node.server_name); }},
      {{"debug"}, [](const entry& e, context& c) { get_bool(e, c, c.o.node.debug); }},
      {{"trace"}, [](const entry& e, context& c) { get_bool(e, c, c.o.node.trace); }},
      {{"trace_verbose"}, [](const entry& e, context& c) { get_bool(e, c, c.o.node.trace); }},
      {{"logtime"}, [](const entry& e, context& c) { get_bool(e, c, c.o.log_time); }},
      {{"logfile", "log_file"}, [](const entry& e, context& c) { get_string(e, c, c.o.log_file); }},
      {{"logfile_size_limit", "log_size_limit"}, on_log_size_limit},
      {{"pidfile", "pid_file"}, [](const entry& e, context& c) { get_string(e, c, c.o.pid_file); }},
      {{"ports_file_dir"}, [](const entry& e, context& c) { get_string(e, c, c.o.ports_file_dir); }},
      {{"http"}, on_http},
      {{"http_port", "monitor_port"}, [](const entry& e, context& c) { get_int(e, c, c.o.http_port); }},
      {{"max_control_line"}, on_max_control_line},
      {{"max_payload"}, on_max_payload},
      {{"max_pending"}, [](const entry& e, context& c) {
         get_limit(e, c, INT64_MAX, base::pending_default, c.o.node.max_pending);
       }},
      {{"max_connections", "max_conn"}, on_max_connections},
      {{"max_subscriptions", "max_subs"}, [](const entry& e, context& c) {
         if (get_int(e, c, c.o.node.max_subscriptions) && c.o.node.max_subscriptions < 0) c.o.node.max_subscriptions = 0;
       }},
      {{"ping_interval"}, [](const entry& e, context& c) {
         std::int64_t ns = 0;
         if (get_duration(e, "ping_interval", c, ns)) c.o.node.ping_interval_ns = ns == 0 ? base::ping_interval_default_ns : ns;
       }},
      {{"ping_max"}, [](const entry& e, context& c) {
         int n = 0;
         if (get_int(e, c, n)) c.o.node.ping_max = n == 0 ? base::ping_max_out_default : n;
       }},
      {{"write_deadline"}, [](const entry& e, context& c) {
         std::int64_t ns = 0;
         if (get_duration(e, "write_deadline", c, ns)) c.o.node.write_deadline_ns = ns == 0 ? base::write_deadline_default_ns : ns;
       }},
      {{"lame_duck_duration"}, on_lame_duck_duration},
      {{"lame_duck_grace_period"}, on_lame_duck_grace_period},
      {{"jetstream"}, apply_jetstream},
      {{"store_dir", "storedir"}, on_store_dir},
      {{"cluster"}, apply_cluster},
      {{"websocket", "ws"}, apply_websocket},
      // Security features: ignoring them would run the server open, so they stop it.
      {{"authorization", "accounts", "tls", "operator", "operators", "roots", "root",
        "root_operators", "root_operator", "resolver", "account_resolver", "accounts_resolver", "resolver_tls",
        "resolver_preload", "resolver_pinned_accounts", "trusted", "trusted_keys", "no_auth_user"},
       [](const entry& e, context& c) { c.rejected(e); }},
      // Known to the reference, not implemented here yet: a warning.
      {{"client_advertise", "mappings", "maps", "disable_sublist_cache", "no_sublist_cache", "https", "https_port",
        "http_base_path", "gateway", "leaf", "leafnodes", "syslog", "remote_syslog", "prof_port",
        "max_traced_msg_len", "max_sub_tokens", "max_subscription_tokens", "ocsp", "allow_non_tls",
        "system_account", "system", "no_system_account", "no_system", "no_sys_acc", "no_header_support",
        "connect_error_reports", "reconnect_error_reports", "mqtt", "server_tags", "default_js_domain"},
       [](const entry& e, context& c) { c.unsupported(e); }},
  };
  return rules;
}

void apply_top_level(const entry& e, context& c) {
  const std::string k = conf::lowercase(e.key);
  for (const auto& rule : top_rules()) {
    for (auto name : rule.names) {
      if (name == k) return rule.apply(e, c);
    }
  }
  c.unknown(e);
}

}  // namespace

config_report apply_config(const value& root, options& o) {
  config_report r;
  context c{o, r};
  for (const auto& e : root.entries) apply_top_level(e, c);
  return r;
}

config_report apply_config_file(const std::string& path, options& o) {
  auto root = conf::parse_file(path);
  if (!root) {
    config_report r;
    r.errors.push_back(root.err().text);
    return r;
  }
  return apply_config(root.value(), o);
}

}  // namespace natrium::native
