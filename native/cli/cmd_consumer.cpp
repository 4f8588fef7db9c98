// natrium consumer add|edit|info|ls|rm|next|report: JetStream consumers
// through the JSON API ($JS.API.CONSUMER.*), like the nats tool. Flags and
// the config they build are in consumer_flags.cpp, reports (the consumer lag)
// in consumer_report.cpp, `next` in consumer_next.cpp.
//
// Durable consumers are created with CONSUMER.DURABLE.CREATE.<stream>.<name>,
// which servers from 2.9 on (and Natrium) accept; --ephemeral with
// CONSUMER.CREATE.<stream>. Edit re-sends the changed config to the same API.
#include <fmt/format.h>
#include <memory>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/consumer_flags.h"
#include "native/cli/consumer_next.h"
#include "native/cli/consumer_report.h"
#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

struct consumer_names {
  std::string stream, consumer;
};

struct add_state {
  consumer_names n;
  consumer_flags flags;
};

void consumer_add(context& ctx, add_state& a) {
  consumer_flags& f = a.flags;
  nlohmann::json& patch = f.patch;
  std::string name = a.n.consumer;
  if (f.ephemeral && !name.empty()) throw cli_error("consumer add: --ephemeral consumers have no NAME", 2);
  if (!f.ephemeral && name.empty()) {
    if (f.defaults || !stdin_is_tty())
      throw cli_error(fmt::format("consumer add {}: a consumer NAME is required (or --ephemeral)", a.n.stream), 2);
    name = prompt("Consumer name");
    if (name.empty()) throw cli_error("consumer add: no name given", 2);
  }
  if (f.pull && f.push) throw cli_error("consumer add: --pull and --push cannot be combined", 2);
  if (f.pull && patch.contains("deliver_subject"))
    throw cli_error("consumer add: --target is for push consumers, not --pull", 2);
  if (f.push && !patch.contains("deliver_subject")) {
    if (f.defaults || !stdin_is_tty()) throw cli_error("consumer add: --push needs --target SUBJECT", 2);
    const std::string target = prompt("Delivery target subject");
    if (target.empty()) throw cli_error("consumer add: no delivery target given", 2);
    patch["deliver_subject"] = target;
  }
  nlohmann::json cfg = consumer_defaults();
  apply_consumer_patch(cfg, patch);
  std::string api = "CONSUMER.CREATE." + a.n.stream;
  if (!name.empty()) {
    cfg["durable_name"] = name;
    api = "CONSUMER.DURABLE.CREATE." + a.n.stream + "." + name;
  }
  const nlohmann::json info = stream_api(ctx, a.n.stream, api, {{"stream_name", a.n.stream}, {"config", cfg}});
  if (ctx.opts.json) return print_json(info);
  fmt::print("Consumer {} was created on stream {}\n\n", info.value("name", name), a.n.stream);
  print_consumer_info(info);
}

void consumer_edit(context& ctx, add_state& a) {
  if (a.flags.patch.empty())
    throw cli_error(fmt::format("consumer edit {} {}: nothing to change (see --help for the flags)", a.n.stream,
                                a.n.consumer),
                    2);
  const nlohmann::json current =
      consumer_api(ctx, a.n.stream, a.n.consumer, "CONSUMER.INFO." + a.n.stream + "." + a.n.consumer);
  nlohmann::json cfg = current.at("config");
  apply_consumer_patch(cfg, a.flags.patch);
  const std::string api = cfg.contains("durable_name")
                              ? "CONSUMER.DURABLE.CREATE." + a.n.stream + "." + a.n.consumer
                              : "CONSUMER.CREATE." + a.n.stream;
  const nlohmann::json info =
      consumer_api(ctx, a.n.stream, a.n.consumer, api, {{"stream_name", a.n.stream}, {"config", cfg}});
  if (ctx.opts.json) return print_json(info);
  fmt::print("Consumer {} on stream {} was updated\n\n", a.n.consumer, a.n.stream);
  print_consumer_info(info);
}

void consumer_info(context& ctx, const consumer_names& n) {
  const nlohmann::json info = consumer_api(ctx, n.stream, n.consumer, "CONSUMER.INFO." + n.stream + "." + n.consumer);
  if (ctx.opts.json) return print_json(info);
  print_consumer_info(info);
}

struct rm_state {
  consumer_names n;
  bool force = false;
};

void consumer_rm(context& ctx, const rm_state& r) {
  const std::string id = r.n.stream + "." + r.n.consumer;
  consumer_api(ctx, r.n.stream, r.n.consumer, "CONSUMER.INFO." + id);
  if (!r.force) {
    if (!stdin_is_tty())
      throw cli_error(fmt::format("refusing to delete consumer {} on stream {} without --force (stdin is not a terminal)",
                                  r.n.consumer, r.n.stream),
                      2);
    if (!confirm(fmt::format("Really delete consumer {} on stream {}?", r.n.consumer, r.n.stream))) {
      fmt::print("Cancelled\n");
      return;
    }
  }
  const nlohmann::json reply = consumer_api(ctx, r.n.stream, r.n.consumer, "CONSUMER.DELETE." + id);
  if (ctx.opts.json) return print_json(reply);
  fmt::print("Consumer {} on stream {} was deleted\n", r.n.consumer, r.n.stream);
}

void add_names(CLI::App* cmd, consumer_names& n, bool consumer_required) {
  cmd->add_option("stream", n.stream, "stream name")->required();
  CLI::Option* c = cmd->add_option("consumer", n.consumer, "consumer name");
  if (consumer_required) c->required();
}

void add_consumer_commands(CLI::App& app, context& ctx) {
  CLI::App* consumer = app.add_subcommand("consumer", "JetStream consumers: add, edit, info, ls, rm, next, report");
  consumer->alias("con");
  consumer->require_subcommand(1);

  auto add = std::make_shared<add_state>();
  CLI::App* add_cmd = consumer->add_subcommand("add", "create a consumer on a stream");
  add_cmd->alias("create");
  add_names(add_cmd, add->n, false);
  add_consumer_flags(add_cmd, add->flags, false);
  add_cmd->footer(
      "Pull consumers are the default; --push needs --target. The NAME is asked for on a terminal\n"
      "when not given; --defaults never asks.\n"
      "Examples:\n"
      "  natrium consumer add ORDERS analytics --pull --ack explicit --filter 'orders.>' --defaults\n"
      "  natrium consumer add ORDERS audit --push --target audit.orders --deliver new --ack none --defaults\n"
      "  natrium consumer add ORDERS retry --backoff 1s,5s,30s --max-deliver 4 --wait 10s --defaults\n");
  add_cmd->callback([&ctx, add] { consumer_add(ctx, *add); });

  auto edit = std::make_shared<add_state>();
  CLI::App* edit_cmd = consumer->add_subcommand("edit", "change a consumer's configuration (only the flags given)");
  edit_cmd->alias("update");
  add_names(edit_cmd, edit->n, true);
  add_consumer_flags(edit_cmd, edit->flags, true);
  edit_cmd->footer(
      "The server refuses changes to some fields (deliver policy, ack policy, ...) and says which.\n"
      "Examples:\n"
      "  natrium consumer edit ORDERS analytics --description 'daily reports' --max-deliver 10\n");
  edit_cmd->callback([&ctx, edit] { consumer_edit(ctx, *edit); });

  auto info = std::make_shared<consumer_names>();
  CLI::App* info_cmd = consumer->add_subcommand("info", "a consumer's configuration and state");
  add_names(info_cmd, *info, true);
  info_cmd->footer("Examples:\n  natrium consumer info ORDERS payment-service\n  natrium consumer info ORDERS payment-service --json\n");
  info_cmd->callback([&ctx, info] { consumer_info(ctx, *info); });

  auto ls_stream = std::make_shared<std::string>();
  auto ls_names = std::make_shared<bool>(false);
  CLI::App* ls_cmd = consumer->add_subcommand("ls", "list a stream's consumers with their lag");
  ls_cmd->alias("list");
  ls_cmd->add_option("stream", *ls_stream, "stream name")->required();
  ls_cmd->add_flag("-n,--names", *ls_names, "names only");
  ls_cmd->footer(
      "Ack Pending: delivered, not yet acknowledged; Unprocessed: not yet delivered (num_pending).\n"
      "Examples:\n  natrium consumer ls ORDERS\n  natrium consumer ls ORDERS --names\n");
  ls_cmd->callback([&ctx, ls_stream, ls_names] { consumer_ls(ctx, *ls_stream, *ls_names); });

  auto rm = std::make_shared<rm_state>();
  CLI::App* rm_cmd = consumer->add_subcommand("rm", "delete a consumer");
  rm_cmd->alias("delete");
  add_names(rm_cmd, rm->n, true);
  rm_cmd->add_flag("-f,--force", rm->force, "do not ask for confirmation");
  rm_cmd->footer("Without --force, asks on a terminal and refuses otherwise.\nExamples:\n  natrium consumer rm ORDERS analytics -f\n");
  rm_cmd->callback([&ctx, rm] { consumer_rm(ctx, *rm); });

  add_consumer_next_command(consumer, ctx);

  auto report_stream = std::make_shared<std::string>();
  CLI::App* report_cmd = consumer->add_subcommand("report", "a table of a stream's consumers: mode, acks, pending");
  report_cmd->add_option("stream", *report_stream, "stream name")->required();
  report_cmd->footer("Examples:\n  natrium consumer report ORDERS\n");
  report_cmd->callback([&ctx, report_stream] { consumer_report(ctx, *report_stream); });
}

const command_group registered(40, add_consumer_commands);

}  // namespace

}  // namespace natrium::cli
