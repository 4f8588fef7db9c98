// natrium bench --js: publish --msgs messages into a stream on SUBJECT (file
// storage unless --storage memory), --sync or with --inflight PubAcks
// outstanding, then with --pull consume them with a durable pull consumer
// (--sub M pullers sharing it, batches of --pull-batch, each message acked).
//
// Checks: the PubAcks (bench_jspub.cpp); the stream then holds exactly the
// messages published; the pullers receive each stream sequence once, with
// the payload published under it, and in the end the consumer has nothing
// pending and nothing waiting for an ack. The stream is deleted afterwards
// unless --keep.
#include <algorithm>
#include <chrono>
#include <fmt/format.h>

#include "native/cli/bench_js.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

namespace {

struct pull_state {
  const bench_options& o;
  std::string stream, consumer;
  std::uint64_t base_seq = 0;
  std::int64_t total = 0;
  const std::vector<std::uint64_t>& seq_of;
  std::unique_ptr<std::atomic<bool>[]> seen;  // by stream sequence - base - 1
  std::atomic<std::int64_t> received{0};
  std::int64_t start_ns = 0;
};

struct puller_stats {
  std::int64_t msgs = 0, last_ns = 0;
};

// The stream sequence in a $JS.ACK subject: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>,
// or with a domain and account hash in front of <stream> (12 tokens and more).
std::optional<std::uint64_t> ack_stream_seq(std::string_view reply) {
  std::vector<std::string_view> tok;
  std::size_t from = 0;
  while (from <= reply.size()) {
    const auto dot = reply.find('.', from);
    const auto to = dot == std::string_view::npos ? reply.size() : dot;
    tok.push_back(reply.substr(from, to - from));
    from = to + 1;
  }
  if (tok.size() < 9 || tok[0] != "$JS" || tok[1] != "ACK") return std::nullopt;
  const std::size_t at = tok.size() == 9 ? 5 : 7;
  if (at >= tok.size()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : tok[at]) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

void check_pulled(pull_state& st, int who, natsMsg* m) {
  const char* reply = natsMsg_GetReply(m);
  const auto seq = ack_stream_seq(reply == nullptr ? "" : reply);
  if (!seq) throw cli_error(fmt::format("puller {}: a message without a JetStream ack subject", who));
  if (*seq <= st.base_seq || *seq > st.base_seq + static_cast<std::uint64_t>(st.total)) {
    throw cli_error(fmt::format("puller {}: stream sequence {} was not published by this run", who, *seq));
  }
  if (st.seen[*seq - st.base_seq - 1].exchange(true)) {
    throw cli_error(fmt::format("puller {}: stream sequence {} delivered twice", who, *seq));
  }
  const auto id = payload_id(natsMsg_GetData(m), natsMsg_GetDataLength(m));
  const bool payload_ok =
      natsMsg_GetDataLength(m) == st.o.size &&
      (!id || (*id < st.seq_of.size() && st.seq_of[static_cast<std::size_t>(*id)] == *seq));
  if (!payload_ok) throw cli_error(fmt::format("puller {}: stream sequence {} has a payload that was not published as it", who, *seq));
}

void pull_loop(pull_state& st, const std::string& url, int i, puller_stats& stats) {
  const int who = i + 1;
  client_conn conn(url, fmt::format("natrium bench puller {}", who), st.o.timeout_s, false);
  const std::string inbox = "_INBOX." + nuid();
  natsSubscription* raw = nullptr;
  check(natsConnection_SubscribeSync(&raw, conn.nc(), inbox.c_str()), "subscribe");
  sub_ptr sub(raw);
  check(natsSubscription_SetPendingLimits(raw, -1, -1), "pending limits");
  const std::string next = "$JS.API.CONSUMER.MSG.NEXT." + st.stream + "." + st.consumer;
  constexpr std::int64_t expires_ns = 500'000'000;
  const std::string request = nlohmann::json{{"batch", st.o.pull_batch}, {"expires", expires_ns}}.dump();
  std::int64_t last_progress = now_ns();
  while (st.received.load() < st.total) {
    check(natsConnection_PublishRequest(conn.nc(), next.c_str(), inbox.c_str(), request.data(), static_cast<int>(request.size())),
          "pull request");
    const std::int64_t asked = now_ns();
    for (int got = 0; got < st.o.pull_batch && st.received.load() < st.total;) {
      natsMsg* mraw = nullptr;
      const natsStatus s = natsSubscription_NextMsg(&mraw, sub.get(), 100);
      if (s == NATS_TIMEOUT) {
        if (now_ns() - last_progress > static_cast<std::int64_t>(st.o.timeout_s * 1e9)) {
          throw cli_error(fmt::format("puller {}: nothing for {}s ({} of {} received)", who, st.o.timeout_s,
                                      st.received.load(), st.total));
        }
        if (now_ns() - asked > expires_ns + 200'000'000) break;  // the pull expired: ask again
        continue;
      }
      check(s, fmt::format("puller {}", who));
      nats_msg_ptr m(mraw);
      const char* status = nullptr;
      if (natsMsgHeader_Get(mraw, "Status", &status) == NATS_OK && natsMsg_GetDataLength(mraw) == 0) break;  // 404/408/409
      check_pulled(st, who, mraw);
      check(natsConnection_Publish(conn.nc(), natsMsg_GetReply(mraw), "+ACK", 4), "ack");
      ++got;
      ++stats.msgs;
      stats.last_ns = last_progress = now_ns();
      st.received.fetch_add(1);
    }
  }
  conn.flush(st.o.timeout_s);  // the acks are out
  conn.check_async_errors(fmt::format("puller {}", who));
}

// Acks are processed asynchronously: allow them --timeout to land.
void check_consumer_done(natsConnection* nc, const pull_state& st) {
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(st.o.timeout_s * 1e9);
  for (;;) {
    const auto info = js_api(nc, "CONSUMER.INFO." + st.stream + "." + st.consumer, nullptr, st.o.timeout_s);
    const auto ack_pending = info.value("num_ack_pending", std::int64_t{0});
    const auto pending = info.value("num_pending", std::int64_t{0});
    if (ack_pending == 0 && pending == 0) return;
    if (now_ns() > deadline) {
      throw cli_error(fmt::format("consumer {} still has {} pending and {} awaiting an ack after the run", st.consumer,
                                  pending, ack_pending));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<role_row> run_pull(const bench_options& o, const std::string& url, natsConnection* admin, pull_state& st) {
  const int pullers = o.subs_given ? std::max(1, o.subs) : 1;
  const nlohmann::json cfg = {{"stream_name", st.stream},
                              {"config",
                               {{"durable_name", st.consumer},
                                {"deliver_policy", "all"},
                                {"ack_policy", "explicit"},
                                {"max_ack_pending", std::max(20000, o.pull_batch * pullers * 2)}}}};
  js_api(admin, "CONSUMER.DURABLE.CREATE." + st.stream + "." + st.consumer, cfg, o.timeout_s);
  std::vector<puller_stats> stats(static_cast<std::size_t>(pullers));
  st.start_ns = now_ns();
  {
    progress_bar bar(o.progress, "consuming ", st.total, [&st] { return st.received.load(std::memory_order_relaxed); });
    run_workers(pullers, [&](int i) { pull_loop(st, url, i, stats[static_cast<std::size_t>(i)]); });
  }
  check_consumer_done(admin, st);
  std::vector<role_row> rows;
  std::int64_t end = st.start_ns;
  for (int i = 0; i < pullers; ++i) {
    const auto& s = stats[static_cast<std::size_t>(i)];
    rows.push_back({"pull", i + 1, s.msgs, s.msgs * o.size, s.last_ns > 0 ? s.last_ns - st.start_ns : 0, std::nullopt});
    end = std::max(end, s.last_ns);
  }
  const role_row all = aggregate_row("pull", rows, end - st.start_ns, nullptr);
  if (rows.size() > 1) rows.push_back(all);
  if (all.msgs != st.total) throw cli_error(fmt::format("the pullers received {} of {} messages", all.msgs, st.total));
  return rows;
}

void check_stream_holds(natsConnection* admin, const bench_options& o, std::uint64_t base, std::int64_t total) {
  const auto state = stream_state(admin, o.stream, o.timeout_s);
  const auto msgs = state.value("messages", std::uint64_t{0});
  const auto last = state.value("last_seq", std::uint64_t{0});
  if (msgs != static_cast<std::uint64_t>(total) || last != base + static_cast<std::uint64_t>(total)) {
    throw cli_error(fmt::format("stream {} holds {} messages up to sequence {}; expected {} up to {}", o.stream, msgs, last,
                                total, base + static_cast<std::uint64_t>(total)));
  }
}

}  // namespace

bench_result run_js(const bench_options& o, const std::string& url) {
  client_conn admin(url, "natrium bench admin", o.timeout_s, true);
  const nlohmann::json config = {{"name", o.stream},       {"subjects", {o.subject}}, {"retention", "limits"},
                                 {"storage", o.storage},   {"num_replicas", 1},       {"discard", "old"},
                                 {"max_msgs", -1},         {"max_bytes", -1},         {"max_age", 0},
                                 {"max_msg_size", -1},     {"max_consumers", -1},     {"duplicate_window", 120000000000}};
  const std::uint64_t base = prepare_stream(admin.nc(), o, config, false);
  stream_cleanup cleanup(admin.nc(), o.stream, o.timeout_s, !o.keep);
  js_publish_spec spec;
  spec.stream = o.stream;
  const std::string subject = o.subject;
  spec.subject = [subject](std::uint64_t) { return subject; };
  spec.total = o.msgs;
  spec.base_seq = base;
  spec.role = "pub";
  spec.label = "publishing";
  const js_publish_outcome pub = js_publish(o, url, spec);
  check_stream_holds(admin.nc(), o, base, o.msgs);
  bench_result r;
  r.mode = "js";
  r.server = url;
  r.description = fmt::format("{}, {} msgs of {} into stream {} ({} storage, {}){}", plural(o.pubs, "publisher"),
                              human_count(static_cast<std::uint64_t>(o.msgs)), human_bytes(static_cast<std::uint64_t>(o.size)),
                              o.stream, o.storage, o.sync ? "sync" : fmt::format("{} in flight", o.inflight),
                              o.pull ? ", pull consumer" : "");
  r.rows = pub.rows;
  r.metrics.push_back({"pub_msgs_per_s", "pub msgs/s", true, false, pub.all.msgs_per_s()});
  r.metrics.push_back({"pub_mb_per_s", "pub MB/s", true, false, pub.all.mb_per_s()});
  add_latency_metrics(r, "ack_", pub.all.latency);
  if (o.pull) {
    pull_state st{o, o.stream, o.consumer, base, o.msgs, pub.seq_of, nullptr};
    st.seen = std::make_unique<std::atomic<bool>[]>(static_cast<std::size_t>(o.msgs));
    const auto rows = run_pull(o, url, admin.nc(), st);
    r.rows.insert(r.rows.end(), rows.begin(), rows.end());
    const role_row& all = rows.back();
    r.metrics.push_back({"pull_msgs_per_s", "pull msgs/s", true, false, all.msgs_per_s()});
    r.metrics.push_back({"pull_mb_per_s", "pull MB/s", true, false, all.mb_per_s()});
  }
  return r;
}

}  // namespace natrium::cli::bench
