#include "native/options.h"

#include <charconv>
#include <functional>
#include <string_view>

#include "native/config_file.h"
#include "native/config_text.h"

namespace natrium::native {

namespace {

enum class arg_kind { none, value };

struct flag_spec {
  std::vector<std::string_view> names;   // without dashes
  arg_kind kind;
  std::vector<std::string_view> fields;  // the options it sets (recorded in options::from_flags)
  std::function<bool(options&, std::string_view)> apply;  // false: bad value
};

bool to_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool truthy(std::string_view v) { return v.empty() || v == "true" || v == "1" || v == "t" || v == "TRUE"; }

// "nats://host:port" (the scheme is optional) into host and port.
bool split_url(std::string_view url, std::string& host, int& port) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  const auto colon = url.rfind(':');
  if (colon == std::string_view::npos || !to_int(url.substr(colon + 1), port)) return false;
  host = std::string(url.substr(0, colon));
  return true;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Flags later issues implement: accepted now, with a warning, so launchers
// work; `store` keeps the value where there is a field for it.
flag_spec later(std::vector<std::string_view> names, arg_kind kind, std::string what,
                std::function<bool(options&, std::string_view)> store = {}) {
  std::vector<std::string_view> fields = {names.back()};
  return {std::move(names), kind, std::move(fields), [what, store](options& o, std::string_view v) {
            if (store && !store(o, v)) return false;
            o.warnings.push_back(what + " is not supported yet; ignoring it");
            return true;
          }};
}

std::vector<flag_spec> server_flags() {
  return {
      {{"a", "addr", "net"}, arg_kind::value, {"host"},
       [](options& o, std::string_view v) { o.node.host = v; return true; }},
      {{"p", "port"}, arg_kind::value, {"port"}, [](options& o, std::string_view v) { return to_int(v, o.port_requested); }},
      {{"n", "name", "server_name"}, arg_kind::value, {"server_name"},
       [](options& o, std::string_view v) { o.node.server_name = v; return true; }},
      {{"D", "debug"}, arg_kind::none, {"debug"},
       [](options& o, std::string_view v) { o.node.debug = truthy(v); return true; }},
      {{"V", "trace"}, arg_kind::none, {"trace"},
       [](options& o, std::string_view v) { o.node.trace = truthy(v); return true; }},
      {{"DV", "VD"}, arg_kind::none, {"debug", "trace"},
       [](options& o, std::string_view v) { o.node.debug = o.node.trace = truthy(v); return true; }},
      {{"T", "logtime"}, arg_kind::none, {"logtime"},
       [](options& o, std::string_view v) { o.log_time = truthy(v); return true; }},
      {{"l", "log"}, arg_kind::value, {"log_file"}, [](options& o, std::string_view v) { o.log_file = v; return true; }},
      {{"P", "pid"}, arg_kind::value, {"pid_file"}, [](options& o, std::string_view v) { o.pid_file = v; return true; }},
      {{"h", "help"}, arg_kind::none, {}, [](options& o, std::string_view) { o.show_help = true; return true; }},
      {{"v", "version"}, arg_kind::none, {}, [](options& o, std::string_view) { o.show_version = true; return true; }},
      {{"max_payload"}, arg_kind::value, {"max_payload"},
       [](options& o, std::string_view v) {
         int n = 0;
         if (!to_int(v, n) || n <= 0) return false;
         o.node.max_payload = n;
         return true;
       }},
      {{"m", "http_port"}, arg_kind::value, {"http_port"}, [](options& o, std::string_view v) { return to_int(v, o.http_port); }},
      {{"c", "config"}, arg_kind::value, {}, [](options& o, std::string_view v) { o.config_file = v; return true; }},
      {{"t"}, arg_kind::none, {}, [](options& o, std::string_view v) { o.test_config = truthy(v); return true; }},
      {{"sl", "signal"}, arg_kind::value, {}, [](options& o, std::string_view v) { o.signal_command = v; return true; }},
      {{"js", "jetstream"}, arg_kind::none, {"jetstream"},
       [](options& o, std::string_view v) { o.jetstream.enabled = truthy(v); return true; }},
      {{"sd", "store_dir"}, arg_kind::value, {"store_dir"},
       [](options& o, std::string_view v) { o.jetstream.store_dir = v; return true; }},
      {{"ports_file_dir"}, arg_kind::value, {"ports_file_dir"},
       [](options& o, std::string_view v) { o.ports_file_dir = v; return true; }},
  };
}

std::vector<flag_spec> later_flags() {
  return {
      later({"ms", "https_port"}, arg_kind::value, "monitoring over TLS (-ms)"),
      later({"cluster_name"}, arg_kind::value, "clustering (--cluster_name)",
            [](options& o, std::string_view v) { o.cluster.name = v; return true; }),
      later({"cluster", "cluster_listen"}, arg_kind::value, "clustering (-cluster)",
            [](options& o, std::string_view v) { return split_url(v, o.cluster.host, o.cluster.port); }),
      later({"routes"}, arg_kind::value, "routes (-routes)",
            [](options& o, std::string_view v) { o.cluster.routes = split_list(v); return true; }),
      later({"user"}, arg_kind::value, "authentication (--user)"),
      later({"pass"}, arg_kind::value, "authentication (--pass)"),
      later({"auth"}, arg_kind::value, "authentication (--auth)"),
      later({"tls"}, arg_kind::none, "TLS (--tls)"),
      later({"s", "syslog"}, arg_kind::none, "syslog (-s)"),
  };
}

const std::vector<flag_spec>& specs() {
  static const std::vector<flag_spec> table = [] {
    auto t = server_flags();
    for (auto& f : later_flags()) t.push_back(std::move(f));
    return t;
  }();
  return table;
}

const flag_spec* find_spec(std::string_view name) {
  for (const auto& s : specs()) {
    for (auto n : s.names) {
      if (n == name) return &s;
    }
  }
  return nullptr;
}

struct flag_use {
  const flag_spec* spec;
  std::string value;
};

// The flags in command-line order; each value is checked on the way.
bool parse_flags(const std::vector<std::string>& argv, std::vector<flag_use>& uses, std::string& error) {
  options scratch;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a.size() < 2 || a[0] != '-') return error = "unexpected argument: " + std::string(a), false;
    a.remove_prefix(a.starts_with("--") ? 2 : 1);
    std::optional<std::string_view> inline_value;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      inline_value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    const flag_spec* spec = find_spec(a);
    if (spec == nullptr) return error = "flag provided but not defined: -" + std::string(a), false;
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (spec->kind == arg_kind::value) {
      if (i + 1 >= argv.size()) return error = "flag needs an argument: -" + std::string(a), false;
      value = argv[++i];
    }
    if (!spec->apply(scratch, value)) {
      return error = "invalid value \"" + value + "\" for flag -" + std::string(a), false;
    }
    uses.push_back({spec, std::move(value)});
  }
  return true;
}

void apply_flags(options& o, const std::vector<flag_use>& uses) {
  o.warnings.clear();
  for (const auto& u : uses) {
    u.spec->apply(o, u.value);
    for (auto f : u.spec->fields) o.from_flags.emplace_back(f);
  }
}

// setBaselineOptions and validateOptions: what holds whatever the source.
void finish(options& o, std::vector<std::string>& errors) {
  if (o.node.host.empty()) o.node.host = "0.0.0.0";
  o.node.port = o.port_requested;  // the host replaces it with the bound port
  if (o.port_requested < -1 || o.port_requested > 65535) {
    errors.push_back("invalid port " + std::to_string(o.port_requested) + " (use 1-65535, 0 for 4222, -1 for random)");
  }
  if (o.http_port < -1 || o.http_port > 65535) {
    errors.push_back("invalid http_port " + std::to_string(o.http_port) + " (use 1-65535, -1 for random)");
  }
  if (o.websocket.port < -1 || o.websocket.port > 65535) {
    errors.push_back("invalid websocket port " + std::to_string(o.websocket.port) + " (use 1-65535, -1 for random)");
  }
  // validateWebsocketOptions: a websocket listener needs TLS unless no_tls says
  // otherwise, and Natrium has no websocket TLS yet, so no_tls is required.
  if (o.websocket.port != 0) {
    if (o.websocket.host.empty()) o.websocket.host = "0.0.0.0";
    if (!o.websocket.no_tls) errors.push_back("websocket requires TLS configuration");
  }
  if (o.lame_duck_duration_ns > 0 && o.lame_duck_grace_ns >= o.lame_duck_duration_ns) {
    errors.push_back("lame duck grace period (" + conf::format_go_duration(o.lame_duck_grace_ns) +
                     ") should be strictly lower than lame duck duration (" +
                     conf::format_go_duration(o.lame_duck_duration_ns) + ")");
  }
  if (o.node.max_payload > o.node.max_pending) {
    errors.push_back("max_payload (" + std::to_string(o.node.max_payload) + ") cannot be higher than max_pending (" +
                     std::to_string(o.node.max_pending) + ")");
  }
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

load_outcome load_configuration(const std::vector<std::string>& argv) {
  load_outcome out;
  std::vector<flag_use> uses;
  std::string error;
  if (!parse_flags(argv, uses, error)) {
    out.errors.push_back(error);
    out.usage_error = true;
    return out;
  }
  options from_cli;
  apply_flags(from_cli, uses);
  options& o = out.opts;
  if (!argv.empty() && !argv[0].empty()) o.program_name = base_name(argv[0]);
  if (!from_cli.config_file.empty() && !from_cli.show_help && !from_cli.show_version) {
    config_report report = apply_config_file(from_cli.config_file, o);
    out.errors = std::move(report.errors);
    out.warnings = std::move(report.warnings);
    out.ignored = std::move(report.ignored);
    if (!out.errors.empty()) {
      const std::string program = o.program_name;
      o = options{};  // the file is not used; the flags alone still tell -h, -v, --signal
      o.program_name = program;
    }
  } else if (from_cli.test_config && from_cli.config_file.empty()) {
    out.errors.push_back("must specify [-c, --config] option to check configuration file syntax");
  }
  apply_flags(o, uses);
  if (out.errors.empty()) finish(o, out.errors);
  return out;
}

const char* usage_text() {
  return R"(Usage: natrium-server [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222, -1: random)
    -n, --name, --server_name <name> Server name (default: the server id)
    -P, --pid <file>                 File to store PID
        --ports_file_dir <dir>       Write <program>_<pid>.ports there (the listening URLs)
        --max_payload <bytes>        Maximum message payload (default: 1048576)
    -m, --http_port <port>           HTTP port for monitoring (-1: random)
    -c, --config <file>              Configuration file (flags given here override it)
    -t                               Test the configuration file and exit
    -sl, --signal <cmd>[=<pid>]      Send a signal to a running server (stop, quit, term, reopen, reload, ldm)

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and trace

Accepted now, implemented by later releases (a warning is logged):
    -js, --jetstream                 Enable JetStream
    -sd, --store_dir <dir>           JetStream storage directory
    --cluster_name <name>            Cluster name
    -cluster, --cluster <url>        Cluster URL for solicited routes
    -routes, --routes <urls>         Routes to solicit and connect

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version

Every long flag works with one dash or two, and values as `-p 4222` or `-p=4222`.
)";
}

}  // namespace natrium::native
