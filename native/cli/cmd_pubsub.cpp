// natrium pub|sub|request|reply: core NATS messaging, like the nats tool's.
//
// Long-running commands (sub, reply) wait in natsSubscription_NextMsg with a
// short timeout so that SIGINT/SIGTERM, which only set a flag, end them
// cleanly (exit 0) within a fraction of a second. Status lines that are not
// message output ("Subscribing on ...") go to stderr, so stdout carries only
// what was received.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"

namespace natrium::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }

// SIGINT/SIGTERM set g_stop; a second signal kills (SA_RESETHAND).
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

constexpr int64_t poll_ms = 100;  // how long a stop signal may go unnoticed

struct sub_deleter {
  void operator()(natsSubscription* s) const noexcept { natsSubscription_Destroy(s); }
};
using sub_ptr = std::unique_ptr<natsSubscription, sub_deleter>;

int64_t timeout_ms(const context& ctx) { return static_cast<int64_t>(ctx.opts.timeout_s * 1000 + 0.5); }

// "15:04:05", local time, like the nats tool's log lines.
std::string clock_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// ---- body templates ---------------------------------------------------------

// Process-local randomness for {{Random}}: splitmix64 seeded from the clock
// and pid (not security, just variety between messages and runs).
uint64_t next_random() {
  static uint64_t state = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                          (static_cast<uint64_t>(getpid()) << 32);
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A unique id: libnats' NUID (the inbox name without "_INBOX.").
std::string unique_id() {
  natsInbox* inbox = nullptr;
  check(natsInbox_Create(&inbox), "id");
  std::string id = inbox;
  natsInbox_Destroy(inbox);
  const auto dot = id.rfind('.');
  return dot == std::string::npos ? id : id.substr(dot + 1);
}

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<int64_t> parse_int(const std::string& s) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// One template action, without the braces and the optional leading '.'; nullopt if unknown.
std::optional<std::string> expand(std::string action, uint64_t count, std::string_view request) {
  action = trim(action);
  if (!action.empty() && action.front() == '.') action.erase(0, 1);
  if (action == "Count") return std::to_string(count);
  if (action == "ID") return unique_id();
  if (action == "TimeStamp") return rfc3339_now();
  if (action == "Time") return clock_now();
  if (action == "Unix") return std::to_string(std::time(nullptr));
  if (action == "UnixNano") {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
  if (action == "Request") return std::string(request);
  if (action.rfind("Random", 0) == 0) {
    // Random(a,b) or Go's "Random a b": an integer in [a, b].
    std::string args = action.substr(6);
    for (char& c : args) {
      if (c == '(' || c == ')' || c == ',') c = ' ';
    }
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < args.size()) {
      while (i < args.size() && args[i] == ' ') ++i;
      std::size_t j = i;
      while (j < args.size() && args[j] != ' ') ++j;
      if (j > i) parts.push_back(args.substr(i, j - i));
      i = j;
    }
    if (parts.size() != 2) return std::nullopt;
    const auto lo = parse_int(parts[0]), hi = parse_int(parts[1]);
    if (!lo || !hi || *hi < *lo) return std::nullopt;
    const auto span = static_cast<uint64_t>(*hi - *lo) + 1;
    return std::to_string(*lo + static_cast<int64_t>(span == 0 ? next_random() : next_random() % span));
  }
  return std::nullopt;
}

// Expands {{Count}} (1-based), {{ID}}, {{TimeStamp}} (RFC 3339), {{Time}},
// {{Unix}}, {{UnixNano}}, {{Random(a,b)}} and, for replies, {{Request}}.
// Unknown actions stay as typed.
std::string render(std::string_view text, uint64_t count, std::string_view request = {}) {
  if (text.find("{{") == std::string_view::npos) return std::string(text);
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    if (auto v = expand(std::string(text.substr(open + 2, close - open - 2)), count, request)) {
      out += *v;
    } else {
      out.append(text.substr(open, close + 2 - open));
    }
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

// ---- messages -----------------------------------------------------------------

struct header {
  std::string key, value;
};

// "-H key:value" (the value may itself contain ':').
header parse_header(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    throw cli_error(fmt::format("-H {}: a header is key:value", text), 2);
  }
  return {trim(std::string_view(text).substr(0, colon)), trim(std::string_view(text).substr(colon + 1))};
}

std::vector<header> parse_headers(const std::vector<std::string>& texts) {
  std::vector<header> out;
  for (const auto& t : texts) out.push_back(parse_header(t));
  return out;
}

// A message to publish; headers are rendered as templates too.
msg_ptr make_msg(const std::string& subject, const char* reply, std::string_view body, const std::vector<header>& headers,
                 uint64_t count) {
  natsMsg* raw = nullptr;
  check(natsMsg_Create(&raw, subject.c_str(), reply, body.data(), static_cast<int>(body.size())), "message");
  msg_ptr m(raw);
  for (const auto& h : headers) {
    check(natsMsgHeader_Add(m.get(), h.key.c_str(), render(h.value, count).c_str()), "header " + h.key);
  }
  return m;
}

// The message's headers in order, each key with its values; empty without headers.
std::vector<std::pair<std::string, std::vector<std::string>>> headers_of(natsMsg* m) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  const char** keys = nullptr;
  int nkeys = 0;
  if (natsMsgHeader_Keys(m, &keys, &nkeys) != NATS_OK) return out;
  for (int i = 0; i < nkeys; ++i) {
    const char** values = nullptr;
    int nvalues = 0;
    std::vector<std::string> vs;
    if (natsMsgHeader_Values(m, keys[i], &values, &nvalues) == NATS_OK) {
      for (int j = 0; j < nvalues; ++j) vs.emplace_back(values[j]);
      free(values);
    }
    out.emplace_back(keys[i], std::move(vs));
  }
  free(keys);
  return out;
}

std::string_view body_of(natsMsg* m) {
  const char* d = natsMsg_GetData(m);
  return d == nullptr ? std::string_view() : std::string_view(d, static_cast<std::size_t>(natsMsg_GetDataLength(m)));
}

enum class show { all, headers_only, body_only };

// The nats tool's layout: headers ("Key: Value"), a blank line, the body.
void print_msg_content(natsMsg* m, show what) {
  const auto hs = headers_of(m);
  if (what != show::body_only && !hs.empty()) {
    for (const auto& [k, vs] : hs) {
      for (const auto& v : vs) fmt::print("{}: {}\n", k, v);
    }
    if (what != show::headers_only) fmt::print("\n");
  }
  if (what != show::headers_only) {
    const auto body = body_of(m);
    std::fwrite(body.data(), 1, body.size(), stdout);
    if (body.empty() || body.back() != '\n') std::fputc('\n', stdout);
  }
}

// One line of JSON per message (--json).
void print_msg_json(natsMsg* m, uint64_t n) {
  nlohmann::json j = {{"seq", n}, {"subject", natsMsg_GetSubject(m)}, {"data", std::string(body_of(m))}};
  if (const char* reply = natsMsg_GetReply(m); reply != nullptr && *reply != '\0') j["reply"] = reply;
  const auto hs = headers_of(m);
  if (!hs.empty()) {
    nlohmann::json h = nlohmann::json::object();
    for (const auto& [k, vs] : hs) h[k] = vs;
    j["headers"] = h;
  }
  fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string received_line(natsMsg* m, uint64_t n) {
  const char* reply = natsMsg_GetReply(m);
  if (reply != nullptr && *reply != '\0') {
    return fmt::format("[#{}] Received on \"{}\" with reply \"{}\"", n, natsMsg_GetSubject(m), reply);
  }
  return fmt::format("[#{}] Received on \"{}\"", n, natsMsg_GetSubject(m));
}

// The body argument, or stdin when it is "-" or absent and stdin is not a terminal.
std::string body_or_stdin(const std::string& body, bool given) {
  if (given && body != "-") return body;
  if (!given && isatty(STDIN_FILENO)) return {};
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) out.append(buf, n);
  return out;
}

std::optional<int64_t> duration_option(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  const auto ns = parse_duration_ns(text);
  if (!ns || *ns < 0) throw cli_error(fmt::format("{} {}: not a duration (e.g. 100ms, 1s)", flag, text), 2);
  return *ns;
}

// Waits for the next message, noticing stop signals; nullptr once stopped.
msg_ptr next_msg(natsSubscription* sub, const std::string& subject) {
  while (g_stop == 0) {
    natsMsg* raw = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&raw, sub, poll_ms);
    if (s == NATS_OK) return msg_ptr(raw);
    if (s == NATS_TIMEOUT) continue;
    if (s == NATS_SLOW_CONSUMER) {
      fmt::print(stderr, "natrium: slow consumer on {}: messages were dropped\n", subject);
      continue;
    }
    if (s == NATS_MAX_DELIVERED_MSGS) return nullptr;
    check(s, "receiving on " + subject);
  }
  return nullptr;
}

sub_ptr subscribe(context& ctx, const std::string& subject, const std::string& queue) {
  natsSubscription* raw = nullptr;
  natsConnection* nc = ctx.conn();
  if (queue.empty()) {
    check(natsConnection_SubscribeSync(&raw, nc, subject.c_str()), "subscribe " + subject);
  } else {
    check(natsConnection_QueueSubscribeSync(&raw, nc, subject.c_str(), queue.c_str()), "subscribe " + subject);
  }
  sub_ptr sub(raw);
  check(natsSubscription_SetPendingLimits(sub.get(), -1, -1), "pending limits");
  // The interest is on the server once the flush returns: say so only then,
  // so scripts may publish as soon as they see the line.
  check(natsConnection_FlushTimeout(nc, timeout_ms(ctx)), "subscribe " + subject);
  return sub;
}

// ---- pub ---------------------------------------------------------------------------

struct pub_options {
  std::string subject, body, reply, sleep;
  std::vector<std::string> headers;
  uint64_t count = 1;
  bool quiet = false;
};

void pub(context& ctx, const pub_options& o, bool body_given) {
  const auto headers = parse_headers(o.headers);
  const auto sleep_ns = duration_option(o.sleep, "--sleep");
  const std::string body = body_or_stdin(o.body, body_given);
  natsConnection* nc = ctx.conn();
  uint64_t bytes = 0;
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t i = 1; i <= o.count; ++i) {
    const std::string data = render(body, i);
    auto m = make_msg(o.subject, o.reply.empty() ? nullptr : o.reply.c_str(), data, headers, i);
    check(natsConnection_PublishMsg(nc, m.get()), "publish to " + o.subject);
    bytes += data.size();
    if (!o.quiet && (o.count == 1 || sleep_ns)) {
      fmt::print("{} Published {} bytes to \"{}\"\n", clock_now(), data.size(), o.subject);
      std::fflush(stdout);
    }
    if (sleep_ns && *sleep_ns > 0 && i < o.count) std::this_thread::sleep_for(std::chrono::nanoseconds(*sleep_ns));
  }
  check(natsConnection_FlushTimeout(nc, timeout_ms(ctx)), "publish to " + o.subject);
  if (!o.quiet && o.count > 1) {
    const auto took = std::chrono::steady_clock::now() - started;
    fmt::print("{} Published {} messages ({}) to \"{}\" in {}\n", clock_now(), human_count(o.count), human_bytes(bytes),
               o.subject, human_duration_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
  }
}

// ---- sub ---------------------------------------------------------------------------

struct sub_options {
  std::string subject, queue;
  uint64_t count = 0;
  bool raw = false, headers_only = false;
};

void sub(context& ctx, const sub_options& o) {
  install_stop_handlers();
  sub_ptr s = subscribe(ctx, o.subject, o.queue);
  if (o.count > 0 && o.count <= static_cast<uint64_t>(INT32_MAX)) {
    check(natsSubscription_AutoUnsubscribe(s.get(), static_cast<int>(o.count)), "auto unsubscribe");
  }
  if (o.queue.empty()) {
    fmt::print(stderr, "{} Subscribing on {}\n", clock_now(), o.subject);
  } else {
    fmt::print(stderr, "{} Subscribing on {} in group {}\n", clock_now(), o.subject, o.queue);
  }
  std::fflush(stderr);
  uint64_t n = 0;
  while (o.count == 0 || n < o.count) {
    msg_ptr m = next_msg(s.get(), o.subject);
    if (!m) break;
    ++n;
    if (ctx.opts.json) {
      print_msg_json(m.get(), n);
    } else if (o.raw) {
      print_msg_content(m.get(), show::body_only);
    } else {
      fmt::print("{}\n", received_line(m.get(), n));
      print_msg_content(m.get(), o.headers_only ? show::headers_only : show::all);
      fmt::print("\n");
    }
    std::fflush(stdout);
  }
}

// ---- request -----------------------------------------------------------------------

struct request_options {
  std::string subject, body;
  std::vector<std::string> headers;
  bool raw = false;
};

void request(context& ctx, const request_options& o, bool body_given) {
  const auto headers = parse_headers(o.headers);
  const std::string body = render(body_or_stdin(o.body, body_given), 1);
  auto m = make_msg(o.subject, nullptr, body, headers, 1);
  natsConnection* nc = ctx.conn();
  if (!o.raw && !ctx.opts.json) fmt::print(stderr, "{} Sending request on \"{}\"\n", clock_now(), o.subject);
  const auto started = std::chrono::steady_clock::now();
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_RequestMsg(&raw, nc, m.get(), timeout_ms(ctx));
  const auto rtt_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
  if (s == NATS_NO_RESPONDERS) throw cli_error(fmt::format("no responders on \"{}\"", o.subject));
  if (s == NATS_TIMEOUT) throw cli_error(fmt::format("no reply on \"{}\" within {}s", o.subject, ctx.opts.timeout_s));
  check(s, fmt::format("request on \"{}\"", o.subject));
  msg_ptr reply(raw);
  if (ctx.opts.json) {
    print_msg_json(reply.get(), 1);
    return;
  }
  if (o.raw) {
    print_msg_content(reply.get(), show::body_only);
    return;
  }
  fmt::print("{} Received with rtt {}\n", clock_now(), human_duration_ns(rtt_ns));
  print_msg_content(reply.get(), show::all);
}

// ---- reply -------------------------------------------------------------------------

struct reply_options {
  std::string subject, body, queue = "NATS-RPLY-22", sleep;
  std::vector<std::string> headers;
  uint64_t count = 0;
  bool echo = false, quiet = false;
};

void reply(context& ctx, const reply_options& o) {
  if (!o.echo && o.body.empty() && o.headers.empty()) {
    throw cli_error("reply: give a BODY to answer with, or --echo", 2);
  }
  const auto headers = parse_headers(o.headers);
  const auto sleep_ns = duration_option(o.sleep, "--sleep");
  install_stop_handlers();
  sub_ptr s = subscribe(ctx, o.subject, o.queue);
  fmt::print(stderr, "{} Listening on \"{}\" in group \"{}\"\n", clock_now(), o.subject, o.queue);
  std::fflush(stderr);
  natsConnection* nc = ctx.conn();
  uint64_t n = 0;
  while (o.count == 0 || n < o.count) {
    msg_ptr m = next_msg(s.get(), o.subject);
    if (!m) break;
    ++n;
    if (!o.quiet) {
      if (ctx.opts.json) {
        print_msg_json(m.get(), n);
      } else {
        fmt::print("{}\n", received_line(m.get(), n));
        print_msg_content(m.get(), show::all);
        fmt::print("\n");
      }
      std::fflush(stdout);
    }
    const char* to = natsMsg_GetReply(m.get());
    if (to == nullptr || *to == '\0') {
      fmt::print(stderr, "natrium: message #{} on \"{}\" has no reply subject; not answered\n", n,
                 natsMsg_GetSubject(m.get()));
      continue;
    }
    if (sleep_ns && *sleep_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(*sleep_ns));
    const std::string_view request_body = body_of(m.get());
    const std::string data = o.echo ? std::string(request_body) : render(o.body, n, request_body);
    msg_ptr answer = make_msg(to, nullptr, data, headers, n);
    if (o.echo) {
      for (const auto& [k, vs] : headers_of(m.get())) {
        for (const auto& v : vs) check(natsMsgHeader_Add(answer.get(), k.c_str(), v.c_str()), "header " + k);
      }
    }
    check(natsConnection_PublishMsg(nc, answer.get()), fmt::format("reply to \"{}\"", to));
    check(natsConnection_FlushTimeout(nc, timeout_ms(ctx)), fmt::format("reply to \"{}\"", to));
  }
}

// ---- registration ----------------------------------------------------------------------

void add_pubsub_commands(CLI::App& app, context& ctx) {
  {
    auto o = std::make_shared<pub_options>();
    CLI::App* cmd = app.add_subcommand("pub", "publish a message (or --count of them)");
    cmd->add_option("subject", o->subject, "subject to publish to")->required();
    CLI::Option* body = cmd->add_option("body", o->body,
                                        "message body; '-' or absent with stdin not a terminal: read stdin. "
                                        "Templates: {{Count}} {{ID}} {{TimeStamp}} {{Time}} {{Unix}} {{Random(a,b)}}");
    cmd->add_option("--count", o->count, "publish this many messages")->type_name("N")->check(CLI::PositiveNumber);
    cmd->add_option("--sleep", o->sleep, "pause between messages, e.g. 100ms");
    cmd->add_option("-H,--header", o->headers, "header key:value (repeatable; values take templates)")->allow_extra_args(false);
    cmd->add_option("--reply", o->reply, "reply subject to send with the message");
    cmd->add_flag("-q,--quiet", o->quiet, "print nothing");
    cmd->footer(
        "Examples:\n"
        "  natrium pub orders.created '{\"id\":1}'\n"
        "  natrium pub orders.created 'order {{Count}} at {{TimeStamp}}' --count 10 --sleep 100ms\n"
        "  natrium pub orders.created -H Trace-Id:{{ID}} 'hello'\n"
        "  echo hello | natrium pub greetings\n");
    cmd->callback([&ctx, o, body] { pub(ctx, *o, body->count() > 0); });
  }
  {
    auto o = std::make_shared<sub_options>();
    CLI::App* cmd = app.add_subcommand("sub", "subscribe and print messages until interrupted (or --count)");
    cmd->add_option("subject", o->subject, "subject, wildcards allowed (orders.*, orders.>)")->required();
    cmd->add_option("--queue", o->queue, "join this queue group: members share the messages");
    cmd->add_option("--count", o->count, "exit after this many messages")->type_name("N");
    cmd->add_flag("-r,--raw", o->raw, "print only the bodies");
    cmd->add_flag("--headers-only", o->headers_only, "print only the headers");
    cmd->footer(
        "Headers are shown when a message has them; --json prints one JSON object per line.\n"
        "Examples:\n"
        "  natrium sub 'orders.>'\n"
        "  natrium sub orders.created --queue workers --count 10\n"
        "  natrium sub orders.created --raw > bodies.txt\n");
    cmd->callback([&ctx, o] { sub(ctx, *o); });
  }
  {
    auto o = std::make_shared<request_options>();
    CLI::App* cmd = app.add_subcommand("request", "send a request and print the reply with its round-trip time");
    cmd->alias("req");
    cmd->add_option("subject", o->subject, "subject to send the request to")->required();
    CLI::Option* body = cmd->add_option("body", o->body, "request body ('-' or absent: stdin when not a terminal); templates as for pub");
    cmd->add_option("-H,--header", o->headers, "header key:value (repeatable)")->allow_extra_args(false);
    cmd->add_flag("-r,--raw", o->raw, "print only the reply body");
    cmd->footer(
        "Waits --timeout (default 5s) for the reply; exits 1 on timeout or when nothing listens (no responders).\n"
        "Examples:\n"
        "  natrium request orders.lookup '{\"id\":1}'\n"
        "  natrium request --timeout 1s -H Trace-Id:42 orders.lookup 1\n"
        "  natrium request '$JS.API.INFO' ''\n");
    cmd->callback([&ctx, o, body] { request(ctx, *o, body->count() > 0); });
  }
  {
    auto o = std::make_shared<reply_options>();
    CLI::App* cmd = app.add_subcommand("reply", "answer requests on a subject until interrupted (or --count)");
    cmd->add_option("subject", o->subject, "subject to serve")->required();
    cmd->add_option("body", o->body, "reply body; templates: {{Count}} {{Request}} {{ID}} {{TimeStamp}} ...");
    cmd->add_option("--queue", o->queue, "queue group (default NATS-RPLY-22): responders share the requests");
    cmd->add_option("--count", o->count, "exit after answering this many requests")->type_name("N");
    cmd->add_flag("--echo", o->echo, "answer with the request's body and headers");
    cmd->add_option("--sleep", o->sleep, "wait this long before each answer, e.g. 50ms");
    cmd->add_option("-H,--header", o->headers, "header key:value on each answer (repeatable)")->allow_extra_args(false);
    cmd->add_flag("-q,--quiet", o->quiet, "do not print the requests");
    cmd->footer(
        "Examples:\n"
        "  natrium reply orders.lookup 'answer #{{Count}}'\n"
        "  natrium reply service.echo --echo --count 1\n");
    cmd->callback([&ctx, o] { reply(ctx, *o); });
  }
}

const command_group registered(10, add_pubsub_commands);

}  // namespace

}  // namespace natrium::cli
