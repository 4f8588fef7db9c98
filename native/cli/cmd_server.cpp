// natrium server info|ping|check: the server behind the connection.
//
// `server check` is for monitoring systems: it prints one Nagios status line
// ("OK Connection OK:connected ... | rtt=0.000512s;0.5;1") and exits with the
// Nagios codes, 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, whatever went wrong
// (an unreachable server is CRITICAL, not the usual exit 1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"

namespace natrium::cli {

namespace {

// ---- info ------------------------------------------------------------------------

void server_info(context& ctx) {
  natsConnection* nc = ctx.conn();
  char url[256] = {0}, id[128] = {0};
  check(natsConnection_GetConnectedUrl(nc, url, sizeof url), "connected url");
  check(natsConnection_GetConnectedServerId(nc, id, sizeof id), "server id");
  int64_t rtt_ns = 0;
  check(natsConnection_GetRTT(nc, &rtt_ns), "rtt");
  uint64_t client_id = 0;
  natsConnection_GetClientID(nc, &client_id);
  std::string client_ip;
  if (char* ip = nullptr; natsConnection_GetClientIP(nc, &ip) == NATS_OK && ip != nullptr) {
    client_ip = ip;
    free(ip);
  }
  const int64_t max_payload = natsConnection_GetMaxPayload(nc);
  const bool headers = natsConnection_HasHeaderSupport(nc) == NATS_OK;
  nlohmann::json info;
  try {
    info = ctx.js_api("INFO");
  } catch (const cli_error&) {
    info = nullptr;  // no JetStream: still a server
  }
  if (ctx.opts.json) {
    print_json({{"url", url},
                {"server_id", id},
                {"rtt_ns", rtt_ns},
                {"client_id", client_id},
                {"client_ip", client_ip},
                {"max_payload", max_payload},
                {"headers", headers},
                {"jetstream", info}});
    return;
  }
  table t({"Property", "Value"}, fmt::format("Server {}", url));
  t.add_row({"Server ID", id});
  t.add_row({"RTT", human_duration_ns(rtt_ns)});
  t.add_row({"Client ID", std::to_string(client_id)});
  if (!client_ip.empty()) t.add_row({"Client IP", client_ip});
  t.add_row({"Maximum Payload", human_bytes(static_cast<uint64_t>(std::max<int64_t>(max_payload, 0)))});
  t.add_row({"Headers", headers ? "supported" : "not supported"});
  t.add_row({"JetStream", info.is_null() ? "disabled" : "enabled"});
  if (!info.is_null()) {
    const auto limit = [&info](const char* key, bool bytes) -> std::string {
      const int64_t v = info.contains("limits") ? info["limits"].value(key, int64_t{-1}) : -1;
      if (v < 0) return "unlimited";
      return bytes ? human_bytes(static_cast<uint64_t>(v)) : human_count(static_cast<uint64_t>(v));
    };
    t.add_row({"Streams", fmt::format("{} of {}", human_count(info.value("streams", 0ull)), limit("max_streams", false))});
    t.add_row(
        {"Consumers", fmt::format("{} of {}", human_count(info.value("consumers", 0ull)), limit("max_consumers", false))});
    t.add_row({"Memory", fmt::format("{} of {}", human_bytes(info.value("memory", 0ull)), limit("max_memory", true))});
    t.add_row({"Storage", fmt::format("{} of {}", human_bytes(info.value("storage", 0ull)), limit("max_storage", true))});
    if (info.contains("api")) {
      t.add_row({"API Requests", human_count(info["api"].value("total", 0ull))});
      t.add_row({"API Errors", human_count(info["api"].value("errors", 0ull))});
    }
  }
  t.print();
}

// ---- ping ------------------------------------------------------------------------

struct ping_options {
  int count = 5;
  std::string interval = "100ms";
};

void server_ping(context& ctx, const ping_options& o) {
  const auto interval_ns = parse_duration_ns(o.interval);
  if (!interval_ns || *interval_ns < 0) throw cli_error("--interval " + o.interval + ": not a duration (e.g. 1s)", 2);
  natsConnection* nc = ctx.conn();
  char url[256] = {0};
  check(natsConnection_GetConnectedUrl(nc, url, sizeof url), "connected url");
  std::vector<int64_t> rtts;
  if (!ctx.opts.json) fmt::print("PING {}\n", url);
  for (int i = 1; i <= o.count; ++i) {
    int64_t rtt_ns = 0;
    check(natsConnection_GetRTT(nc, &rtt_ns), "ping");
    rtts.push_back(rtt_ns);
    if (!ctx.opts.json) {
      fmt::print("seq={} rtt={}\n", i, human_duration_ns(rtt_ns));
      std::fflush(stdout);
    }
    if (i < o.count && *interval_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(*interval_ns));
  }
  const int64_t min = *std::min_element(rtts.begin(), rtts.end());
  const int64_t max = *std::max_element(rtts.begin(), rtts.end());
  int64_t sum = 0;
  for (int64_t r : rtts) sum += r;
  const int64_t avg = sum / static_cast<int64_t>(rtts.size());
  if (ctx.opts.json) {
    print_json({{"url", url}, {"rtt_ns", rtts}, {"min_ns", min}, {"avg_ns", avg}, {"max_ns", max}});
    return;
  }
  fmt::print("--- {} ping statistics ---\n", url);
  fmt::print("{} pings, rtt min/avg/max = {}/{}/{}\n", rtts.size(), human_duration_ns(min), human_duration_ns(avg),
             human_duration_ns(max));
}

// ---- check -------------------------------------------------------------------------

enum class nagios { ok = 0, warning = 1, critical = 2, unknown = 3 };

const char* nagios_name(nagios s) {
  switch (s) {
    case nagios::ok: return "OK";
    case nagios::warning: return "WARNING";
    case nagios::critical: return "CRITICAL";
    case nagios::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

// A check's findings: the worst status wins.
class check_result {
 public:
  explicit check_result(std::string name) : name_(std::move(name)) {}

  void ok(std::string m) { oks_.push_back(std::move(m)); }
  void warning(std::string m) { raise(nagios::warning, warnings_, std::move(m)); }
  void critical(std::string m) { raise(nagios::critical, criticals_, std::move(m)); }
  void unknown(std::string m) { raise(nagios::unknown, unknowns_, std::move(m)); }
  // Nagios performance data: label=value[unit];warn;crit
  void perf(const std::string& label, const std::string& value, const std::string& warn = {},
            const std::string& crit = {}) {
    std::string p = label + "=" + value;
    if (!warn.empty() || !crit.empty()) p += ";" + warn + ";" + crit;
    perf_.push_back(std::move(p));
  }

  // A count where more is worse: CRITICAL at `crit` or more, WARNING at `warn` or more (< 0: not checked).
  void count(const std::string& what, const std::string& label, int64_t value, int64_t warn, int64_t crit) {
    perf(label, std::to_string(value), warn < 0 ? "" : std::to_string(warn), crit < 0 ? "" : std::to_string(crit));
    if (crit >= 0 && value >= crit) {
      critical(fmt::format("{} {}>={}", what, value, crit));
    } else if (warn >= 0 && value >= warn) {
      warning(fmt::format("{} {}>={}", what, value, warn));
    } else {
      ok(fmt::format("{} {}", what, value));
    }
  }

  // A duration where longer is worse: over `crit` is CRITICAL, over `warn` WARNING (< 0: not checked).
  void duration(const std::string& what, const std::string& label, int64_t ns, int64_t warn_ns, int64_t crit_ns) {
    const auto secs = [](int64_t v) { return fmt::format("{:.6f}", static_cast<double>(v) / 1e9); };
    perf(label, secs(ns) + "s", warn_ns < 0 ? "" : secs(warn_ns), crit_ns < 0 ? "" : secs(crit_ns));
    if (crit_ns >= 0 && ns > crit_ns) {
      critical(fmt::format("{} {}>{}", what, human_duration_ns(ns), human_duration_ns(crit_ns)));
    } else if (warn_ns >= 0 && ns > warn_ns) {
      warning(fmt::format("{} {}>{}", what, human_duration_ns(ns), human_duration_ns(warn_ns)));
    } else {
      ok(fmt::format("{} {}", what, human_duration_ns(ns)));
    }
  }

  nagios status() const noexcept { return status_; }

  std::string line() const {
    std::string out = fmt::format("{} {}", nagios_name(status_), name_);
    for (const auto& m : unknowns_) out += " UNKNOWN:" + m;
    for (const auto& m : criticals_) out += " CRITICAL:" + m;
    for (const auto& m : warnings_) out += " WARNING:" + m;
    for (const auto& m : oks_) out += " OK:" + m;
    if (!perf_.empty()) {
      out += " |";
      for (const auto& p : perf_) out += " " + p;
    }
    return out;
  }

  nlohmann::json to_json() const {
    return {{"check", name_},   {"status", nagios_name(status_)}, {"exit_code", static_cast<int>(status_)},
            {"ok", oks_},       {"warnings", warnings_},          {"criticals", criticals_},
            {"unknown", unknowns_}, {"perf_data", perf_}};
  }

 private:
  void raise(nagios s, std::vector<std::string>& into, std::string m) {
    into.push_back(std::move(m));
    if (static_cast<int>(s) > static_cast<int>(status_)) status_ = s;
  }

  std::string name_;
  nagios status_ = nagios::ok;
  std::vector<std::string> oks_, warnings_, criticals_, unknowns_, perf_;
};

// A threshold the user got wrong: the check is UNKNOWN.
class bad_threshold : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A duration threshold as typed ("500ms", "1s"); "" or "-1" is "not checked" (-1).
int64_t threshold_ns(const std::string& flag, const std::string& text) {
  if (text.empty() || text == "-1") return -1;
  const auto ns = parse_duration_ns(text);
  if (!ns || *ns < 0) throw bad_threshold(fmt::format("{} {}: not a duration", flag, text));
  return *ns;
}

// Runs a check, turns every failure into a status, prints it and exits with
// the Nagios code (returning normally only for OK, so the connection closes
// the usual way).
void run_check(context& ctx, const std::string& name, const std::function<void(check_result&)>& body) {
  check_result r(name);
  try {
    body(r);
  } catch (const bad_threshold& e) {
    r.unknown(e.what());
  } catch (const cli_error& e) {
    r.critical(e.what());
  } catch (const std::exception& e) {
    r.unknown(e.what());
  }
  if (ctx.opts.json) {
    print_json(r.to_json());
  } else {
    fmt::print("{}\n", r.line());
  }
  if (r.status() == nagios::ok) return;
  throw cli_error("", static_cast<int>(r.status()));  // the status line said it all
}

struct connection_check_options {
  std::string connect_warn = "500ms", connect_critical = "1s", rtt_warn = "500ms", rtt_critical = "1s";
};

void check_connection(context& ctx, const connection_check_options& o) {
  run_check(ctx, "Connection", [&](check_result& r) {
    const int64_t connect_warn = threshold_ns("--connect-warn", o.connect_warn);
    const int64_t connect_crit = threshold_ns("--connect-critical", o.connect_critical);
    const int64_t rtt_warn = threshold_ns("--rtt-warn", o.rtt_warn);
    const int64_t rtt_crit = threshold_ns("--rtt-critical", o.rtt_critical);
    const auto started = std::chrono::steady_clock::now();
    natsConnection* nc = ctx.conn();
    const int64_t connect_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
    char url[256] = {0};
    check(natsConnection_GetConnectedUrl(nc, url, sizeof url), "connected url");
    r.duration(fmt::format("connected to {} in", url), "connect_time", connect_ns, connect_warn, connect_crit);
    int64_t rtt_ns = 0;
    check(natsConnection_GetRTT(nc, &rtt_ns), "rtt");
    r.duration("rtt", "rtt", rtt_ns, rtt_warn, rtt_crit);
  });
}

struct jetstream_check_options {
  int64_t mem_warn = 75, mem_critical = 90, store_warn = 75, store_critical = 90;  // percent of the account limit
  int64_t streams_warn = -1, streams_critical = -1, consumers_warn = -1, consumers_critical = -1;
};

void check_jetstream(context& ctx, const jetstream_check_options& o) {
  run_check(ctx, "JetStream", [&](check_result& r) {
    const nlohmann::json info = ctx.js_api("INFO");
    const nlohmann::json limits = info.value("limits", nlohmann::json::object());
    const auto usage = [&](const char* what, const char* used_key, const char* limit_key, int64_t warn, int64_t crit) {
      const int64_t used = info.value(used_key, int64_t{0});
      const int64_t limit = limits.value(limit_key, int64_t{-1});
      r.perf(used_key, std::to_string(used) + "B");
      if (limit <= 0) return;  // unlimited: nothing to compare with
      r.count(fmt::format("{} use %", what), std::string(used_key) + "_pct", used * 100 / limit, warn, crit);
    };
    r.ok("JetStream enabled");
    usage("memory", "memory", "max_memory", o.mem_warn, o.mem_critical);
    usage("storage", "storage", "max_storage", o.store_warn, o.store_critical);
    r.count("streams", "streams", info.value("streams", int64_t{0}), o.streams_warn, o.streams_critical);
    r.count("consumers", "consumers", info.value("consumers", int64_t{0}), o.consumers_warn, o.consumers_critical);
  });
}

struct stream_check_options {
  std::string stream, seen_critical;
  int64_t lag_warn = -1, lag_critical = -1, msgs_warn = -1, msgs_critical = -1;
  int64_t consumers_warn = -1, consumers_critical = -1;
};

void check_stream(context& ctx, const stream_check_options& o) {
  run_check(ctx, "Stream " + o.stream, [&](check_result& r) {
    const int64_t seen_crit = threshold_ns("--seen-critical", o.seen_critical);
    const nlohmann::json info = ctx.js_api("STREAM.INFO." + o.stream);
    const nlohmann::json state = info.value("state", nlohmann::json::object());
    r.count("messages", "messages", state.value("messages", int64_t{0}), o.msgs_warn, o.msgs_critical);
    r.perf("bytes", std::to_string(state.value("bytes", int64_t{0})) + "B");
    r.count("consumers", "consumers", state.value("consumer_count", int64_t{0}), o.consumers_warn, o.consumers_critical);
    // Lag is how far a mirror or source is behind its origin.
    std::vector<nlohmann::json> upstreams;
    if (info.contains("mirror") && info["mirror"].is_object()) upstreams.push_back(info["mirror"]);
    if (info.contains("sources") && info["sources"].is_array()) {
      for (const auto& s : info["sources"]) upstreams.push_back(s);
    }
    for (const auto& u : upstreams) {
      const std::string name = u.value("name", std::string("?"));
      r.count(fmt::format("{} lag", name), name + "_lag", u.value("lag", int64_t{0}), o.lag_warn, o.lag_critical);
      if (seen_crit >= 0) r.duration(fmt::format("{} seen", name), name + "_active", u.value("active", int64_t{0}), -1, seen_crit);
    }
    if (upstreams.empty() && (o.lag_warn >= 0 || o.lag_critical >= 0)) r.ok("no mirror or sources: lag 0");
  });
}

struct consumer_check_options {
  std::string stream, consumer;
  int64_t pending_warn = -1, pending_critical = -1, ack_pending_warn = -1, ack_pending_critical = -1;
  int64_t redelivered_warn = -1, redelivered_critical = -1, waiting_warn = -1, waiting_critical = -1;
};

void check_consumer(context& ctx, const consumer_check_options& o) {
  run_check(ctx, fmt::format("Consumer {} > {}", o.stream, o.consumer), [&](check_result& r) {
    const nlohmann::json info = ctx.js_api("CONSUMER.INFO." + o.stream + "." + o.consumer);
    r.count("pending", "pending", info.value("num_pending", int64_t{0}), o.pending_warn, o.pending_critical);
    r.count("ack pending", "ack_pending", info.value("num_ack_pending", int64_t{0}), o.ack_pending_warn,
            o.ack_pending_critical);
    r.count("redelivered", "redelivered", info.value("num_redelivered", int64_t{0}), o.redelivered_warn,
            o.redelivered_critical);
    r.count("waiting pulls", "waiting", info.value("num_waiting", int64_t{0}), o.waiting_warn, o.waiting_critical);
  });
}

// ---- registration --------------------------------------------------------------------

void add_threshold(CLI::App* cmd, const std::string& names, int64_t& into, const std::string& what) {
  cmd->add_option(names, into, what + " (-1: not checked)")->type_name("N");
}

void add_server_commands(CLI::App& app, context& ctx) {
  CLI::App* server = app.add_subcommand("server", "the server: info, ping, check");
  server->require_subcommand(1);
  server->footer("Examples:\n  natrium server info\n  natrium server ping --count 3\n  natrium server check connection\n");

  server->add_subcommand("info", "the connected server, its RTT and JetStream usage")
      ->callback([&ctx] { server_info(ctx); })
      ->footer("Examples:\n  natrium server info\n  natrium -s nats://10.0.0.5:4222 server info --json\n");

  {
    auto o = std::make_shared<ping_options>();
    CLI::App* cmd = server->add_subcommand("ping", "measure the round-trip time to the server (PING/PONG)");
    cmd->add_option("--count", o->count, "number of pings (default 5)")->type_name("N")->check(CLI::PositiveNumber);
    cmd->add_option("--interval", o->interval, "pause between pings (default 100ms)");
    cmd->footer("Examples:\n  natrium server ping\n  natrium server ping --count 100 --interval 0s --json\n");
    cmd->callback([&ctx, o] { server_ping(ctx, *o); });
  }

  CLI::App* chk = server->add_subcommand("check", "health checks for monitoring, with Nagios exit codes");
  chk->require_subcommand(1);
  chk->footer(
      "Each check prints one Nagios status line and exits 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN.\n"
      "Examples:\n"
      "  natrium server check connection --rtt-warn 100ms --rtt-critical 500ms\n"
      "  natrium server check jetstream --streams-critical 1000\n"
      "  natrium server check stream --stream ORDERS --msgs-warn 1000000\n"
      "  natrium server check consumer --stream ORDERS --consumer payments --pending-warn 100 --pending-critical 1000\n");
  {
    auto o = std::make_shared<connection_check_options>();
    CLI::App* cmd = chk->add_subcommand("connection", "connect and measure the connect time and RTT");
    cmd->add_option("--connect-warn", o->connect_warn, "WARNING when connecting takes longer (default 500ms)");
    cmd->add_option("--connect-critical", o->connect_critical, "CRITICAL when connecting takes longer (default 1s)");
    cmd->add_option("--rtt-warn", o->rtt_warn, "WARNING when the RTT is longer (default 500ms)");
    cmd->add_option("--rtt-critical", o->rtt_critical, "CRITICAL when the RTT is longer (default 1s)");
    cmd->footer(
        "An unreachable server is CRITICAL (exit 2).\n"
        "Examples:\n  natrium server check connection\n  natrium server check connection --rtt-warn 10ms --rtt-critical 50ms\n");
    cmd->callback([&ctx, o] { check_connection(ctx, *o); });
  }
  {
    auto o = std::make_shared<jetstream_check_options>();
    CLI::App* cmd = chk->add_subcommand("jetstream", "JetStream is enabled; account usage against its limits");
    add_threshold(cmd, "--mem-warn", o->mem_warn, "WARNING at this % of the memory limit (default 75)");
    add_threshold(cmd, "--mem-critical", o->mem_critical, "CRITICAL at this % of the memory limit (default 90)");
    add_threshold(cmd, "--store-warn", o->store_warn, "WARNING at this % of the storage limit (default 75)");
    add_threshold(cmd, "--store-critical", o->store_critical, "CRITICAL at this % of the storage limit (default 90)");
    add_threshold(cmd, "--streams-warn", o->streams_warn, "WARNING at this many streams");
    add_threshold(cmd, "--streams-critical", o->streams_critical, "CRITICAL at this many streams");
    add_threshold(cmd, "--consumers-warn", o->consumers_warn, "WARNING at this many consumers");
    add_threshold(cmd, "--consumers-critical", o->consumers_critical, "CRITICAL at this many consumers");
    cmd->footer("JetStream not enabled is CRITICAL.\nExamples:\n  natrium server check jetstream --store-warn 60\n");
    cmd->callback([&ctx, o] { check_jetstream(ctx, *o); });
  }
  {
    auto o = std::make_shared<stream_check_options>();
    CLI::App* cmd = chk->add_subcommand("stream", "a stream exists; its size and its mirror/source lag");
    cmd->add_option("--stream", o->stream, "the stream")->required();
    add_threshold(cmd, "--lag-warn", o->lag_warn, "WARNING when a mirror or source is this many messages behind");
    add_threshold(cmd, "--lag-critical", o->lag_critical, "CRITICAL when a mirror or source is this many messages behind");
    cmd->add_option("--seen-critical", o->seen_critical, "CRITICAL when a mirror or source was last seen longer ago, e.g. 1m");
    add_threshold(cmd, "--msgs-warn", o->msgs_warn, "WARNING at this many messages");
    add_threshold(cmd, "--msgs-critical", o->msgs_critical, "CRITICAL at this many messages");
    add_threshold(cmd, "--consumers-warn", o->consumers_warn, "WARNING at this many consumers");
    add_threshold(cmd, "--consumers-critical", o->consumers_critical, "CRITICAL at this many consumers");
    cmd->footer(
        "A missing stream is CRITICAL.\n"
        "Examples:\n  natrium server check stream --stream ORDERS --msgs-critical 1000000\n"
        "  natrium server check stream --stream BACKUP --lag-warn 100 --lag-critical 1000 --seen-critical 1m\n");
    cmd->callback([&ctx, o] { check_stream(ctx, *o); });
  }
  {
    auto o = std::make_shared<consumer_check_options>();
    CLI::App* cmd = chk->add_subcommand("consumer", "a consumer's lag: pending, ack pending, redelivered");
    cmd->add_option("--stream", o->stream, "the stream")->required();
    cmd->add_option("--consumer", o->consumer, "the consumer")->required();
    add_threshold(cmd, "--pending-warn", o->pending_warn, "WARNING at this many messages not yet delivered");
    add_threshold(cmd, "--pending-critical,--unprocessed-critical", o->pending_critical,
                  "CRITICAL at this many messages not yet delivered");
    add_threshold(cmd, "--ack-pending-warn", o->ack_pending_warn, "WARNING at this many deliveries awaiting an ack");
    add_threshold(cmd, "--ack-pending-critical,--ack-outstanding-critical", o->ack_pending_critical,
                  "CRITICAL at this many deliveries awaiting an ack");
    add_threshold(cmd, "--redelivery-warn", o->redelivered_warn, "WARNING at this many redelivered messages");
    add_threshold(cmd, "--redelivery-critical", o->redelivered_critical, "CRITICAL at this many redelivered messages");
    add_threshold(cmd, "--waiting-warn", o->waiting_warn, "WARNING at this many waiting pull requests");
    add_threshold(cmd, "--waiting-critical", o->waiting_critical, "CRITICAL at this many waiting pull requests");
    cmd->footer(
        "A missing stream or consumer is CRITICAL.\n"
        "Examples:\n"
        "  natrium server check consumer --stream ORDERS --consumer payments --pending-warn 100 --pending-critical 1000\n"
        "  natrium server check consumer --stream ORDERS --consumer payments --ack-pending-critical 50\n");
    cmd->callback([&ctx, o] { check_consumer(ctx, *o); });
  }
}

const command_group registered(70, add_server_commands);

}  // namespace

}  // namespace natrium::cli
