#include "native/options.h"

#include <charconv>
#include <functional>
#include <string_view>

namespace natrium::native {

namespace {

enum class arg_kind { none, value };

struct flag_spec {
  std::vector<std::string_view> names;  // without dashes
  arg_kind kind;
  std::function<bool(options&, std::string_view)> apply;  // false: bad value
};

bool to_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool truthy(std::string_view v) { return v.empty() || v == "true" || v == "1" || v == "t" || v == "TRUE"; }

// Flags later issues implement: accepted now, with a warning, so launchers work.
flag_spec later(std::vector<std::string_view> names, arg_kind kind, std::string what) {
  return {std::move(names), kind, [what](options& o, std::string_view) {
            o.warnings.push_back(what + " is not supported yet; ignoring it");
            return true;
          }};
}

const std::vector<flag_spec>& specs() {
  static const std::vector<flag_spec> table = {
      {{"a", "addr", "net"}, arg_kind::value, [](options& o, std::string_view v) { o.node.host = v; return true; }},
      {{"p", "port"}, arg_kind::value, [](options& o, std::string_view v) { return to_int(v, o.port_requested); }},
      {{"n", "name", "server_name"}, arg_kind::value,
       [](options& o, std::string_view v) { o.node.server_name = v; return true; }},
      {{"D", "debug"}, arg_kind::none, [](options& o, std::string_view v) { o.node.debug = truthy(v); return true; }},
      {{"V", "trace"}, arg_kind::none, [](options& o, std::string_view v) { o.node.trace = truthy(v); return true; }},
      {{"DV", "VD"}, arg_kind::none,
       [](options& o, std::string_view) { o.node.debug = o.node.trace = true; return true; }},
      {{"T", "logtime"}, arg_kind::none, [](options& o, std::string_view v) { o.log_time = truthy(v); return true; }},
      {{"l", "log"}, arg_kind::value, [](options& o, std::string_view v) { o.log_file = v; return true; }},
      {{"P", "pid"}, arg_kind::value, [](options& o, std::string_view v) { o.pid_file = v; return true; }},
      {{"h", "help"}, arg_kind::none, [](options& o, std::string_view) { o.show_help = true; return true; }},
      {{"v", "version"}, arg_kind::none, [](options& o, std::string_view) { o.show_version = true; return true; }},
      {{"max_payload"}, arg_kind::value,
       [](options& o, std::string_view v) {
         int n = 0;
         if (!to_int(v, n) || n <= 0) return false;
         o.node.max_payload = n;
         return true;
       }},
      {{"m", "http_port"}, arg_kind::value, [](options& o, std::string_view v) { return to_int(v, o.http_port); }},
      {{"t"}, arg_kind::none, [](options& o, std::string_view v) { o.test_config = truthy(v); return true; }},
      {{"sl", "signal"}, arg_kind::value,
       [](options& o, std::string_view v) { o.signal_command = v; return true; }},
      {{"ports_file_dir"}, arg_kind::value,
       [](options& o, std::string_view v) { o.ports_file_dir = v; return true; }},
      later({"ms", "https_port"}, arg_kind::value, "monitoring over TLS (-ms)"),
      later({"js", "jetstream"}, arg_kind::none, "JetStream (-js)"),
      later({"sd", "store_dir"}, arg_kind::value, "JetStream storage (-sd)"),
      {{"c", "config"}, arg_kind::value, [](options& o, std::string_view v) { o.config_file = v; return true; }},
      later({"cluster_name"}, arg_kind::value, "clustering (--cluster_name)"),
      later({"cluster", "cluster_listen"}, arg_kind::value, "clustering (-cluster)"),
      later({"routes"}, arg_kind::value, "routes (-routes)"),
      later({"user"}, arg_kind::value, "authentication (--user)"),
      later({"pass"}, arg_kind::value, "authentication (--pass)"),
      later({"auth"}, arg_kind::value, "authentication (--auth)"),
      later({"tls"}, arg_kind::none, "TLS (--tls)"),
      later({"s", "syslog"}, arg_kind::none, "syslog (-s)"),
  };
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

}  // namespace

parse_outcome parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.size() < 2 || a[0] != '-') return {std::nullopt, "unexpected argument: " + std::string(a)};
    a.remove_prefix(a.starts_with("--") ? 2 : 1);
    std::optional<std::string_view> inline_value;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      inline_value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    const flag_spec* spec = find_spec(a);
    if (spec == nullptr) return {std::nullopt, "flag provided but not defined: -" + std::string(a)};
    std::string_view value;
    if (inline_value) {
      value = *inline_value;
    } else if (spec->kind == arg_kind::value) {
      if (i + 1 >= argc) return {std::nullopt, "flag needs an argument: -" + std::string(a)};
      value = argv[++i];
    }
    if (!spec->apply(o, value)) {
      return {std::nullopt, "invalid value \"" + std::string(value) + "\" for flag -" + std::string(a)};
    }
  }
  o.node.port = o.port_requested;
  return {std::move(o), {}};
}

const char* usage_text() {
  return R"(Usage: natrium-server [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222, -1: random)
    -n, --name, --server_name <name> Server name (default: the server id)
    -P, --pid <file>                 File to store PID
        --max_payload <bytes>        Maximum message payload (default: 1048576)

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and trace

Accepted now, implemented by later releases (a warning is logged):
    -m, --http_port <port>           HTTP port for monitoring
    -js, --jetstream                 Enable JetStream
    -sd, --store_dir <dir>           JetStream storage directory
    -c, --config <file>              Configuration file
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
