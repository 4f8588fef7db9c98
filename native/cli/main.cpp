// natrium: the Natrium command-line tool, for Natrium and any NATS server.
// Global options and error handling live here; the commands in cmd_*.cpp.
#include <algorithm>
#include <fmt/format.h>
#include <utility>
#include <vector>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"

namespace natrium::cli {

namespace {

std::vector<std::pair<int, add_commands_fn>>& registry() {
  static std::vector<std::pair<int, add_commands_fn>> r;
  return r;
}

}  // namespace

command_group::command_group(int order, add_commands_fn add) { registry().emplace_back(order, add); }

void add_all_commands(CLI::App& app, context& ctx) {
  auto groups = registry();
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : groups) add(app, ctx);
}

}  // namespace natrium::cli

int main(int argc, char** argv) {
  using namespace natrium::cli;
  context ctx;
  CLI::App app{"natrium: publish, subscribe and manage streams, consumers, KV buckets and object stores\n"
               "on Natrium or any NATS server.",
               "natrium"};
  app.set_version_flag("--version", std::string("natrium ") + NATRIUM_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the command, as with the nats tool
  app.add_option("-s,--server", ctx.opts.servers, "NATS server URLs, comma separated (default: $NATS_URL, else nats://127.0.0.1:4222)");
  app.add_option("--user", ctx.opts.user, "user name");
  app.add_option("--password", ctx.opts.password, "password");
  app.add_option("--creds", ctx.opts.creds, "credentials file (not supported yet: the server has no auth)");
  app.add_option_function<std::string>(
         "--timeout",
         [&ctx](const std::string& v) {
           const auto ns = parse_duration_ns(v);
           if (!ns || *ns <= 0) throw CLI::ValidationError("--timeout", "not a duration: " + v + " (e.g. 5s, 500ms)");
           ctx.opts.timeout_s = static_cast<double>(*ns) / 1e9;
         },
         "time to wait for the server, e.g. 5s (default), 500ms");
  app.add_flag("--json", ctx.opts.json, "print JSON (read commands)");
  app.add_flag_callback("--no-color", [&ctx] { ctx.opts.no_color = true; set_color_enabled(false); },
                        "no colour even on a terminal");
  app.footer(
      "Examples:\n"
      "  natrium pub orders.created '{\"id\":1}'\n"
      "  natrium sub 'orders.>'\n"
      "  natrium stream add ORDERS --subjects 'orders.>' --storage file --defaults\n"
      "  natrium stream info ORDERS\n"
      "  natrium consumer ls ORDERS\n"
      "  natrium kv put config feature-flags '{\"darkMode\":true}'\n"
      "  natrium bench orders.bench --pub 1 --sub 1 --msgs 100000\n"
      "Run 'natrium COMMAND --help' for a command's flags and examples.\n");
  add_all_commands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const cli_error& e) {
    std::fflush(stdout);
    if (*e.what() != '\0') fmt::print(stderr, "natrium: {}\n", e.what());
    ctx.close();
    return e.exit_code();
  }
  ctx.close();
  return 0;
}
