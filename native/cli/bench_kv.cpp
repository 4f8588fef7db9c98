// natrium bench --kv: a KV bucket (--bucket, made on the fly with the
// clients' config: stream KV_<bucket>, history 1, direct get), --msgs keys of
// --size bytes put by --pub putters (--sync, or --inflight puts without a
// PubAck), then each key read once with a direct get by --pub getters.
//
// Checks: the PubAcks (bench_jspub.cpp); every get returns the value put
// under the key, with the stream sequence its PubAck named. The bucket is
// deleted afterwards unless --keep.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "native/cli/bench_js.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

namespace {

struct getter {
  std::int64_t offset = 0, count = 0;
  std::atomic<std::int64_t> done{0};
  std::int64_t start_ns = 0, end_ns = 0;
  std::vector<std::int64_t> latencies;
};

std::string key_subject(const std::string& bucket, std::uint64_t k) { return fmt::format("$KV.{}.k{}", bucket, k); }

void check_get(natsMsg* m, const bench_options& o, std::uint64_t k, std::uint64_t want_seq, int who) {
  const char* status = nullptr;
  if (natsMsgHeader_Get(m, "Status", &status) == NATS_OK) {
    throw cli_error(fmt::format("getter {}: key k{} not found (status {})", who, k, status));
  }
  const std::string_view got(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
  if (got != expected_value(k, static_cast<std::size_t>(o.size))) {
    throw cli_error(fmt::format("getter {}: key k{} has a value that was not put under it", who, k));
  }
  const char* seq = nullptr;
  if (natsMsgHeader_Get(m, "Nats-Sequence", &seq) != NATS_OK || seq == nullptr || std::to_string(want_seq) != seq) {
    throw cli_error(fmt::format("getter {}: key k{} comes with sequence {}, its PubAck said {}", who, k,
                                seq == nullptr ? "none" : seq, want_seq));
  }
}

void get_loop(const bench_options& o, const std::string& url, const std::vector<std::uint64_t>& seq_of, getter& g, int i) {
  client_conn conn(url, fmt::format("natrium bench getter {}", i + 1), o.timeout_s, true);
  const auto timeout_ms = static_cast<int64_t>(std::ceil(o.timeout_s * 1000));
  const std::string prefix = "$JS.API.DIRECT.GET.KV_" + o.bucket + ".";
  g.latencies.reserve(static_cast<std::size_t>(g.count));
  g.start_ns = now_ns();
  for (std::int64_t n = 0; n < g.count; ++n) {
    const auto k = static_cast<std::uint64_t>(g.offset + n);
    const std::string subject = prefix + key_subject(o.bucket, k);
    natsMsg* raw = nullptr;
    const std::int64_t t0 = now_ns();
    const natsStatus s = natsConnection_Request(&raw, conn.nc(), subject.c_str(), nullptr, 0, timeout_ms);
    g.latencies.push_back(now_ns() - t0);
    if (s == NATS_NO_RESPONDERS) throw cli_error("direct get: no responders (is allow_direct on?)");
    if (s == NATS_TIMEOUT) throw cli_error(fmt::format("getter {}: no reply within {}s", i + 1, o.timeout_s));
    check(s, fmt::format("getter {}", i + 1));
    nats_msg_ptr m(raw);
    check_get(raw, o, k, seq_of[static_cast<std::size_t>(k)], i + 1);
    g.done.store(n + 1, std::memory_order_relaxed);
  }
  g.end_ns = now_ns();
}

std::vector<role_row> run_gets(const bench_options& o, const std::string& url, const std::vector<std::uint64_t>& seq_of,
                               role_row& all) {
  std::vector<std::unique_ptr<getter>> gets;
  std::int64_t offset = 0;
  for (int i = 0; i < o.pubs; ++i) {
    auto g = std::make_unique<getter>();
    g->offset = offset;
    g->count = share(o.msgs, o.pubs, i);
    offset += g->count;
    gets.push_back(std::move(g));
  }
  {
    progress_bar bar(o.progress, "getting   ", o.msgs, [&gets] {
      std::int64_t n = 0;
      for (const auto& g : gets) n += g->done.load(std::memory_order_relaxed);
      return n;
    });
    run_workers(o.pubs, [&](int i) { get_loop(o, url, seq_of, *gets[static_cast<std::size_t>(i)], i); });
  }
  std::vector<role_row> rows;
  std::vector<std::int64_t> lat;
  std::int64_t start = INT64_MAX, end = 0;
  for (std::size_t i = 0; i < gets.size(); ++i) {
    getter& g = *gets[i];
    lat.insert(lat.end(), g.latencies.begin(), g.latencies.end());
    rows.push_back({"get", static_cast<int>(i) + 1, g.count, g.count * o.size, g.end_ns - g.start_ns, summarize(g.latencies)});
    start = std::min(start, g.start_ns);
    end = std::max(end, g.end_ns);
  }
  all = aggregate_row("get", rows, end - start, &lat);
  if (rows.size() > 1) rows.push_back(all);
  return rows;
}

}  // namespace

bench_result run_kv(const bench_options& o, const std::string& url) {
  if (o.pubs < 1) throw cli_error("--kv needs at least one client (--pub)", 2);
  client_conn admin(url, "natrium bench admin", o.timeout_s, true);
  const std::string stream = "KV_" + o.bucket;
  const nlohmann::json config = {
      {"name", stream},         {"subjects", {"$KV." + o.bucket + ".>"}}, {"retention", "limits"},
      {"max_consumers", -1},    {"max_msgs_per_subject", 1},              {"max_msgs", -1},
      {"max_bytes", -1},        {"max_age", 0},                           {"max_msg_size", -1},
      {"storage", o.storage},   {"discard", "new"},                       {"num_replicas", 1},
      {"duplicate_window", 120000000000},                                 {"allow_rollup_hdrs", true},
      {"deny_delete", true},    {"deny_purge", false},                    {"allow_direct", true},
      {"mirror_direct", false}};
  const std::uint64_t base = prepare_stream(admin.nc(), o, config, true);
  stream_cleanup cleanup(admin.nc(), stream, o.timeout_s, !o.keep);
  js_publish_spec spec;
  spec.stream = stream;
  const std::string bucket = o.bucket;
  spec.subject = [bucket](std::uint64_t k) { return key_subject(bucket, k); };
  spec.total = o.msgs;
  spec.base_seq = base;
  spec.role = "put";
  spec.label = "putting   ";
  const js_publish_outcome puts = js_publish(o, url, spec);
  role_row get_all;
  const auto get_rows = run_gets(o, url, puts.seq_of, get_all);
  bench_result r;
  r.mode = "kv";
  r.server = url;
  r.description = fmt::format("{}, {} keys of {} in bucket {} ({} storage, puts {})", plural(o.pubs, "client"),
                              human_count(static_cast<std::uint64_t>(o.msgs)), human_bytes(static_cast<std::uint64_t>(o.size)),
                              o.bucket, o.storage, o.sync ? "sync" : fmt::format("{} in flight", o.inflight));
  r.rows = puts.rows;
  r.rows.insert(r.rows.end(), get_rows.begin(), get_rows.end());
  r.metrics.push_back({"puts_per_s", "puts/s", true, false, puts.all.msgs_per_s()});
  add_latency_metrics(r, "put_", puts.all.latency);
  r.metrics.push_back({"gets_per_s", "gets/s", true, false, get_all.msgs_per_s()});
  add_latency_metrics(r, "get_", get_all.latency);
  return r;
}

}  // namespace natrium::cli::bench
