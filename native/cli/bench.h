#pragma once
// `natrium bench`: what its modes share. A run is one scenario against one
// server URL; it returns a bench_result (a row per client and role plus the
// metrics --compare sets side by side) or throws cli_error when what it
// received does not add up (counts, PubAck sequences, KV values).
//
//   bench_core.cpp    pub/sub and request/reply (--request, --reply)
//   bench_js.cpp      JetStream publish (sync / async window) and --pull consume
//   bench_kv.cpp      KV put and get
//   bench_report.cpp  tables, JSON and CSV, and the --compare medians and ratios
//   bench_util.cpp    connections, payloads, latency percentiles, progress bars
#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace natrium::cli::bench {

enum class bench_mode { pubsub, request, reply, js, kv };

struct bench_options {
  std::string subject;
  bench_mode mode = bench_mode::pubsub;
  int pubs = 1;                 // --pub: publishers, requesters, JS publishers, KV putters/getters
  int subs = 0;                 // --sub: subscribers, repliers (request mode: default 1), pull consumers
  bool subs_given = false;
  std::int64_t msgs = 100000;   // --msgs: messages (requests, keys) in total
  std::int64_t size = 128;      // --size: payload bytes
  double timeout_s = 5;         // global --timeout: connect, requests, idle limit while waiting for messages
  // JetStream and KV
  std::string stream = "benchstream";
  std::string consumer = "natrium-bench";
  std::string bucket = "natrium-bench";
  std::string storage = "file";
  bool sync = false;            // await each PubAck (else a window of --inflight)
  int inflight = 256;
  bool pull = false;
  int pull_batch = 256;
  bool purge = false;           // empty an existing stream before the run
  bool keep = false;            // keep the stream / bucket afterwards
  bool progress = false;        // progress bars on stderr (a terminal only)
};

// Latency percentiles of a set of samples (nearest rank), in microseconds.
struct latency_summary {
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
  std::size_t samples = 0;
};
// nullopt for no samples. Sorts `ns`.
std::optional<latency_summary> summarize(std::vector<std::int64_t>& ns);

// One line of the per-client table: a role ("pub", "sub", "req", "rep",
// "pull", "put", "get"), its client number (0: all clients of the role).
struct role_row {
  std::string role;
  int client = 0;
  std::int64_t msgs = 0;
  std::int64_t bytes = 0;
  std::int64_t elapsed_ns = 0;
  std::optional<latency_summary> latency;
  double msgs_per_s() const;
  double mb_per_s() const;  // 10^6 bytes
};

// A number --compare puts side by side.
struct metric {
  std::string key;    // json/csv key: pub_msgs_per_s, p50_us, ...
  std::string label;  // table label: "pub msgs/s", "ack p50", ...
  bool higher_is_better = true;
  bool is_latency = false;  // microseconds
  double value = 0;
};

struct bench_result {
  std::string mode;         // pubsub, request, reply, js, kv
  std::string description;  // "1 publisher, 1 subscriber, 100,000 msgs of 128 B"
  std::string server;
  std::vector<role_row> rows;
  std::vector<metric> metrics;
};

// Runs one scenario against `url`. `msgs` overrides o.msgs (warm-ups).
bench_result run_bench(const bench_options& o, const std::string& url, std::int64_t msgs);
bench_result run_pubsub(const bench_options& o, const std::string& url);
bench_result run_request(const bench_options& o, const std::string& url);
bench_result run_reply(const bench_options& o, const std::string& url);
bench_result run_js(const bench_options& o, const std::string& url);
bench_result run_kv(const bench_options& o, const std::string& url);

// --- helpers (bench_util.cpp) ---

std::int64_t now_ns();

// A connection of its own per client; records asynchronous errors (a slow
// consumer) so a run can fail on them. Closed and destroyed on destruction.
class client_conn {
 public:
  client_conn(const std::string& url, const std::string& name, double timeout_s, bool send_asap);
  ~client_conn();
  client_conn(const client_conn&) = delete;
  client_conn& operator=(const client_conn&) = delete;
  natsConnection* nc() const noexcept { return nc_; }
  // Throws cli_error if libnats reported an asynchronous error.
  void check_async_errors(std::string_view who) const;
  void flush(double timeout_s);

 private:
  static void on_error(natsConnection* nc, natsSubscription* sub, natsStatus err, void* closure);
  natsConnection* nc_ = nullptr;
  mutable std::mutex mu_;
  std::string async_error_;
};

struct sub_deleter {
  void operator()(natsSubscription* s) const noexcept {
    natsSubscription_Unsubscribe(s);
    natsSubscription_Destroy(s);
  }
};
using sub_ptr = std::unique_ptr<natsSubscription, sub_deleter>;

struct nats_msg_deleter {
  void operator()(natsMsg* m) const noexcept { natsMsg_Destroy(m); }
};
using nats_msg_ptr = std::unique_ptr<natsMsg, nats_msg_deleter>;

// `$JS.API.<api>` with a JSON body on nc; throws cli_error (with the server's
// description) for an error reply, no JetStream, or a timeout.
nlohmann::json js_api(natsConnection* nc, const std::string& api, const nlohmann::json& body, double timeout_s);
// Like js_api, but nullopt when the reply is a 404 (stream/consumer not found).
std::optional<nlohmann::json> js_api_maybe(natsConnection* nc, const std::string& api, const nlohmann::json& body,
                                           double timeout_s);

// Payloads: bytes 0..7 carry `id` (little-endian), bytes 8..15 the send time
// (now_ns) when the payload has room, the rest a pattern derived from id.
void fill_payload(std::string& buf, std::uint64_t id, std::int64_t sent_ns);
std::optional<std::uint64_t> payload_id(const char* data, int len);
std::optional<std::int64_t> payload_sent_ns(const char* data, int len);
// The payload fill_payload writes for id with no time stamp (KV values).
std::string expected_value(std::uint64_t id, std::size_t size);

// The share of `total` client `i` of `n` gets (the first total % n get one more).
std::int64_t share(std::int64_t total, int n, int i);

std::string nuid();

// Workers: runs fn(i) for i in [0, n) on threads; rethrows the first
// exception after all have finished.
void run_workers(int n, const std::function<void(int)>& fn);

// "[=====>    ] 52%  52,000/100,000" on stderr, redrawn 5 times a second
// while alive, and only when enabled (stderr a terminal). `done` is polled.
class progress_bar {
 public:
  progress_bar(bool enabled, std::string label, std::int64_t total, std::function<std::int64_t()> done);
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

 private:
  void draw() const;
  bool enabled_;
  std::string label_;
  std::int64_t total_;
  std::function<std::int64_t()> done_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// "1 publisher", "2 subscribers"
std::string plural(std::int64_t n, const char* word);
// Latency samples kept per client at most; above, every k-th message.
constexpr std::int64_t latency_samples_max = 1'000'000;
std::int64_t sample_every(std::int64_t n);
// The all-clients row of a role: summed counts over `elapsed_ns`, the
// percentiles of all samples (sorts them; none: no latency).
role_row aggregate_row(const std::string& role, const std::vector<role_row>& rows, std::int64_t elapsed_ns,
                       std::vector<std::int64_t>* all_latencies);
// Adds <prefix>p50_us, p90_us, p99_us (lower is better) when l has samples.
void add_latency_metrics(bench_result& r, const std::string& prefix, const std::optional<latency_summary>& l);

// --- output (bench_report.cpp) ---

void print_result_table(const bench_result& r);
nlohmann::json result_json(const bench_result& r);
// CSV: a header line, then one line per row of each result (label: the
// server column, e.g. the URL, or A / B with --compare).
struct csv_run {
  std::string server;
  int run = 1;
  const bench_result* result = nullptr;
};
void write_csv(const std::string& path, const std::vector<csv_run>& runs);

struct compare_runs {
  std::string url_a, url_b;
  std::vector<bench_result> a, b;  // timed runs
};
void print_compare_table(const compare_runs& c);
// One line for a run's progress log: "pub msgs/s 1,234,567, p50 81.0 µs".
std::string headline(const bench_result& r);
nlohmann::json compare_json(const compare_runs& c);

}  // namespace natrium::cli::bench
