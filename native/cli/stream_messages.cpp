#include "native/cli/stream_messages.h"

#include <fmt/format.h>
#include <memory>
#include <optional>

#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

struct get_options {
  std::string stream;
  std::uint64_t seq = 0;
  std::string last_for;
};

struct view_options {
  std::string stream;
  std::uint64_t start = 1;
  int count = 10;
  std::string subject;
};

// STREAM.MSG.GET; nullopt when there is no such message.
std::optional<nlohmann::json> msg_get(context& ctx, const std::string& stream, const nlohmann::json& req) {
  try {
    return stream_api(ctx, stream, "STREAM.MSG.GET." + stream, req);
  } catch (const js_api_error& e) {
    if (e.err_code() == js_err_no_message_found || e.code() == 404) {
      if (e.err_code() == js_err_stream_not_found) throw;
      return std::nullopt;
    }
    throw;
  }
}

void stream_get(context& ctx, const get_options& o) {
  if (o.seq == 0 && o.last_for.empty()) throw cli_error("give a sequence or --last-for SUBJECT", 2);
  if (o.seq != 0 && !o.last_for.empty()) throw cli_error("give either a sequence or --last-for, not both", 2);
  nlohmann::json req = o.seq != 0 ? nlohmann::json{{"seq", o.seq}} : nlohmann::json{{"last_by_subj", o.last_for}};
  const auto reply = msg_get(ctx, o.stream, req);
  if (!reply) {
    throw cli_error(o.seq != 0 ? fmt::format("no message with sequence {} in stream {}", o.seq, o.stream)
                               : fmt::format("no message on subject {} in stream {}", o.last_for, o.stream));
  }
  if (ctx.opts.json) return print_json(*reply);
  print_message(message_from_json(o.stream, reply->value("message", nlohmann::json::object())));
}

void stream_view(context& ctx, const view_options& o) {
  if (o.count <= 0) throw cli_error("--count must be at least 1", 2);
  const std::string filter = o.subject.empty() ? ">" : o.subject;
  std::uint64_t seq = std::max<std::uint64_t>(o.start, 1);
  const bool interactive = stdin_is_tty();
  bool any = false;
  for (;;) {
    int shown = 0;
    bool end = false;
    while (shown < o.count) {
      const auto reply = msg_get(ctx, o.stream, {{"seq", seq}, {"next_by_subj", filter}});
      if (!reply) {
        end = true;
        break;
      }
      const nlohmann::json m = reply->value("message", nlohmann::json::object());
      if (ctx.opts.json) {
        std::puts(m.dump().c_str());
      } else {
        print_message(message_from_json(o.stream, m));
      }
      seq = m.value("seq", seq) + 1;
      ++shown;
      any = true;
    }
    std::fflush(stdout);
    if (end || !interactive) break;
    if (!wait_for_enter("Press Enter for the next page, q to quit")) break;
  }
  if (!any) {
    // STREAM.MSG.GET says "no message" for an empty stream and a missing one alike: name a missing one.
    stream_api(ctx, o.stream, "STREAM.INFO." + o.stream);
    if (!ctx.opts.json)
      fmt::print("No messages in stream {}{}\n", o.stream,
                 o.subject.empty() ? fmt::format(" from sequence {}", seq) : " on subject " + o.subject);
  }
}

}  // namespace

void add_stream_message_commands(CLI::App* stream, context& ctx) {
  auto g = std::make_shared<get_options>();
  CLI::App* get = stream->add_subcommand("get", "print one stored message by sequence, or the last on a subject");
  get->add_option("stream", g->stream, "stream name")->required();
  get->add_option("seq", g->seq, "message sequence");
  get->add_option("--last-for", g->last_for, "the last message on this subject instead");
  get->footer(
      "Examples:\n"
      "  natrium stream get ORDERS 42\n"
      "  natrium stream get ORDERS --last-for orders.new\n");
  get->callback([&ctx, g] { stream_get(ctx, *g); });

  auto v = std::make_shared<view_options>();
  CLI::App* view = stream->add_subcommand("view", "page through the stream's messages");
  view->add_option("stream", v->stream, "stream name")->required();
  view->add_option("--id", v->start, "the first sequence to show (default 1)");
  view->add_option("--count", v->count, "messages per page (default 10)");
  view->add_option("--subject", v->subject, "only messages on subjects matching this");
  view->footer(
      "On a terminal, Enter shows the next page and q quits; otherwise one page is printed.\n"
      "Examples:\n"
      "  natrium stream view ORDERS\n"
      "  natrium stream view ORDERS --id 100 --count 5 --subject 'orders.eu.>'\n");
  view->callback([&ctx, v] { stream_view(ctx, *v); });
}

}  // namespace natrium::cli
