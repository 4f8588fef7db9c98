#pragma once
// Command-line options, compatible with nats-server's flags (main.go usageStr):
// every long flag works with one or two dashes, values as `-p 4222` or `-p=4222`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/server/config.h"

namespace natrium::native {

struct options {
  server::config node;           // what the core needs
  std::string log_file;          // -l: log to this file instead of stderr
  std::string pid_file;          // -P
  bool log_time = true;          // -T / --logtime
  bool show_help = false;
  bool show_version = false;
  int port_requested = 4222;     // -1: random (as nats-server's RANDOM_PORT)
  std::string http_host;         // monitoring listen host (default: the client host)
  int http_port = 0;             // -m / http_port; 0: monitoring off, -1: random
  std::string config_file;       // -c / --config
  bool test_config = false;      // -t: check the config file and exit
  std::string signal_command;    // -sl / --signal: stop|quit|reopen|reload|ldm[=PID]
  std::string ports_file_dir;    // write <prefix>_<pid>.ports here
  std::int64_t lame_duck_duration_ns = 120'000'000'000;  // lame_duck_duration (2m)
  std::int64_t lame_duck_grace_ns = 10'000'000'000;      // lame_duck_grace_period (10s)
  std::vector<std::string> warnings;  // accepted flags whose features come later
};

struct parse_outcome {
  std::optional<options> opts;   // empty on error
  std::string error;             // what was wrong (printed with the usage)
};

parse_outcome parse_options(int argc, char** argv);
const char* usage_text();

}  // namespace natrium::native
