// natrium bench: JetStream publishing with every PubAck checked (--js, --kv),
// and the stream set-up and clean-up both modes share.
//
// Async publishing sends each message with a reply subject of its own,
// <inbox>.<n>, on the publisher's connection and keeps at most --inflight
// messages without a PubAck; the PubAcks arrive on a subscription to
// <inbox>.* (libnats' delivery thread). Latency is publish -> PubAck.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fmt/format.h>

#include "native/cli/bench_js.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

stream_cleanup::~stream_cleanup() {
  if (!armed_) return;
  try {
    js_api(nc_, "STREAM.DELETE." + stream_, nullptr, timeout_s_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "natrium: could not delete stream %s: %s\n", stream_.c_str(), e.what());
  }
}

nlohmann::json stream_state(natsConnection* nc, const std::string& stream, double timeout_s) {
  return js_api(nc, "STREAM.INFO." + stream, nullptr, timeout_s).value("state", nlohmann::json::object());
}

std::uint64_t prepare_stream(natsConnection* nc, const bench_options& o, const nlohmann::json& config,
                             bool reuse_existing) {
  const std::string name = config.at("name").get<std::string>();
  auto info = js_api_maybe(nc, "STREAM.INFO." + name, nullptr, o.timeout_s);
  if (!info) {
    const auto created = js_api(nc, "STREAM.CREATE." + name, config, o.timeout_s);
    return created.value("state", nlohmann::json::object()).value("last_seq", std::uint64_t{0});
  }
  if (o.purge) {
    js_api(nc, "STREAM.PURGE." + name, nullptr, o.timeout_s);
  } else if (!reuse_existing) {
    const auto msgs = (*info).value("state", nlohmann::json::object()).value("messages", std::uint64_t{0});
    throw cli_error(fmt::format("stream {} already exists ({} messages): --purge empties it first, --stream picks another",
                                name, human_count(msgs)));
  }
  return stream_state(nc, name, o.timeout_s).value("last_seq", std::uint64_t{0});
}

std::uint64_t parse_puback(const char* data, int len, const std::string& stream, std::string_view who) {
  const auto j = nlohmann::json::parse(data, data + len, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw cli_error(fmt::format("{}: a PubAck that is not JSON", who));
  if (j.contains("error")) {
    throw cli_error(fmt::format("{}: publish failed: {}", who, j["error"].value("description", std::string("error"))));
  }
  if (j.value("stream", std::string()) != stream) {
    throw cli_error(fmt::format("{}: a PubAck from stream '{}', expected {}", who, j.value("stream", std::string()), stream));
  }
  const auto seq = j.value("seq", std::uint64_t{0});
  if (seq == 0) throw cli_error(fmt::format("{}: a PubAck without a sequence", who));
  return seq;
}

namespace {

// One publisher's messages [offset, offset + count) and their PubAcks.
struct js_publisher {
  const bench_options* o = nullptr;
  const js_publish_spec* spec = nullptr;
  std::vector<std::uint64_t>* seq_of = nullptr;
  int index = 0;
  std::int64_t offset = 0, count = 0;
  std::unique_ptr<std::atomic<std::int64_t>[]> sent_ns;
  std::vector<std::int64_t> latencies;  // per message, -1 until its PubAck
  std::string inbox;                    // "<inbox>." ; reply subjects <inbox>.<n>
  std::mutex mu;
  std::condition_variable cv;
  std::int64_t acked = 0;  // under mu
  std::string error;       // under mu
  std::atomic<std::int64_t> done{0};
  std::int64_t start_ns = 0, end_ns = 0;

  std::string who() const { return fmt::format("{} {}", spec->role == "put" ? "putter" : "publisher", index + 1); }
};

void record_ack(js_publisher& p, std::int64_t n, std::uint64_t seq, std::int64_t latency_ns) {
  auto& lat = p.latencies[static_cast<std::size_t>(n)];
  if (lat >= 0) throw cli_error(fmt::format("{}: a second PubAck for message {}", p.who(), n + 1));
  lat = latency_ns;
  (*p.seq_of)[static_cast<std::size_t>(p.offset + n)] = seq;
}

void on_puback(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto& p = *static_cast<js_publisher*>(closure);
  nats_msg_ptr m(msg);
  const std::int64_t t = now_ns();
  std::lock_guard lock(p.mu);
  try {
    const std::string_view subject = natsMsg_GetSubject(msg);
    const auto dot = subject.rfind('.');
    const std::int64_t n = std::stoll(std::string(subject.substr(dot + 1)));
    if (n < 0 || n >= p.count) throw cli_error(fmt::format("{}: a PubAck for an unknown message", p.who()));
    const std::uint64_t seq = parse_puback(natsMsg_GetData(msg), natsMsg_GetDataLength(msg), p.spec->stream, p.who());
    record_ack(p, n, seq, t - p.sent_ns[static_cast<std::size_t>(n)].load(std::memory_order_relaxed));
    ++p.acked;
    p.done.store(p.acked, std::memory_order_relaxed);
  } catch (const std::exception& e) {
    if (p.error.empty()) p.error = e.what();
  }
  p.cv.notify_one();
}

// Waits under `lock` until pred() or an error; fails when no PubAck arrives for --timeout.
template <class Pred>
void wait_acks(js_publisher& p, std::unique_lock<std::mutex>& lock, Pred pred) {
  const auto idle = std::chrono::duration<double>(p.o->timeout_s);
  while (!pred() && p.error.empty()) {
    const std::int64_t before = p.acked;
    if (!p.cv.wait_for(lock, idle, [&] { return pred() || !p.error.empty() || p.acked != before; })) {
      throw cli_error(fmt::format("{}: no PubAck for {} ({} of {} acknowledged)", p.who(), human_duration_ns(
                                      static_cast<std::int64_t>(p.o->timeout_s * 1e9)), p.acked, p.count));
    }
  }
  if (!p.error.empty()) throw cli_error(p.error);
}

void publish_async(js_publisher& p, client_conn& conn) {
  const bench_options& o = *p.o;
  natsSubscription* raw = nullptr;
  check(natsConnection_Subscribe(&raw, conn.nc(), (p.inbox + "*").c_str(), on_puback, &p), "subscribe");
  sub_ptr sub(raw);
  check(natsSubscription_SetPendingLimits(raw, -1, -1), "pending limits");
  conn.flush(o.timeout_s);
  p.start_ns = now_ns();
  for (std::int64_t n = 0; n < p.count; ++n) {
    {
      std::unique_lock lock(p.mu);
      wait_acks(p, lock, [&] { return n - p.acked < o.inflight; });
    }
    const auto k = static_cast<std::uint64_t>(p.offset + n);
    const std::string value = expected_value(k, static_cast<std::size_t>(o.size));
    const std::string reply = p.inbox + std::to_string(n);
    p.sent_ns[static_cast<std::size_t>(n)].store(now_ns(), std::memory_order_relaxed);
    check(natsConnection_PublishRequest(conn.nc(), p.spec->subject(k).c_str(), reply.c_str(), value.data(),
                                        static_cast<int>(value.size())),
          p.who());
  }
  std::unique_lock lock(p.mu);
  wait_acks(p, lock, [&] { return p.acked == p.count; });
  p.end_ns = now_ns();
}

void publish_sync(js_publisher& p, client_conn& conn) {
  const bench_options& o = *p.o;
  const auto timeout_ms = static_cast<int64_t>(std::ceil(o.timeout_s * 1000));
  p.start_ns = now_ns();
  for (std::int64_t n = 0; n < p.count; ++n) {
    const auto k = static_cast<std::uint64_t>(p.offset + n);
    const std::string value = expected_value(k, static_cast<std::size_t>(o.size));
    natsMsg* raw = nullptr;
    const std::int64_t t0 = now_ns();
    const natsStatus s = natsConnection_Request(&raw, conn.nc(), p.spec->subject(k).c_str(), value.data(),
                                                static_cast<int>(value.size()), timeout_ms);
    const std::int64_t t1 = now_ns();
    if (s == NATS_NO_RESPONDERS) throw cli_error(fmt::format("{}: no stream takes {}", p.who(), p.spec->subject(k)));
    if (s == NATS_TIMEOUT) throw cli_error(fmt::format("{}: no PubAck within {}s", p.who(), o.timeout_s));
    check(s, p.who());
    nats_msg_ptr m(raw);
    record_ack(p, n, parse_puback(natsMsg_GetData(raw), natsMsg_GetDataLength(raw), p.spec->stream, p.who()), t1 - t0);
    p.done.store(n + 1, std::memory_order_relaxed);
  }
  p.end_ns = now_ns();
}

void publisher_main(js_publisher& p, const std::string& url) {
  client_conn conn(url, "natrium bench " + p.who(), p.o->timeout_s, p.o->sync);
  if (p.o->sync) {
    publish_sync(p, conn);
  } else {
    publish_async(p, conn);
  }
  conn.check_async_errors(p.who());
}

// PubAcks cover base+1 .. base+total exactly once and increase per publisher.
void check_sequences(const js_publish_spec& spec, const std::vector<std::unique_ptr<js_publisher>>& pubs,
                     const std::vector<std::uint64_t>& seq_of) {
  std::vector<bool> seen(static_cast<std::size_t>(spec.total), false);
  for (const auto& p : pubs) {
    std::uint64_t prev = 0;
    for (std::int64_t n = 0; n < p->count; ++n) {
      const std::uint64_t seq = seq_of[static_cast<std::size_t>(p->offset + n)];
      if (seq <= spec.base_seq || seq > spec.base_seq + static_cast<std::uint64_t>(spec.total)) {
        throw cli_error(fmt::format("{}: PubAck sequence {} outside {}..{}", p->who(), seq, spec.base_seq + 1,
                                    spec.base_seq + static_cast<std::uint64_t>(spec.total)));
      }
      if (seq <= prev) throw cli_error(fmt::format("{}: PubAck sequence {} after {}", p->who(), seq, prev));
      const auto slot = static_cast<std::size_t>(seq - spec.base_seq - 1);
      if (seen[slot]) throw cli_error(fmt::format("PubAck sequence {} given to two messages", seq));
      seen[slot] = true;
      prev = seq;
    }
  }
}

}  // namespace

js_publish_outcome js_publish(const bench_options& o, const std::string& url, const js_publish_spec& spec) {
  js_publish_outcome out;
  out.seq_of.assign(static_cast<std::size_t>(spec.total), 0);
  std::vector<std::unique_ptr<js_publisher>> pubs;
  std::int64_t offset = 0;
  const std::string inbox = "_INBOX." + nuid() + ".";
  for (int i = 0; i < o.pubs; ++i) {
    auto p = std::make_unique<js_publisher>();
    p->o = &o;
    p->spec = &spec;
    p->seq_of = &out.seq_of;
    p->index = i;
    p->offset = offset;
    p->count = share(spec.total, o.pubs, i);
    p->sent_ns = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(p->count));
    p->latencies.assign(static_cast<std::size_t>(p->count), -1);
    p->inbox = fmt::format("{}{}.", inbox, i);
    offset += p->count;
    pubs.push_back(std::move(p));
  }
  {
    progress_bar bar(o.progress, spec.label, spec.total, [&pubs] {
      std::int64_t n = 0;
      for (const auto& p : pubs) n += p->done.load(std::memory_order_relaxed);
      return n;
    });
    run_workers(o.pubs, [&](int i) { publisher_main(*pubs[static_cast<std::size_t>(i)], url); });
  }
  check_sequences(spec, pubs, out.seq_of);
  std::vector<std::int64_t> all;
  std::int64_t start = INT64_MAX, end = 0;
  for (auto& p : pubs) {
    all.insert(all.end(), p->latencies.begin(), p->latencies.end());
    out.rows.push_back({spec.role, p->index + 1, p->count, p->count * o.size, p->end_ns - p->start_ns, summarize(p->latencies)});
    start = std::min(start, p->start_ns);
    end = std::max(end, p->end_ns);
  }
  out.all = aggregate_row(spec.role, out.rows, end - start, &all);
  if (out.rows.size() > 1) out.rows.push_back(out.all);
  return out;
}

}  // namespace natrium::cli::bench
