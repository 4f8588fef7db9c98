// natrium stream add|edit|info|ls|rm|purge|get|view|report: streams through
// the JetStream JSON API ($JS.API.STREAM.*), like the nats tool. Flags and
// the config they build are in stream_flags.cpp, reports in
// stream_report.cpp, get and view in stream_messages.cpp.
#include <fmt/format.h>
#include <memory>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"
#include "native/cli/js_util.h"
#include "native/cli/stream_flags.h"
#include "native/cli/stream_messages.h"
#include "native/cli/stream_report.h"

namespace natrium::cli {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t end = std::min(s.find(',', pos), s.size());
    std::string part = s.substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty()) out.push_back(part);
    pos = end + 1;
  }
  return out;
}

// A required value that was not given: asked for on a terminal, else a usage error.
std::string required_value(const std::string& given, bool defaults, const std::string& question,
                           const std::string& missing) {
  if (!given.empty()) return given;
  if (!defaults && stdin_is_tty()) {
    std::string v = prompt(question);
    if (!v.empty()) return v;
  }
  throw cli_error(missing, 2);
}

struct add_state {
  std::string name;
  stream_flags flags;
};

void stream_add(context& ctx, add_state& a) {
  const std::string name = required_value(a.name, a.flags.defaults, "Stream name", "stream add: a stream NAME is required");
  nlohmann::json& patch = a.flags.patch;
  const bool has_origin = patch.contains("mirror") || patch.contains("sources");
  if (!patch.contains("subjects") && !has_origin && !a.flags.defaults) {
    if (!stdin_is_tty())
      throw cli_error(fmt::format("stream add {}: --subjects is required (or --defaults to store subject {})", name, name),
                      2);
    const auto subjects = split_commas(prompt("Subjects (comma separated)"));
    if (subjects.empty()) throw cli_error(fmt::format("stream add {}: no subjects given", name), 2);
    patch["subjects"] = subjects;
  }
  nlohmann::json cfg = stream_defaults(name);
  apply_stream_patch(cfg, patch);
  const nlohmann::json info = ctx.js_api("STREAM.CREATE." + name, cfg);
  if (ctx.opts.json) return print_json(info);
  fmt::print("Stream {} was created\n\n", name);
  print_stream_info(info);
}

void stream_edit(context& ctx, add_state& a) {
  if (a.flags.patch.empty()) throw cli_error(fmt::format("stream edit {}: nothing to change (see --help for the flags)", a.name), 2);
  const nlohmann::json current = stream_api(ctx, a.name, "STREAM.INFO." + a.name);
  nlohmann::json cfg = current.at("config");
  apply_stream_patch(cfg, a.flags.patch);
  const nlohmann::json info = stream_api(ctx, a.name, "STREAM.UPDATE." + a.name, cfg);
  if (ctx.opts.json) return print_json(info);
  fmt::print("Stream {} was updated\n\n", a.name);
  print_stream_info(info);
}

// Without --force: asks on a terminal, refuses otherwise. False when the user declines.
bool confirmed(bool force, const std::string& question, const std::string& refusal) {
  if (force) return true;
  if (!stdin_is_tty()) throw cli_error(refusal + " without --force (stdin is not a terminal)", 2);
  if (confirm(question)) return true;
  fmt::print("Cancelled\n");
  return false;
}

struct rm_state {
  std::string name;
  bool force = false;
};

void stream_rm(context& ctx, const rm_state& r) {
  stream_api(ctx, r.name, "STREAM.INFO." + r.name);  // "stream X not found" before asking
  if (!confirmed(r.force, fmt::format("Really delete stream {}?", r.name),
                 fmt::format("refusing to delete stream {}", r.name)))
    return;
  const nlohmann::json reply = stream_api(ctx, r.name, "STREAM.DELETE." + r.name);
  if (ctx.opts.json) return print_json(reply);
  fmt::print("Stream {} was deleted\n", r.name);
}

struct purge_state {
  std::string name;
  std::string subject;
  std::uint64_t seq = 0;
  std::uint64_t keep = 0;
  bool force = false;
};

void stream_purge(context& ctx, const purge_state& p) {
  if (p.seq != 0 && p.keep != 0) throw cli_error("stream purge: --seq and --keep cannot be combined", 2);
  stream_api(ctx, p.name, "STREAM.INFO." + p.name);
  std::string what = p.subject.empty() ? "all messages" : "messages on " + p.subject;
  if (p.seq != 0) what += fmt::format(" below sequence {}", p.seq);
  if (p.keep != 0) what += fmt::format(" except the last {}", p.keep);
  if (!confirmed(p.force, fmt::format("Really purge {} from stream {}?", what, p.name),
                 fmt::format("refusing to purge stream {}", p.name)))
    return;
  nlohmann::json req = nlohmann::json::object();
  if (!p.subject.empty()) req["filter"] = p.subject;
  if (p.seq != 0) req["seq"] = p.seq;
  if (p.keep != 0) req["keep"] = p.keep;
  const nlohmann::json reply = stream_api(ctx, p.name, "STREAM.PURGE." + p.name, req.empty() ? nlohmann::json() : req);
  if (ctx.opts.json) return print_json(reply);
  fmt::print("Purged {} messages from stream {}\n", human_count(reply.value("purged", std::uint64_t{0})), p.name);
}

void stream_info(context& ctx, const std::string& name) {
  const nlohmann::json info = stream_api(ctx, name, "STREAM.INFO." + name);
  if (ctx.opts.json) return print_json(info);
  print_stream_info(info);
}

void add_stream_commands(CLI::App& app, context& ctx) {
  CLI::App* stream = app.add_subcommand("stream", "JetStream streams: add, edit, info, ls, rm, purge, get, view, report");
  stream->alias("str");
  stream->require_subcommand(1);

  auto add = std::make_shared<add_state>();
  CLI::App* add_cmd = stream->add_subcommand("add", "create a stream");
  add_cmd->alias("create");
  add_cmd->add_option("name", add->name, "stream name");
  add_stream_flags(add_cmd, add->flags, false);
  add_cmd->footer(
      "Subjects are asked for on a terminal when not given; --defaults never asks.\n"
      "Examples:\n"
      "  natrium stream add ORDERS --subjects 'orders.>' --storage file --retention limits --max-age 7d --replicas 1 --defaults\n"
      "  natrium stream add JOBS --subjects jobs.new,jobs.retry --retention workq --max-bytes 1GiB --dupe-window 5m\n"
      "  natrium stream add ORDERS_COPY --mirror ORDERS --defaults\n");
  add_cmd->callback([&ctx, add] { stream_add(ctx, *add); });

  auto edit = std::make_shared<add_state>();
  CLI::App* edit_cmd = stream->add_subcommand("edit", "change a stream's configuration (only the flags given)");
  edit_cmd->alias("update");
  edit_cmd->add_option("name", edit->name, "stream name")->required();
  add_stream_flags(edit_cmd, edit->flags, true);
  edit_cmd->footer(
      "Examples:\n"
      "  natrium stream edit ORDERS --max-age 30d --description 'all orders'\n"
      "  natrium stream edit ORDERS --subjects 'orders.>,returns.>'\n");
  edit_cmd->callback([&ctx, edit] { stream_edit(ctx, *edit); });

  auto info_name = std::make_shared<std::string>();
  CLI::App* info_cmd = stream->add_subcommand("info", "a stream's configuration and state");
  info_cmd->add_option("name", *info_name, "stream name")->required();
  info_cmd->footer("Examples:\n  natrium stream info ORDERS\n  natrium stream info ORDERS --json\n");
  info_cmd->callback([&ctx, info_name] { stream_info(ctx, *info_name); });

  auto ls = std::make_shared<stream_ls_options>();
  CLI::App* ls_cmd = stream->add_subcommand("ls", "list the streams");
  ls_cmd->alias("list");
  ls_cmd->add_flag("-n,--names", ls->names_only, "names only");
  ls_cmd->add_option("--subject", ls->subject, "only streams whose subjects overlap this");
  ls_cmd->footer("Examples:\n  natrium stream ls\n  natrium stream ls --names --subject 'orders.>'\n");
  ls_cmd->callback([&ctx, ls] { stream_ls(ctx, *ls); });

  auto rm = std::make_shared<rm_state>();
  CLI::App* rm_cmd = stream->add_subcommand("rm", "delete a stream and its messages");
  rm_cmd->alias("delete");
  rm_cmd->add_option("name", rm->name, "stream name")->required();
  rm_cmd->add_flag("-f,--force", rm->force, "do not ask for confirmation");
  rm_cmd->footer("Without --force, asks on a terminal and refuses otherwise.\nExamples:\n  natrium stream rm ORDERS -f\n");
  rm_cmd->callback([&ctx, rm] { stream_rm(ctx, *rm); });

  auto purge = std::make_shared<purge_state>();
  CLI::App* purge_cmd = stream->add_subcommand("purge", "delete a stream's messages, keeping the stream");
  purge_cmd->add_option("name", purge->name, "stream name")->required();
  purge_cmd->add_option("--subject", purge->subject, "only messages on subjects matching this");
  purge_cmd->add_option("--seq", purge->seq, "only messages below this sequence");
  purge_cmd->add_option("--keep", purge->keep, "keep this many of the newest messages");
  purge_cmd->add_flag("-f,--force", purge->force, "do not ask for confirmation");
  purge_cmd->footer(
      "Without --force, asks on a terminal and refuses otherwise.\n"
      "Examples:\n"
      "  natrium stream purge ORDERS -f\n"
      "  natrium stream purge ORDERS --subject orders.test --keep 10 -f\n");
  purge_cmd->callback([&ctx, purge] { stream_purge(ctx, *purge); });

  add_stream_message_commands(stream, ctx);

  CLI::App* report_cmd = stream->add_subcommand("report", "a table of every stream: storage, consumers, messages, bytes");
  report_cmd->footer("Examples:\n  natrium stream report\n");
  report_cmd->callback([&ctx] { stream_report(ctx); });
}

const command_group registered(30, add_stream_commands);

}  // namespace

}  // namespace natrium::cli
