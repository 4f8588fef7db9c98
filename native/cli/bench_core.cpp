// natrium bench, core NATS: publishers and subscribers (each on its own
// connection and thread), and request/reply latency (--request, --reply).
//
// Pub/sub checks: every subscriber receives exactly --msgs messages of --size
// bytes; with 8 bytes or more each payload carries (publisher, sequence) and a
// subscriber sees each publisher's messages once, in order; after the
// publishers flushed, a round trip on each subscriber's connection shows no
// message beyond the count. Publishers keep at most a window of messages
// ahead of the slowest subscriber, so the benchmark does not make itself a
// slow consumer. With 16 bytes or more the payload carries the send time:
// subscribers report publish->receive latency.
#include <algorithm>
#include <fmt/format.h>
#include <memory>

#include "native/cli/bench.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

namespace {

constexpr int pub_id_shift = 40;

struct subscriber {
  std::unique_ptr<client_conn> conn;
  sub_ptr sub;
  std::atomic<std::int64_t> received{0};
  std::int64_t last_ns = 0;
  std::vector<std::int64_t> latencies;
};

struct publisher {
  std::unique_ptr<client_conn> conn;
  std::atomic<std::int64_t> sent{0};
  std::int64_t end_ns = 0;
};

struct pubsub_run {
  explicit pubsub_run(const bench_options& opts) : o(opts) {}
  const bench_options& o;
  std::vector<std::unique_ptr<subscriber>> subs;
  std::vector<std::unique_ptr<publisher>> pubs;
  std::atomic<bool> go{false};
  std::atomic<std::int64_t> start_ns{0};  // publishers released; external publishers: the first message
  std::int64_t window_msgs = 0;

  std::int64_t in_flight() const {
    std::int64_t sent = 0;
    for (const auto& p : pubs) sent += p->sent.load(std::memory_order_relaxed);
    std::int64_t slowest = sent;
    for (const auto& s : subs) slowest = std::min(slowest, s->received.load(std::memory_order_relaxed));
    return sent - slowest;
  }
};

void check_message(const pubsub_run& run, int sub_index, natsMsg* m, std::vector<std::uint64_t>& next) {
  const char* data = natsMsg_GetData(m);
  const int len = natsMsg_GetDataLength(m);
  if (len != run.o.size) {
    throw cli_error(fmt::format("subscriber {}: a message of {} bytes, expected {}", sub_index + 1, len, run.o.size));
  }
  if (run.pubs.empty()) return;  // external publishers: counts only
  const auto id = payload_id(data, len);
  if (!id) return;
  const std::uint64_t pub = *id >> pub_id_shift;
  const std::uint64_t seq = *id & ((std::uint64_t{1} << pub_id_shift) - 1);
  if (pub >= next.size()) throw cli_error(fmt::format("subscriber {}: a message from an unknown publisher", sub_index + 1));
  if (seq != next[pub]) {
    throw cli_error(fmt::format("subscriber {}: from publisher {} expected message #{}, got #{} (lost, duplicated or reordered)",
                                sub_index + 1, pub + 1, next[pub] + 1, seq + 1));
  }
  ++next[pub];
}

void subscribe_loop(pubsub_run& run, int i) {
  subscriber& s = *run.subs[static_cast<std::size_t>(i)];
  const std::int64_t expected = run.o.msgs;
  const std::int64_t every = sample_every(expected);
  std::vector<std::uint64_t> next(run.pubs.size(), 0);
  s.latencies.reserve(static_cast<std::size_t>(std::min(expected, latency_samples_max)));
  const auto idle_ms = static_cast<int64_t>(run.o.timeout_s * 1000);
  std::int64_t n = 0;
  while (n < expected) {
    natsMsg* raw = nullptr;
    const natsStatus st = natsSubscription_NextMsg(&raw, s.sub.get(), idle_ms);
    if (st == NATS_TIMEOUT && (n > 0 || !run.pubs.empty())) {
      throw cli_error(fmt::format("subscriber {} received {} of {} messages, then nothing for {}", i + 1, human_count(n),
                                  human_count(expected), human_duration_ns(idle_ms * 1'000'000)));
    }
    if (st == NATS_TIMEOUT) continue;  // waiting for external publishers
    check(st, fmt::format("subscriber {}", i + 1));
    nats_msg_ptr m(raw);
    const std::int64_t t = now_ns();
    check_message(run, i, m.get(), next);
    if (n % every == 0) {
      if (auto sent = payload_sent_ns(natsMsg_GetData(m.get()), natsMsg_GetDataLength(m.get())); sent && !run.pubs.empty()) {
        s.latencies.push_back(t - *sent);
      }
    }
    if (n == 0 && run.pubs.empty()) {
      std::int64_t unset = 0;
      run.start_ns.compare_exchange_strong(unset, t);
    }
    s.last_ns = t;
    s.received.store(++n, std::memory_order_relaxed);
  }
}

void publish_loop(pubsub_run& run, int i) {
  publisher& p = *run.pubs[static_cast<std::size_t>(i)];
  const std::int64_t count = share(run.o.msgs, static_cast<int>(run.pubs.size()), i);
  std::string buf(static_cast<std::size_t>(run.o.size), '\0');
  const std::uint64_t base = static_cast<std::uint64_t>(i) << pub_id_shift;
  while (!run.go.load()) std::this_thread::yield();
  for (std::int64_t n = 0; n < count; ++n) {
    if (n % 256 == 0 && !run.subs.empty()) {
      const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(run.o.timeout_s * 1e9);
      while (run.in_flight() > run.window_msgs) {
        if (now_ns() > deadline) throw cli_error(fmt::format("publisher {}: the subscribers stopped receiving", i + 1));
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    fill_payload(buf, base | static_cast<std::uint64_t>(n), now_ns());
    check(natsConnection_Publish(p.conn->nc(), run.o.subject.c_str(), buf.data(), static_cast<int>(buf.size())),
          fmt::format("publisher {}", i + 1));
    p.sent.store(n + 1, std::memory_order_relaxed);
  }
  p.conn->flush(std::max(run.o.timeout_s, 30.0));
  p.end_ns = now_ns();
}

void connect_pubsub(pubsub_run& run, const std::string& url) {
  for (int i = 0; i < run.o.subs; ++i) {
    auto s = std::make_unique<subscriber>();
    s->conn = std::make_unique<client_conn>(url, fmt::format("natrium bench sub {}", i + 1), run.o.timeout_s, false);
    natsSubscription* raw = nullptr;
    check(natsConnection_SubscribeSync(&raw, s->conn->nc(), run.o.subject.c_str()), "subscribe");
    s->sub.reset(raw);
    check(natsSubscription_SetPendingLimits(raw, -1, -1), "pending limits");
    s->conn->flush(run.o.timeout_s);
    run.subs.push_back(std::move(s));
  }
  for (int i = 0; i < run.o.pubs; ++i) {
    auto p = std::make_unique<publisher>();
    p->conn = std::make_unique<client_conn>(url, fmt::format("natrium bench pub {}", i + 1), run.o.timeout_s, false);
    run.pubs.push_back(std::move(p));
  }
}

// After the publishers flushed: a round trip per subscriber, then nothing may be left.
void check_no_extra(pubsub_run& run) {
  for (std::size_t i = 0; i < run.subs.size(); ++i) {
    subscriber& s = *run.subs[i];
    if (!run.pubs.empty()) s.conn->flush(run.o.timeout_s);
    int pending = 0, bytes = 0;
    check(natsSubscription_GetPending(s.sub.get(), &pending, &bytes), "pending");
    if (pending > 0) throw cli_error(fmt::format("subscriber {} received {} messages more than {}", i + 1, pending, run.o.msgs));
    s.conn->check_async_errors(fmt::format("subscriber {}", i + 1));
  }
  for (std::size_t i = 0; i < run.pubs.size(); ++i) run.pubs[i]->conn->check_async_errors(fmt::format("publisher {}", i + 1));
}

bench_result pubsub_result(pubsub_run& run, const std::string& url) {
  const bench_options& o = run.o;
  const std::int64_t start = run.start_ns.load();
  bench_result r;
  r.mode = "pubsub";
  r.server = url;
  r.description = fmt::format("{}, {}, {} msgs of {} on {}", plural(o.pubs, "publisher"), plural(o.subs, "subscriber"),
                              human_count(static_cast<std::uint64_t>(o.msgs)), human_bytes(static_cast<std::uint64_t>(o.size)),
                              o.subject);
  std::vector<role_row> pub_rows, sub_rows;
  std::int64_t pub_end = start, sub_end = start;
  for (std::size_t i = 0; i < run.pubs.size(); ++i) {
    const auto& p = *run.pubs[i];
    const std::int64_t n = share(o.msgs, o.pubs, static_cast<int>(i));
    pub_rows.push_back({"pub", static_cast<int>(i) + 1, n, n * o.size, p.end_ns - start, std::nullopt});
    pub_end = std::max(pub_end, p.end_ns);
  }
  std::vector<std::int64_t> all_lat;
  for (std::size_t i = 0; i < run.subs.size(); ++i) {
    auto& s = *run.subs[i];
    all_lat.insert(all_lat.end(), s.latencies.begin(), s.latencies.end());
    sub_rows.push_back({"sub", static_cast<int>(i) + 1, o.msgs, o.msgs * o.size, s.last_ns - start, summarize(s.latencies)});
    sub_end = std::max(sub_end, s.last_ns);
  }
  const role_row pub_all = aggregate_row("pub", pub_rows, pub_end - start, nullptr);
  const role_row sub_all = aggregate_row("sub", sub_rows, sub_end - start, &all_lat);
  for (auto* rows : {&pub_rows, &sub_rows}) {
    r.rows.insert(r.rows.end(), rows->begin(), rows->end());
    if (rows->size() > 1) r.rows.push_back(rows == &pub_rows ? pub_all : sub_all);
  }
  if (!pub_rows.empty()) {
    r.metrics.push_back({"pub_msgs_per_s", "pub msgs/s", true, false, pub_all.msgs_per_s()});
    r.metrics.push_back({"pub_mb_per_s", "pub MB/s", true, false, pub_all.mb_per_s()});
  }
  if (!sub_rows.empty()) {
    r.metrics.push_back({"sub_msgs_per_s", "sub msgs/s", true, false, sub_all.msgs_per_s()});
    r.metrics.push_back({"sub_mb_per_s", "sub MB/s", true, false, sub_all.mb_per_s()});
    add_latency_metrics(r, "", sub_all.latency);
  }
  return r;
}

}  // namespace

bench_result run_pubsub(const bench_options& o, const std::string& url) {
  if (o.pubs == 0 && o.subs == 0) throw cli_error("nothing to run: --pub 0 and --sub 0", 2);
  pubsub_run run{o};
  run.window_msgs = std::max<std::int64_t>(1000, (16 << 20) / (o.size + 64));
  connect_pubsub(run, url);
  const std::int64_t total = o.subs > 0 ? o.msgs * o.subs : o.msgs;
  progress_bar bar(o.progress, o.subs > 0 ? "receiving " : "publishing", total, [&run] {
    std::int64_t n = 0;
    if (run.subs.empty()) {
      for (const auto& p : run.pubs) n += p->sent.load(std::memory_order_relaxed);
    } else {
      for (const auto& s : run.subs) n += s->received.load(std::memory_order_relaxed);
    }
    return n;
  });
  const int workers = o.subs + o.pubs;
  std::thread starter([&run] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the workers are waiting
    if (!run.pubs.empty()) run.start_ns.store(now_ns());
    run.go.store(true);
  });
  try {
    run_workers(workers, [&run, &o](int i) {
      if (i < o.subs) {
        subscribe_loop(run, i);
      } else {
        publish_loop(run, i - o.subs);
      }
    });
  } catch (...) {
    starter.join();
    throw;
  }
  starter.join();
  check_no_extra(run);
  return pubsub_result(run, url);
}

}  // namespace natrium::cli::bench
