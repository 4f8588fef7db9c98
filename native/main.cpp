// natrium-server: the native NATS-compatible server.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/server/config.h"
#include "native/host.h"
#include "native/logger.h"
#include "native/options.h"
#include "native/ports_file.h"
#include "native/signal_command.h"

using namespace natrium;

namespace {

// As nats-server's PrintAndDie: "nats-server: " then warnings and errors, one a line.
int print_config_failure(const native::load_outcome& loaded) {
  std::string text;
  for (const auto& w : loaded.warnings) text += w + "\n";
  for (const auto& i : loaded.ignored) text += i + "\n";
  for (const auto& e : loaded.errors) text += e + "\n";
  std::fprintf(stderr, "nats-server: %s", text.c_str());
  return 1;
}

// -t: as the reference, the reference's own warnings fail the check; keys
// Natrium ignores are listed but do not.
int check_config(const native::load_outcome& loaded) {
  if (!loaded.ok() || !loaded.warnings.empty()) return print_config_failure(loaded);
  for (const auto& i : loaded.ignored) std::fprintf(stderr, "%s\n", i.c_str());
  std::fprintf(stderr, "nats-server: configuration file %s is valid\n", loaded.opts.config_file.c_str());
  return 0;
}

// --ports_file_dir: the listening URLs; returns the file to remove on exit ("" if none).
std::string write_ports(const native::options& opts, const native::host& h, native::logger& log) {
  if (opts.ports_file_dir.empty()) return {};
  const std::string path = native::ports_file_path(opts.ports_file_dir, opts.program_name, ::getpid());
  const std::string http_host = opts.http_host.empty() ? opts.node.host : opts.http_host;
  auto written = native::write_ports_file(path, native::ports_json(opts.node.host, h.bound_port(), http_host,
                                                                     h.monitor_port(), opts.websocket.host,
                                                                     h.websocket_port()));
  if (written.ok()) return path;
  log.error(written.err().text);
  return {};
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  auto loaded = native::load_configuration(args);
  if (loaded.usage_error) {
    std::fprintf(stderr, "%s\n\n%s", loaded.errors.front().c_str(), native::usage_text());
    return 1;
  }
  native::options& opts = loaded.opts;
  if (opts.show_help) {
    std::fputs(native::usage_text(), stdout);
    return 0;
  }
  if (!opts.signal_command.empty()) return native::run_signal_command(opts.signal_command, opts.pid_file);
  opts.node.natrium_version = NATRIUM_VERSION_STRING;
  if (opts.show_version) {
    std::printf("natrium-server: v%s (compatible with nats-server v%s)\n", NATRIUM_VERSION_STRING,
                server::compat_version);
    return 0;
  }
  if (opts.test_config) return check_config(loaded);
  if (!loaded.ok()) return print_config_failure(loaded);
  native::logger log(opts.node.debug, opts.node.trace, opts.log_time);
  log.set_size_limit(opts.log_size_limit);
  if (!opts.log_file.empty() && !log.open_file(opts.log_file)) {
    std::fprintf(stderr, "cannot open log file %s\n", opts.log_file.c_str());
    return 1;
  }
  // The node's PRNG seed: a fresh one per process (server id, queue picks).
  opts.node.seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                   (static_cast<std::uint64_t>(::getpid()) << 32);

  // SIGHUP re-reads the options the same way they were read at startup:
  // the config file anew, the same flags on top.
  auto reload = [args, &log](std::string& error) -> std::optional<native::options> {
    auto again = native::load_configuration(args);
    if (!again.ok()) {
      error = joined(again.errors);
      return std::nullopt;
    }
    for (const auto& w : again.warnings) log.warn(w);
    for (const auto& w : again.ignored) log.warn(w);
    again.opts.node.natrium_version = NATRIUM_VERSION_STRING;
    return std::move(again.opts);
  };
  native::host h(opts, log, reload);
  if (!h.listen()) return 1;
  log.info("Starting nats-server");
  log.info(std::string("  Version:  ") + server::compat_version + " (natrium " + NATRIUM_VERSION_STRING + ")");
  log.info("  Git:      [not set]");
  log.info("  Name:     " + (opts.node.server_name.empty() ? h.server_id() : opts.node.server_name));
  log.info("  ID:       " + h.server_id());
  if (!opts.config_file.empty()) log.info("Using configuration file: " + opts.config_file);
  for (const auto& w : loaded.warnings) log.warn(w);
  for (const auto& w : loaded.ignored) log.warn(w);
  for (const auto& w : opts.warnings) log.warn(w);
  if (!opts.pid_file.empty()) {
    std::ofstream(opts.pid_file) << ::getpid();
  }
  if (!h.start_monitor()) return 1;
  if (!h.start_jetstream()) return 1;
  if (!h.start_websocket()) return 1;
  log.info("Listening for client connections on " + opts.node.host + ":" + std::to_string(h.bound_port()));
  const std::string ports_file = write_ports(opts, h, log);
  log.info("Server is ready");
  const int rc = h.run();
  if (!ports_file.empty() && std::remove(ports_file.c_str()) != 0) {
    log.error("Error cleaning up ports file " + ports_file);
  }
  return rc;
}
