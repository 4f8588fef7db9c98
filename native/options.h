#pragma once
// Command-line options, compatible with nats-server's flags (main.go usageStr):
// every long flag works with one or two dashes, values as `-p 4222` or `-p=4222`.
// With -c FILE, the configuration file is read first and the flags given on
// the command line are applied on top (as nats-server's ConfigureOptions).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/server/config.h"

namespace natrium::native {

// jetstream { ... }, -js, -sd: resolved at startup by native/jetstream_limits.h.
struct jetstream_options {
  bool enabled = false;
  std::string store_dir;                          // store_dir (in the block or at the top level), -sd
  std::optional<std::int64_t> max_memory_store;   // bytes; unset: the server decides
  std::optional<std::int64_t> max_file_store;     // bytes; unset: the server decides
  std::string domain;
};

// cluster { ... }, --cluster_name, -cluster, -routes: parsed and kept; routes come later.
struct cluster_options {
  std::string name;
  std::string host;                 // listen host
  int port = 0;                     // 0: no cluster listener; -1: random
  std::vector<std::string> routes;  // URLs to solicit
};

// websocket { ... } (alias ws): NATS over WebSocket (native/websocket_listener.h).
struct websocket_options {
  std::string host;                       // listen host; "" with a port: 0.0.0.0 (the reference's default)
  int port = 0;                           // 0: no websocket listener; -1: random
  std::string advertise;                  // kept for /varz; Natrium has no cluster to advertise to
  bool no_tls = false;                    // required: Natrium has no TLS for websocket yet
  bool same_origin = false;               // Origin must equal the request's Host
  std::vector<std::string> allowed_origins;  // "scheme://host[:port]"; empty: any origin
  bool compression = false;               // permessage-deflate, when the client offers it
  std::int64_t handshake_timeout_ns = 0;  // as configured (0: unset; the listener then uses its default)
  bool operator==(const websocket_options&) const = default;
};

struct options {
  server::config node;           // what the core needs
  std::string log_file;          // -l / logfile: log to this file instead of stderr
  std::int64_t log_size_limit = 0;  // logfile_size_limit (bytes): rotate the log file past it
  std::string pid_file;          // -P / pid_file
  bool log_time = true;          // -T / --logtime
  bool show_help = false;
  bool show_version = false;
  int port_requested = 4222;     // -1: random (as nats-server's RANDOM_PORT), 0: 4222
  std::string http_host;         // monitoring listen host (default: the client host)
  int http_port = 0;             // -m / http_port; 0: monitoring off, -1: random
  std::string config_file;       // -c / --config
  bool test_config = false;      // -t: check the config file and exit
  std::string signal_command;    // -sl / --signal: stop|quit|reopen|reload|ldm[=PID]
  std::string ports_file_dir;    // write <program>_<pid>.ports here
  std::int64_t lame_duck_duration_ns = 120'000'000'000;  // lame_duck_duration (2m)
  std::int64_t lame_duck_grace_ns = 10'000'000'000;      // lame_duck_grace_period (10s)
  jetstream_options jetstream;
  cluster_options cluster;
  websocket_options websocket;
  std::string program_name = "natrium-server";  // argv[0]'s base name (names the ports file)
  std::vector<std::string> from_flags;  // options set on the command line (they win over the file)
  std::vector<std::string> warnings;    // accepted flags whose features come later
};

// What load_configuration found. Diagnostics about the file read
// "file:line:column: message". Nothing is printed and nothing exits.
struct load_outcome {
  options opts;                       // defaults <- config file <- flags (flags only if the file failed)
  std::vector<std::string> errors;    // non-empty: do not start (or keep the running config)
  std::vector<std::string> warnings;  // the reference's warnings (e.g. a duration given as a number);
                                      // nats-server -t fails on them, a start does not
  std::vector<std::string> ignored;   // keys Natrium ignores: unknown, or not supported yet
  bool usage_error = false;           // the command line itself is wrong: show the usage
  bool ok() const { return errors.empty(); }
};

// Parses the command line (argv[0] is the program name), reads the config
// file it names (-c), and applies the flags on top. Call it again with the
// same argv to reload (SIGHUP): the file is re-read, the flags still win.
load_outcome load_configuration(const std::vector<std::string>& argv);

const char* usage_text();

}  // namespace natrium::native
