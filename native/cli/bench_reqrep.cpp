// natrium bench --request / --reply: request/reply latency.
//
// --request: --sub M repliers (default 1; 0: repliers run elsewhere, e.g.
// `natrium bench SUBJECT --reply`) in the queue group "natrium-bench" echo each
// request; --pub N requesters each send their share of --msgs sequential
// requests after a short untimed warm-up. Every reply must echo its request
// byte for byte, and the repliers must have answered every request once.
// --reply alone: M repliers answer until --msgs requests arrived in total.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <memory>

#include "native/cli/bench.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

namespace {

constexpr const char* queue_group = "natrium-bench";

struct replier {
  std::unique_ptr<client_conn> conn;
  sub_ptr sub;
  std::atomic<std::int64_t> answered{0};
  std::atomic<std::int64_t> first_ns{0}, last_ns{0};
  std::atomic<bool> bad_request{false};
};

void on_request(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure) {
  auto* r = static_cast<replier*>(closure);
  nats_msg_ptr m(msg);
  const char* reply = natsMsg_GetReply(msg);
  if (reply == nullptr || *reply == '\0') {
    r->bad_request.store(true);
    return;
  }
  const std::int64_t t = now_ns();
  std::int64_t unset = 0;
  r->first_ns.compare_exchange_strong(unset, t);
  r->last_ns.store(t, std::memory_order_relaxed);
  r->answered.fetch_add(1, std::memory_order_relaxed);
  natsConnection_Publish(nc, reply, natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
}

std::vector<std::unique_ptr<replier>> start_repliers(const bench_options& o, const std::string& url, int n) {
  std::vector<std::unique_ptr<replier>> out;
  for (int i = 0; i < n; ++i) {
    auto r = std::make_unique<replier>();
    r->conn = std::make_unique<client_conn>(url, fmt::format("natrium bench replier {}", i + 1), o.timeout_s, true);
    natsSubscription* raw = nullptr;
    check(natsConnection_QueueSubscribe(&raw, r->conn->nc(), o.subject.c_str(), queue_group, on_request, r.get()),
          "subscribe");
    r->sub.reset(raw);
    check(natsSubscription_SetPendingLimits(raw, -1, -1), "pending limits");
    r->conn->flush(o.timeout_s);
    out.push_back(std::move(r));
  }
  return out;
}

std::int64_t answered_total(const std::vector<std::unique_ptr<replier>>& reps) {
  std::int64_t n = 0;
  for (const auto& r : reps) n += r->answered.load(std::memory_order_relaxed);
  return n;
}

struct requester {
  std::int64_t count = 0, warmup = 0;
  std::atomic<std::int64_t> done{0};
  std::int64_t start_ns = 0, end_ns = 0;
  std::vector<std::int64_t> latencies;
};

void request_one(natsConnection* nc, const bench_options& o, int who, std::string& buf, std::uint64_t id,
                 std::int64_t& latency_ns) {
  const std::int64_t t0 = now_ns();
  fill_payload(buf, id, t0);
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_Request(&raw, nc, o.subject.c_str(), buf.data(), static_cast<int>(buf.size()),
                                              static_cast<int64_t>(std::ceil(o.timeout_s * 1000)));
  latency_ns = now_ns() - t0;
  if (s == NATS_NO_RESPONDERS) throw cli_error(fmt::format("requester {}: no responders on {}", who, o.subject));
  if (s == NATS_TIMEOUT) throw cli_error(fmt::format("requester {}: no reply within {}s", who, o.timeout_s));
  check(s, fmt::format("requester {}", who));
  nats_msg_ptr reply(raw);
  const std::string_view got(natsMsg_GetData(raw), static_cast<std::size_t>(natsMsg_GetDataLength(raw)));
  if (got != buf) throw cli_error(fmt::format("requester {}: a reply that does not echo its request", who));
}

void request_loop(const bench_options& o, const std::string& url, requester& q, int i) {
  client_conn conn(url, fmt::format("natrium bench requester {}", i + 1), o.timeout_s, true);
  std::string buf(static_cast<std::size_t>(o.size), '\0');
  const std::uint64_t base = static_cast<std::uint64_t>(i) << 40;
  std::int64_t lat = 0;
  for (std::int64_t n = 0; n < q.warmup; ++n) request_one(conn.nc(), o, i + 1, buf, base | (1ull << 39) | n, lat);
  const std::int64_t every = sample_every(q.count);
  q.latencies.reserve(static_cast<std::size_t>(std::min(q.count, latency_samples_max)));
  q.start_ns = now_ns();
  for (std::int64_t n = 0; n < q.count; ++n) {
    request_one(conn.nc(), o, i + 1, buf, base | static_cast<std::uint64_t>(n), lat);
    if (n % every == 0) q.latencies.push_back(lat);
    q.done.store(n + 1, std::memory_order_relaxed);
  }
  q.end_ns = now_ns();
  conn.check_async_errors(fmt::format("requester {}", i + 1));
}

void check_repliers(const std::vector<std::unique_ptr<replier>>& reps, std::int64_t expected) {
  for (std::size_t i = 0; i < reps.size(); ++i) {
    if (reps[i]->bad_request.load()) throw cli_error(fmt::format("replier {}: a request without a reply subject", i + 1));
    reps[i]->conn->check_async_errors(fmt::format("replier {}", i + 1));
  }
  if (reps.empty()) return;
  const std::int64_t got = answered_total(reps);
  if (got != expected) {
    throw cli_error(fmt::format("the repliers answered {} requests, expected {}", human_count(static_cast<std::uint64_t>(got)),
                                human_count(static_cast<std::uint64_t>(expected))));
  }
}

bench_result request_result(const bench_options& o, const std::string& url, std::vector<std::unique_ptr<requester>>& reqs,
                            const std::vector<std::unique_ptr<replier>>& reps) {
  bench_result r;
  r.mode = "request";
  r.server = url;
  r.description = fmt::format("{}, {}, {} requests of {} on {}", plural(o.pubs, "requester"),
                              reps.empty() ? std::string("external repliers") : plural(static_cast<std::int64_t>(reps.size()), "replier"),
                              human_count(static_cast<std::uint64_t>(o.msgs)), human_bytes(static_cast<std::uint64_t>(o.size)),
                              o.subject);
  std::vector<role_row> rows;
  std::vector<std::int64_t> all;
  std::int64_t start = INT64_MAX, end = 0;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    requester& q = *reqs[i];
    all.insert(all.end(), q.latencies.begin(), q.latencies.end());
    rows.push_back({"req", static_cast<int>(i) + 1, q.count, q.count * o.size, q.end_ns - q.start_ns, summarize(q.latencies)});
    start = std::min(start, q.start_ns);
    end = std::max(end, q.end_ns);
  }
  const role_row all_row = aggregate_row("req", rows, end - start, &all);
  r.rows = rows;
  if (rows.size() > 1) r.rows.push_back(all_row);
  for (std::size_t i = 0; i < reps.size(); ++i) {
    const std::int64_t n = reps[i]->answered.load();
    r.rows.push_back({"rep", static_cast<int>(i) + 1, n, n * o.size, reps[i]->last_ns.load() - reps[i]->first_ns.load(),
                      std::nullopt});
  }
  r.metrics.push_back({"reqs_per_s", "req/s", true, false, all_row.msgs_per_s()});
  add_latency_metrics(r, "", all_row.latency);
  return r;
}

}  // namespace

bench_result run_request(const bench_options& o, const std::string& url) {
  if (o.pubs < 1) throw cli_error("--request needs at least one requester (--pub)", 2);
  const int n_reps = o.subs_given ? o.subs : 1;
  auto reps = start_repliers(o, url, n_reps);
  std::vector<std::unique_ptr<requester>> reqs;
  std::int64_t warmups = 0;
  for (int i = 0; i < o.pubs; ++i) {
    auto q = std::make_unique<requester>();
    q->count = share(o.msgs, o.pubs, i);
    q->warmup = std::min<std::int64_t>(100, q->count / 10);
    warmups += q->warmup;
    reqs.push_back(std::move(q));
  }
  {
    progress_bar bar(o.progress, "requesting", o.msgs, [&reqs] {
      std::int64_t n = 0;
      for (const auto& q : reqs) n += q->done.load(std::memory_order_relaxed);
      return n;
    });
    run_workers(o.pubs, [&](int i) { request_loop(o, url, *reqs[static_cast<std::size_t>(i)], i); });
  }
  check_repliers(reps, o.msgs + warmups);
  return request_result(o, url, reqs, reps);
}

bench_result run_reply(const bench_options& o, const std::string& url) {
  const int n_reps = o.subs_given ? o.subs : 1;
  if (n_reps < 1) throw cli_error("--reply needs at least one replier (--sub)", 2);
  auto reps = start_repliers(o, url, n_reps);
  {
    progress_bar bar(o.progress, "answering ", o.msgs, [&reps] { return answered_total(reps); });
    while (answered_total(reps) < o.msgs) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& r : reps) r->conn->flush(o.timeout_s);  // the last replies are out
  check_repliers(reps, answered_total(reps));
  bench_result r;
  r.mode = "reply";
  r.server = url;
  r.description = fmt::format("{} answering {} requests on {}", plural(n_reps, "replier"),
                              human_count(static_cast<std::uint64_t>(o.msgs)), o.subject);
  std::vector<role_row> rows;
  std::int64_t start = INT64_MAX, end = 0;
  for (std::size_t i = 0; i < reps.size(); ++i) {
    const std::int64_t n = reps[i]->answered.load();
    const std::int64_t first = reps[i]->first_ns.load(), last = reps[i]->last_ns.load();
    rows.push_back({"rep", static_cast<int>(i) + 1, n, n * o.size, last - first, std::nullopt});
    if (n > 0) {
      start = std::min(start, first);
      end = std::max(end, last);
    }
  }
  const role_row all = aggregate_row("rep", rows, end > start ? end - start : 0, nullptr);
  r.rows = rows;
  if (rows.size() > 1) r.rows.push_back(all);
  r.metrics.push_back({"reqs_per_s", "req/s", true, false, all.msgs_per_s()});
  return r;
}

}  // namespace natrium::cli::bench
