// Request handling: the paths of nats-server's monitoring mux (server.go
// startMonitoring), query options decoded as its Handle* functions do, their
// 400 error texts, JSONP (ResponseHandler) and Go's 404.
#include <optional>

#include "core/monitor/builders.h"

namespace natrium::monitor {

namespace {

constexpr const char* json_type = "application/json";
constexpr const char* jsonp_type = "application/javascript";
constexpr const char* text_type = "text/plain; charset=utf-8";  // what Go sniffs for error texts
constexpr const char* html_type = "text/html; charset=utf-8";
constexpr const char* metrics_type = "text/plain; version=0.0.4; charset=utf-8";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// url.QueryUnescape (plus_is_space) or url.PathUnescape; nullopt on a bad escape.
std::optional<std::string> unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

response bad_request(std::string text) { return {400, text_type, std::move(text)}; }

// ResponseHandler: JSON, or JSONP when the query has a callback.
response reply(const request& req, const std::string& body, int status = 200) {
  const std::string_view callback = req.get("callback");
  if (callback.empty()) return {status, json_type, body};
  return {status, jsonp_type, std::string(callback) + "(" + body + ")"};
}

// The decode* helpers of monitor.go: an absent or empty option is the zero value.
struct decoder {
  const request& req;
  std::string error;

  bool boolean(const char* key, bool& out) {
    const std::string_view v = req.get(key);
    if (v.empty()) return true;
    std::string why;
    auto b = parse_go_bool(v, why);
    if (!b) return fail("Error decoding boolean for '" + std::string(key) + "': " + why);
    out = *b;
    return true;
  }
  bool integer(const char* key, std::int64_t& out) {
    const std::string_view v = req.get(key);
    if (v.empty()) return true;
    std::string why;
    auto i = parse_go_int(v, why);
    if (!i) return fail("Error decoding int for '" + std::string(key) + "': " + why);
    out = *i;
    return true;
  }
  bool uint64(const char* key, std::uint64_t& out) {
    const std::string_view v = req.get(key);
    if (v.empty()) return true;
    std::string why;
    auto u = parse_go_uint(v, why);
    if (!u) return fail("Error decoding uint64 for '" + std::string(key) + "': " + why);
    out = *u;
    return true;
  }
  // decodeSubs: "detail" (any case) or a boolean.
  bool subs(bool& subs, bool& detail) {
    std::string v(req.get("subs"));
    for (char& c : v) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    detail = v == "detail";
    return detail || boolean("subs", subs);
  }
  bool state(conn_state_filter& out) {
    const std::string_view v = req.get("state");
    std::string lower(v);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower.empty() || lower == "open") out = conn_state_filter::open;
    else if (lower == "closed") out = conn_state_filter::closed;
    else if (lower == "any" || lower == "all") out = conn_state_filter::all;
    else return fail("Error decoding state for " + std::string(v));
    return true;
  }
  bool fail(std::string text) {
    error = std::move(text);
    return false;
  }
};

response handle_connz(const server::node& n, const request& req, const host_stats& host, request_stats& stats) {
  connz_options o;
  decoder d{req, {}};
  o.sort = std::string(req.get("sort"));
  if (!d.boolean("auth", o.auth) || !d.subs(o.subs, o.subs_detail) || !d.integer("offset", o.offset) ||
      !d.integer("limit", o.limit) || !d.uint64("cid", o.cid) || !d.state(o.state)) {
    return bad_request(d.error);
  }
  o.user = std::string(req.get("user"));
  o.account = std::string(req.get("acc"));
  o.mqtt_client = std::string(req.get("mqtt_client"));
  ++stats["/connz"];
  auto z = build_connz(n, o, host);
  if (!z.ok()) return bad_request(z.err().text);
  return reply(req, go_json(z.value()));
}

response handle_subsz(const server::node& n, const request& req, const host_stats& host, request_stats& stats) {
  ++stats["/subsz"];
  subsz_options o;
  decoder d{req, {}};
  if (!d.boolean("subs", o.subs) || !d.integer("offset", o.offset) || !d.integer("limit", o.limit)) {
    return bad_request(d.error);
  }
  o.test = std::string(req.get("test"));
  o.account = std::string(req.get("acc"));
  auto z = build_subsz(n, o, host);
  if (!z.ok()) return bad_request(z.err().text);
  const json& full = z.value();
  if (full.contains("subscriptions_list")) return reply(req, go_json(full));
  // As the reference: without a list, only the SublistStats part.
  json stats_only;
  for (const char* k : {"num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches",
                        "cache_hit_rate", "max_fanout", "avg_fanout"}) {
    stats_only[k] = full[k];
  }
  return reply(req, go_json(stats_only));
}

response handle_jsz(const server::node& n, const request& req, const host_stats& host, request_stats& stats) {
  ++stats["/jsz"];
  jsz_options o;
  decoder d{req, {}};
  if (!d.boolean("accounts", o.accounts) || !d.boolean("streams", o.streams) ||
      !d.boolean("consumers", o.consumers) || !d.boolean("config", o.config) || !d.integer("offset", o.offset) ||
      !d.integer("limit", o.limit) || !d.boolean("leader-only", o.leader_only)) {
    return bad_request(d.error);
  }
  o.account = std::string(req.get("acc"));
  auto j = build_jsz(n, o, host);
  if (!j.ok()) return bad_request(j.err().text);
  return reply(req, go_json(j.value()));
}

response handle_healthz(const server::node& n, const request& req, const host_stats& host, request_stats& stats) {
  ++stats["/healthz"];
  healthz_options o;
  bool deprecated = false;
  decoder d{req, {}};
  if (!d.boolean("js-enabled", deprecated) || !d.boolean("js-enabled-only", o.js_enabled_only) ||
      !d.boolean("js-server-only", o.js_server_only)) {
    return bad_request(d.error);
  }
  o.js_enabled_only = o.js_enabled_only || deprecated;
  bool ok = true;
  const json h = build_healthz(n, o, host, ok);
  response r = reply(req, go_json(h, false));
  if (!ok) {
    // The reference writes the 503 status before it sets the content type,
    // so Go sniffs the body instead: plain text.
    r.status = 503;
    r.content_type = text_type;
  }
  return r;
}

response handle_other(const server::node& n, const request& req, const host_stats& host, request_stats& stats) {
  const std::string& p = req.path;
  if (p == "/varz") {
    ++stats["/varz"];
    return reply(req, go_json(build_varz(n, host, stats)));
  }
  if (p == "/routez") {
    bool subs = false, detail = false;
    decoder d{req, {}};
    if (!d.subs(subs, detail)) return bad_request(d.error);
    ++stats["/routez"];
    return reply(req, go_json(build_routez(n, host)));
  }
  if (p == "/accountz") {
    ++stats["/accountz"];
    auto a = build_accountz(n, std::string(req.get("acc")), host);
    if (!a.ok()) return bad_request(a.err().text);
    return reply(req, go_json(a.value()));
  }
  if (p == "/metrics") return {200, metrics_type, build_metrics(n, host, stats)};
  if (p == "/") {
    ++stats["/"];
    return {200, html_type, build_root_html(n)};
  }
  return {404, text_type, "404 page not found\n"};
}

}  // namespace

std::string_view request::get(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return {};
}

request parse_target(std::string_view target) {
  request r;
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  auto decoded = unescape(path, false);
  r.path = decoded ? *decoded : std::string(path);
  if (q == std::string_view::npos) return r;
  std::string_view query = target.substr(q + 1);
  constexpr std::size_t pairs_max = 256;  // bounded: the host also bounds the target's length
  while (!query.empty() && r.query.size() < pairs_max) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const std::size_t eq = pair.find('=');
    auto key = unescape(pair.substr(0, eq), true);
    auto value = unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) continue;
    r.query.emplace_back(std::move(*key), std::move(*value));
  }
  return r;
}

response handle(const server::node& n, const request& req, const host_stats& host, request_stats& stats) {
  const std::string& p = req.path;
  if (p == "/connz") return handle_connz(n, req, host, stats);
  if (p == "/subsz" || p == "/subscriptionsz") return handle_subsz(n, req, host, stats);
  if (p == "/jsz") return handle_jsz(n, req, host, stats);
  if (p == "/healthz") return handle_healthz(n, req, host, stats);
  return handle_other(n, req, host, stats);
}

}  // namespace natrium::monitor
