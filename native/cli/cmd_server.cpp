// natrium server info|ping|check: the server behind the connection.
#include <chrono>
#include <fmt/format.h>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"

namespace natrium::cli {

namespace {

void server_info(context& ctx) {
  natsConnection* nc = ctx.conn();
  char url[256] = {0}, id[128] = {0};
  check(natsConnection_GetConnectedUrl(nc, url, sizeof url), "connected url");
  check(natsConnection_GetConnectedServerId(nc, id, sizeof id), "server id");
  int64_t rtt_ns = 0;
  check(natsConnection_GetRTT(nc, &rtt_ns), "rtt");
  nlohmann::json info;
  try {
    info = ctx.js_api("INFO");
  } catch (const cli_error&) {
    info = nullptr;  // no JetStream: still a server
  }
  if (ctx.opts.json) {
    print_json({{"url", url}, {"server_id", id}, {"rtt_ns", rtt_ns}, {"jetstream", info}});
    return;
  }
  table t({"Property", "Value"}, fmt::format("Server {}", url));
  t.add_row({"Server ID", id});
  t.add_row({"RTT", human_duration_ns(rtt_ns)});
  t.add_row({"JetStream", info.is_null() ? "disabled" : "enabled"});
  if (!info.is_null()) {
    t.add_row({"Streams", human_count(info.value("streams", 0ull))});
    t.add_row({"Consumers", human_count(info.value("consumers", 0ull))});
    t.add_row({"Memory", human_bytes(info.value("memory", 0ull))});
    t.add_row({"Storage", human_bytes(info.value("storage", 0ull))});
  }
  t.print();
}

void add_server_commands(CLI::App& app, context& ctx) {
  CLI::App* server = app.add_subcommand("server", "the server: info, ping, check");
  server->require_subcommand(1);
  server->add_subcommand("info", "the connected server, its RTT and JetStream usage")
      ->callback([&ctx] { server_info(ctx); });
}

const command_group registered(70, add_server_commands);

}  // namespace

}  // namespace natrium::cli
