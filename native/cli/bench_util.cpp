// natrium bench: connections, JetStream API requests, payloads, percentiles,
// worker threads and progress bars.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <fmt/format.h>

#include "native/cli/bench.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::optional<latency_summary> summarize(std::vector<std::int64_t>& ns) {
  if (ns.empty()) return std::nullopt;
  std::sort(ns.begin(), ns.end());
  const auto rank = [&ns](double p) {
    const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(ns.size())));
    return static_cast<double>(ns[std::clamp<std::size_t>(k, 1, ns.size()) - 1]) / 1000.0;
  };
  latency_summary s;
  s.p50_us = rank(0.50);
  s.p90_us = rank(0.90);
  s.p99_us = rank(0.99);
  s.max_us = static_cast<double>(ns.back()) / 1000.0;
  s.samples = ns.size();
  return s;
}

double role_row::msgs_per_s() const {
  return elapsed_ns > 0 ? static_cast<double>(msgs) * 1e9 / static_cast<double>(elapsed_ns) : 0;
}

double role_row::mb_per_s() const {
  return elapsed_ns > 0 ? static_cast<double>(bytes) * 1e3 / static_cast<double>(elapsed_ns) : 0;
}

std::string plural(std::int64_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::int64_t sample_every(std::int64_t n) {
  return std::max<std::int64_t>(1, (n + latency_samples_max - 1) / latency_samples_max);
}

role_row aggregate_row(const std::string& role, const std::vector<role_row>& rows, std::int64_t elapsed_ns,
                       std::vector<std::int64_t>* all_latencies) {
  role_row a{role, 0, 0, 0, elapsed_ns, std::nullopt};
  for (const auto& r : rows) {
    a.msgs += r.msgs;
    a.bytes += r.bytes;
  }
  if (all_latencies != nullptr) a.latency = summarize(*all_latencies);
  return a;
}

void add_latency_metrics(bench_result& r, const std::string& prefix, const std::optional<latency_summary>& l) {
  if (!l) return;
  std::string label = prefix;
  std::replace(label.begin(), label.end(), '_', ' ');
  r.metrics.push_back({prefix + "p50_us", label + "p50", false, true, l->p50_us});
  r.metrics.push_back({prefix + "p90_us", label + "p90", false, true, l->p90_us});
  r.metrics.push_back({prefix + "p99_us", label + "p99", false, true, l->p99_us});
}

client_conn::client_conn(const std::string& url, const std::string& name, double timeout_s, bool send_asap) {
  natsOptions* o = nullptr;
  check(natsOptions_Create(&o), "options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> guard(o, natsOptions_Destroy);
  check(natsOptions_SetURL(o, url.c_str()), "server URL");
  check(natsOptions_SetTimeout(o, static_cast<int64_t>(std::ceil(timeout_s * 1000))), "timeout");
  check(natsOptions_SetName(o, name.c_str()), "name");
  check(natsOptions_SetMaxReconnect(o, 0), "reconnect");
  check(natsOptions_SetAllowReconnect(o, false), "reconnect");
  check(natsOptions_SetSendAsap(o, send_asap), "send asap");
  check(natsOptions_SetErrorHandler(o, &client_conn::on_error, this), "error handler");
  if (natsConnection_Connect(&nc_, o) != NATS_OK) {
    nc_ = nullptr;
    const char* last = nats_GetLastError(nullptr);
    throw cli_error(fmt::format("could not connect to {}: {}", url, last != nullptr ? last : "error"));
  }
}

client_conn::~client_conn() {
  if (nc_ == nullptr) return;
  natsConnection_Close(nc_);
  natsConnection_Destroy(nc_);
}

void client_conn::on_error(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  auto* self = static_cast<client_conn*>(closure);
  std::lock_guard lock(self->mu_);
  if (self->async_error_.empty()) self->async_error_ = natsStatus_GetText(err);
}

void client_conn::check_async_errors(std::string_view who) const {
  std::lock_guard lock(mu_);
  if (!async_error_.empty()) throw cli_error(fmt::format("{}: {}", who, async_error_));
}

void client_conn::flush(double timeout_s) {
  check(natsConnection_FlushTimeout(nc_, static_cast<int64_t>(std::ceil(timeout_s * 1000))), "flush");
}

namespace {

nlohmann::json js_request(natsConnection* nc, const std::string& api, const nlohmann::json& body, double timeout_s) {
  const std::string subject = "$JS.API." + api;
  const std::string payload = body.is_null() ? std::string() : body.dump();
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_Request(&raw, nc, subject.c_str(), payload.data(),
                                              static_cast<int>(payload.size()),
                                              static_cast<int64_t>(std::ceil(timeout_s * 1000)));
  if (s == NATS_NO_RESPONDERS) throw cli_error("JetStream is not enabled on the server (no responders on " + subject + ")");
  if (s == NATS_TIMEOUT) throw cli_error(fmt::format("no JetStream reply to {} within {}s", subject, timeout_s));
  check(s, subject);
  nats_msg_ptr reply(raw);
  const char* data = natsMsg_GetData(reply.get());
  const int len = natsMsg_GetDataLength(reply.get());
  nlohmann::json j = nlohmann::json::parse(data, data + len, nullptr, false);
  if (j.is_discarded()) throw cli_error(fmt::format("{}: the reply is not JSON", subject));
  return j;
}

}  // namespace

std::optional<nlohmann::json> js_api_maybe(natsConnection* nc, const std::string& api, const nlohmann::json& body,
                                           double timeout_s) {
  nlohmann::json j = js_request(nc, api, body, timeout_s);
  if (j.contains("error")) {
    const auto& e = j["error"];
    if (e.value("code", 0) == 404) return std::nullopt;
    throw js_api_error(fmt::format("$JS.API.{}: {}", api, e.value("description", std::string("JetStream error"))),
                       e.value("code", 0), e.value("err_code", 0));
  }
  return j;
}

nlohmann::json js_api(natsConnection* nc, const std::string& api, const nlohmann::json& body, double timeout_s) {
  nlohmann::json j = js_request(nc, api, body, timeout_s);
  if (j.contains("error")) {
    const auto& e = j["error"];
    throw js_api_error(fmt::format("$JS.API.{}: {}", api, e.value("description", std::string("JetStream error"))),
                       e.value("code", 0), e.value("err_code", 0));
  }
  return j;
}

void fill_payload(std::string& buf, std::uint64_t id, std::int64_t sent_ns) {
  const std::size_t n = buf.size();
  for (std::size_t i = 0; i < 8 && i < n; ++i) buf[i] = static_cast<char>((id >> (8 * i)) & 0xff);
  if (n >= 16) {
    const auto t = static_cast<std::uint64_t>(sent_ns);
    for (std::size_t i = 0; i < 8; ++i) buf[8 + i] = static_cast<char>((t >> (8 * i)) & 0xff);
  }
  const char c = static_cast<char>('a' + id % 26);
  for (std::size_t i = 16; i < n; ++i) buf[i] = c;
}

namespace {

std::uint64_t read_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

std::optional<std::uint64_t> payload_id(const char* data, int len) {
  if (len < 8 || data == nullptr) return std::nullopt;
  return read_u64(data);
}

std::optional<std::int64_t> payload_sent_ns(const char* data, int len) {
  if (len < 16 || data == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(read_u64(data + 8));
}

std::string expected_value(std::uint64_t id, std::size_t size) {
  std::string v(size, '\0');
  fill_payload(v, id, 0);
  return v;
}

std::int64_t share(std::int64_t total, int n, int i) {
  return total / n + (i < total % n ? 1 : 0);
}

std::string nuid() {
  natsInbox* inbox = nullptr;
  check(natsInbox_Create(&inbox), "inbox");
  std::string s = inbox;  // _INBOX.<nuid>
  natsInbox_Destroy(inbox);
  const auto dot = s.find('.');
  return dot == std::string::npos ? s : s.substr(dot + 1);
}

void run_workers(int n, const std::function<void(int)>& fn) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&fn, &errors, i] {
      try {
        fn(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

progress_bar::progress_bar(bool enabled, std::string label, std::int64_t total, std::function<std::int64_t()> done)
    : enabled_(enabled && isatty(STDERR_FILENO) != 0 && total > 0),
      label_(std::move(label)),
      total_(total),
      done_(std::move(done)) {
  if (!enabled_) return;
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      draw();
      for (int i = 0; i < 20 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
}

progress_bar::~progress_bar() {
  if (!enabled_) return;
  stop_.store(true);
  thread_.join();
  std::fputs("\r\033[K", stderr);  // the summary follows on a clean line
  std::fflush(stderr);
}

void progress_bar::draw() const {
  const std::int64_t done = std::clamp<std::int64_t>(done_(), 0, total_);
  constexpr int width = 30;
  const int filled = static_cast<int>(done * width / total_);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < width) bar += '>';
  bar.resize(width, ' ');
  fmt::print(stderr, "\r\033[K{} [{}] {:3d}%  {}/{}", label_, bar, static_cast<int>(done * 100 / total_),
             human_count(static_cast<std::uint64_t>(done)), human_count(static_cast<std::uint64_t>(total_)));
  std::fflush(stderr);
}

}  // namespace natrium::cli::bench
