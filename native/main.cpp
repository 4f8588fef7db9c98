// natrium-server: the native NATS-compatible server.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "core/server/config.h"
#include "native/host.h"
#include "native/logger.h"
#include "native/options.h"
#include "native/signal_command.h"

using namespace natrium;

int main(int argc, char** argv) {
  auto parsed = native::parse_options(argc, argv);
  if (!parsed.opts) {
    std::fprintf(stderr, "%s\n\n%s", parsed.error.c_str(), native::usage_text());
    return 1;
  }
  native::options& opts = *parsed.opts;
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
  native::logger log(opts.node.debug, opts.node.trace, opts.log_time);
  if (!opts.log_file.empty() && !log.open_file(opts.log_file)) {
    std::fprintf(stderr, "cannot open log file %s\n", opts.log_file.c_str());
    return 1;
  }
  // The node's PRNG seed: a fresh one per process (server id, queue picks).
  opts.node.seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                   (static_cast<std::uint64_t>(::getpid()) << 32);

  // SIGHUP re-reads the options the same way they were read at startup.
  auto reload = [argc, argv](std::string& error) -> std::optional<native::options> {
    auto again = native::parse_options(argc, argv);
    if (!again.opts) error = again.error;
    return again.opts;
  };
  native::host h(opts, log, reload);
  if (!h.listen()) return 1;
  log.info("Starting nats-server");
  log.info(std::string("  Version:  ") + server::compat_version + " (natrium " + NATRIUM_VERSION_STRING + ")");
  log.info("  Git:      [not set]");
  log.info("  Name:     " + (opts.node.server_name.empty() ? h.server_id() : opts.node.server_name));
  log.info("  ID:       " + h.server_id());
  for (const auto& w : opts.warnings) log.warn(w);
  if (opts.http_port != 0) log.warn("monitoring (-m) is not supported yet; ignoring it");
  if (!opts.config_file.empty()) log.warn("config files (-c) are not supported yet; ignoring " + opts.config_file);
  if (!opts.pid_file.empty()) {
    std::ofstream(opts.pid_file) << ::getpid();
  }
  log.info("Listening for client connections on " + opts.node.host + ":" + std::to_string(h.bound_port()));
  log.info("Server is ready");
  return h.run();
}
