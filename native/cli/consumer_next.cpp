#include "native/cli/consumer_next.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <memory>

#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

struct next_options {
  std::string stream, consumer;
  int count = 1;
  bool no_ack = false;
  std::string wait;  // --wait: how long each pull waits (default: the global --timeout)
};

struct sub_deleter {
  void operator()(natsSubscription* s) const noexcept { natsSubscription_Destroy(s); }
};

// $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ns>.<pending>, or the
// 12-token form with domain and account hash ahead of the stream.
struct ack_info {
  std::uint64_t delivered = 0, stream_seq = 0, consumer_seq = 0, pending = 0;
  std::int64_t time_ns = 0;
};

ack_info parse_ack_subject(const std::string& reply) {
  std::vector<std::string> t;
  std::size_t pos = 0;
  while (pos <= reply.size()) {
    const std::size_t end = std::min(reply.find('.', pos), reply.size());
    t.push_back(reply.substr(pos, end - pos));
    pos = end + 1;
  }
  ack_info a;
  std::size_t base = 0;
  if (t.size() == 9) base = 4;
  else if (t.size() >= 11) base = 6;
  else return a;
  auto num = [&](std::size_t i) { return std::strtoull(t[i].c_str(), nullptr, 10); };
  a.delivered = num(base);
  a.stream_seq = num(base + 1);
  a.consumer_seq = num(base + 2);
  a.time_ns = static_cast<std::int64_t>(num(base + 3));
  a.pending = num(base + 4);
  return a;
}

std::vector<std::pair<std::string, std::string>> headers_of(natsMsg* m) {
  std::vector<std::pair<std::string, std::string>> out;
  const char** keys = nullptr;
  int n = 0;
  if (natsMsgHeader_Keys(m, &keys, &n) != NATS_OK) return out;
  for (int i = 0; i < n; ++i) {
    const char** values = nullptr;
    int vn = 0;
    if (natsMsgHeader_Values(m, keys[i], &values, &vn) != NATS_OK) continue;
    for (int j = 0; j < vn; ++j) out.emplace_back(keys[i], values[j]);
    std::free(static_cast<void*>(values));
  }
  std::free(static_cast<void*>(keys));
  return out;
}

void consumer_next(context& ctx, const next_options& o) {
  if (o.count < 1) throw cli_error("--count must be at least 1", 2);
  std::int64_t wait_ns = static_cast<std::int64_t>(ctx.opts.timeout_s * 1e9);
  if (!o.wait.empty()) {
    const auto ns = parse_duration_ns(o.wait);
    if (!ns || *ns <= 0) throw cli_error("--wait: not a duration: " + o.wait + " (e.g. 5s, 500ms)", 2);
    wait_ns = *ns;
  }
  const nlohmann::json info =
      consumer_api(ctx, o.stream, o.consumer, "CONSUMER.INFO." + o.stream + "." + o.consumer);
  const nlohmann::json cfg = info.value("config", nlohmann::json::object());
  if (!cfg.value("deliver_subject", std::string()).empty())
    throw cli_error(fmt::format("consumer {} on stream {} is a push consumer (delivering to {}): subscribe to that subject "
                                "instead",
                                o.consumer, o.stream, cfg.value("deliver_subject", std::string())));
  const bool ack = !o.no_ack && cfg.value("ack_policy", std::string("none")) != "none";

  natsConnection* nc = ctx.conn();
  natsInbox* inbox = nullptr;
  check(natsInbox_Create(&inbox), "inbox");
  std::unique_ptr<natsInbox, void (*)(natsInbox*)> inbox_guard(inbox, natsInbox_Destroy);
  natsSubscription* raw_sub = nullptr;
  check(natsConnection_SubscribeSync(&raw_sub, nc, inbox), "subscribe");
  std::unique_ptr<natsSubscription, sub_deleter> sub(raw_sub);

  const std::string next_subject = "$JS.API.CONSUMER.MSG.NEXT." + o.stream + "." + o.consumer;
  // One message per pull, like the nats tool: each pull ends as soon as a message arrives.
  const std::string req = nlohmann::json{{"batch", 1}, {"expires", wait_ns}}.dump();
  const auto wait_ms = static_cast<std::int64_t>(std::ceil(static_cast<double>(wait_ns) / 1e6)) + 1000;
  int received = 0;
  std::string stop_reason;
  while (received < o.count && stop_reason.empty()) {
    check(natsConnection_PublishRequest(nc, next_subject.c_str(), inbox, req.data(), static_cast<int>(req.size())),
          "pull request");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      natsMsg* raw = nullptr;
      const natsStatus s = natsSubscription_NextMsg(&raw, sub.get(), std::max<std::int64_t>(left, 1));
      if (s == NATS_TIMEOUT) {
        stop_reason = fmt::format("no message within {}", human_duration_ns(wait_ns));
        break;
      }
      check(s, "pull");
      msg_ptr m(raw);
      const char* status = nullptr;
      if (natsMsg_GetDataLength(m.get()) == 0 && natsMsgHeader_Get(m.get(), "Status", &status) == NATS_OK) {
        const std::string code = status;
        if (code == "100") continue;  // idle heartbeat
        const char* desc = nullptr;
        natsMsgHeader_Get(m.get(), "Description", &desc);
        stop_reason = code == "408" || code == "404" ? fmt::format("no message within {}", human_duration_ns(wait_ns))
                                                     : fmt::format("{} {}", code, desc != nullptr ? desc : "");
        break;
      }
      const char* reply = natsMsg_GetReply(m.get());
      const ack_info a = parse_ack_subject(reply != nullptr ? reply : "");
      shown_message sm;
      sm.stream = o.stream;
      sm.subject = natsMsg_GetSubject(m.get());
      sm.seq = a.stream_seq;
      sm.time_ns = a.time_ns;
      sm.headers = headers_of(m.get());
      sm.body.assign(natsMsg_GetData(m.get()), static_cast<std::size_t>(natsMsg_GetDataLength(m.get())));
      if (ctx.opts.json) {
        nlohmann::json h = nlohmann::json::object();
        for (const auto& [k, v] : sm.headers) h[k] = v;
        std::puts(nlohmann::json{{"subject", sm.subject},
                                 {"stream", o.stream},
                                 {"consumer", o.consumer},
                                 {"stream_seq", a.stream_seq},
                                 {"consumer_seq", a.consumer_seq},
                                 {"delivered", a.delivered},
                                 {"pending", a.pending},
                                 {"time", sm.time_ns != 0 ? format_rfc3339(sm.time_ns) : std::string()},
                                 {"headers", h},
                                 {"data", sm.body},
                                 {"acked", ack}}
                      .dump()
                      .c_str());
      } else {
        print_message(sm);
      }
      if (ack && reply != nullptr) {
        check(natsConnection_PublishString(nc, reply, "+ACK"), "ack");
        if (!ctx.opts.json) fmt::print("Acknowledged message {} (delivery {})\n\n", a.stream_seq, a.delivered);
      }
      ++received;
      break;
    }
  }
  check(natsConnection_FlushTimeout(nc, static_cast<std::int64_t>(ctx.opts.timeout_s * 1000)), "flush");
  std::fflush(stdout);
  if (received == 0)
    throw cli_error(fmt::format("no message from consumer {} on stream {}: {}", o.consumer, o.stream, stop_reason));
}

}  // namespace

void add_consumer_next_command(CLI::App* consumer, context& ctx) {
  auto o = std::make_shared<next_options>();
  CLI::App* next = consumer->add_subcommand("next", "pull messages from a pull consumer, print and acknowledge them");
  next->add_option("stream", o->stream, "stream name")->required();
  next->add_option("consumer", o->consumer, "consumer name")->required();
  next->add_option("--count", o->count, "how many messages (default 1)");
  next->add_flag("--no-ack", o->no_ack, "do not acknowledge the messages");
  next->add_option("--wait", o->wait, "how long each pull waits for a message (default: --timeout)");
  next->footer(
      "Exits 1 when no message arrives at all.\n"
      "Examples:\n"
      "  natrium consumer next ORDERS analytics\n"
      "  natrium consumer next ORDERS analytics --count 10 --no-ack --wait 2s\n");
  next->callback([&ctx, o] { consumer_next(ctx, *o); });
}

}  // namespace natrium::cli
