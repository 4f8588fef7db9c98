// natrium bench SUBJECT: load and latency benchmarks like `nats bench`, and
// --compare URL: the same scenario against two servers, A/B interleaved, with
// medians and ratios (docs/benchmarks.md's method). The modes live in
// bench_core.cpp, bench_reqrep.cpp, bench_js.cpp and bench_kv.cpp; output in
// bench_report.cpp.
#include <unistd.h>

#include <fmt/format.h>

#include "native/cli/bench.h"
#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"

namespace natrium::cli {

namespace {

using bench::bench_mode;
using bench::bench_options;
using bench::bench_result;

struct bench_flags {
  bench_options o;
  std::string size = "128";
  bool request = false, reply = false, js = false, kv = false, no_progress = false;
  std::string csv, compare;
  int rounds = 3;
};

void validate(bench_flags& f) {
  bench_options& o = f.o;
  const int modes = f.request + f.reply + f.js + f.kv;
  if (modes > 1) throw cli_error("choose one of --request, --reply, --js and --kv", 2);
  o.mode = f.request ? bench_mode::request
           : f.reply ? bench_mode::reply
           : f.js    ? bench_mode::js
           : f.kv    ? bench_mode::kv
                     : bench_mode::pubsub;
  const auto size = parse_size(f.size);
  if (!size || *size < 0 || *size > (64 << 20)) throw cli_error("--size: not a size: " + f.size + " (e.g. 128, 1KiB)", 2);
  o.size = *size;
  if (o.msgs < 1) throw cli_error("--msgs must be at least 1", 2);
  if (o.pubs < 0 || o.subs < 0) throw cli_error("--pub and --sub cannot be negative", 2);
  if (o.inflight < 1) throw cli_error("--inflight must be at least 1", 2);
  if (o.pull_batch < 1) throw cli_error("--pull-batch must be at least 1", 2);
  if (o.storage != "file" && o.storage != "memory") throw cli_error("--storage: file or memory", 2);
  if (o.pull && o.mode != bench_mode::js) throw cli_error("--pull needs --js", 2);
  if ((o.sync || o.purge || o.keep) && o.mode != bench_mode::js && o.mode != bench_mode::kv) {
    throw cli_error("--sync, --purge and --keep go with --js or --kv", 2);
  }
  const bool publishes = o.mode != bench_mode::reply && !(o.mode == bench_mode::pubsub && o.pubs == 0);
  if (publishes && o.subject.find_first_of("*>") != std::string::npos) {
    throw cli_error("cannot publish to a wildcard subject: " + o.subject, 2);
  }
  if (!f.compare.empty()) {
    if (f.rounds < 1) throw cli_error("--rounds must be at least 1", 2);
    if (o.mode == bench_mode::reply) throw cli_error("--compare runs whole scenarios; --reply only serves", 2);
    if (o.keep) throw cli_error("--keep cannot be used with --compare (each run deletes what it made)", 2);
    if (o.mode == bench_mode::pubsub && o.pubs == 0) throw cli_error("--compare needs publishers (--pub)", 2);
  }
}

bench_result run_one(const bench_options& o, const std::string& url, std::int64_t msgs) {
  bench_options run = o;
  run.msgs = msgs;
  switch (o.mode) {
    case bench_mode::pubsub: return bench::run_pubsub(run, url);
    case bench_mode::request: return bench::run_request(run, url);
    case bench_mode::reply: return bench::run_reply(run, url);
    case bench_mode::js: return bench::run_js(run, url);
    case bench_mode::kv: return bench::run_kv(run, url);
  }
  throw cli_error("unknown mode");
}

void run_single(const bench_flags& f, context& ctx) {
  const std::string url = ctx.server_urls();
  const bench_result r = run_one(f.o, url, f.o.msgs);
  if (!f.csv.empty()) bench::write_csv(f.csv, {{url, 1, &r}});
  if (ctx.opts.json) {
    print_json(bench::result_json(r));
  } else {
    bench::print_result_table(r);
  }
}

void run_compare(const bench_flags& f, context& ctx) {
  bench::compare_runs c;
  c.url_a = ctx.server_urls();
  c.url_b = f.compare;
  const std::int64_t warmup = std::max<std::int64_t>(1, f.o.msgs / 10);
  for (const auto& [label, url] : {std::pair{"A", c.url_a}, std::pair{"B", c.url_b}}) {
    fmt::print(stderr, "{} warm-up ({} msgs) on {}\n", label, human_count(static_cast<std::uint64_t>(warmup)), url);
    run_one(f.o, url, warmup);
  }
  for (int round = 1; round <= f.rounds; ++round) {
    for (const auto& [label, url, runs] : {std::tuple{"A", c.url_a, &c.a}, std::tuple{"B", c.url_b, &c.b}}) {
      runs->push_back(run_one(f.o, url, f.o.msgs));
      fmt::print(stderr, "{} round {}/{}: {}\n", label, round, f.rounds, bench::headline(runs->back()));
    }
  }
  if (!f.csv.empty()) {
    std::vector<bench::csv_run> rows;
    for (std::size_t i = 0; i < c.a.size(); ++i) {
      rows.push_back({"A", static_cast<int>(i) + 1, &c.a[i]});
      rows.push_back({"B", static_cast<int>(i) + 1, &c.b[i]});
    }
    bench::write_csv(f.csv, rows);
  }
  if (ctx.opts.json) {
    print_json(bench::compare_json(c));
  } else {
    bench::print_compare_table(c);
  }
}

void add_flags(CLI::App* cmd, bench_flags& f) {
  bench_options& o = f.o;
  cmd->add_option("subject", o.subject, "subject to publish and subscribe on (--js: the stream's subject)")->required();
  cmd->add_option("--pub", o.pubs, "publishers (requesters, JetStream publishers, KV clients), each on its own connection")
      ->default_val(1);
  cmd->add_option_function<int>("--sub", [&f](int n) { f.o.subs = n; f.o.subs_given = true; },
                                "subscribers (--request: repliers, default 1; --pull: pullers, default 1)");
  cmd->add_option("--msgs", o.msgs, "messages (requests, keys) in total")->default_val(100000);
  cmd->add_option("--size", f.size, "payload size, e.g. 128, 1KiB")->default_val("128");
  cmd->add_flag("--request", f.request, "request/reply latency: --pub requesters, --sub repliers (0: repliers run elsewhere)");
  cmd->add_flag("--reply", f.reply, "only run --sub repliers, until --msgs requests are answered");
  cmd->add_flag("--js", f.js, "JetStream: publish into a stream on SUBJECT (and --pull consume)");
  cmd->add_flag("--kv", f.kv, "key-value: put --msgs keys into a bucket, then get each");
  cmd->add_option("--storage", o.storage, "JetStream storage: file or memory")->default_val("file");
  cmd->add_flag("--sync", o.sync, "await each PubAck (else --inflight outstanding)");
  cmd->add_option("--inflight", o.inflight, "PubAcks awaited at once when not --sync")->default_val(256);
  cmd->add_flag("--pull", o.pull, "--js: then consume with a durable pull consumer, acking each message");
  cmd->add_option("--pull-batch", o.pull_batch, "messages per pull request")->default_val(256);
  cmd->add_option("--stream", o.stream, "--js: stream name")->default_val("benchstream");
  cmd->add_option("--consumer", o.consumer, "--pull: durable consumer name")->default_val("natrium-bench");
  cmd->add_option("--bucket", o.bucket, "--kv: bucket name")->default_val("natrium-bench");
  cmd->add_flag("--purge", o.purge, "empty an existing stream or bucket first");
  cmd->add_flag("--keep", o.keep, "keep the stream or bucket afterwards (deleted by default)");
  cmd->add_option("--csv", f.csv, "also write the per-client results as CSV to FILE");
  cmd->add_option("--compare", f.compare, "a second server URL: run A (-s) and B alternately, report medians and A/B");
  cmd->add_option("--rounds", f.rounds, "--compare: timed runs per server, after one warm-up each")->default_val(3);
  cmd->add_flag("--no-progress", f.no_progress, "no progress bars (they only show on a terminal anyway)");
}

void add_bench_commands(CLI::App& app, context& ctx) {
  auto flags = std::make_shared<bench_flags>();
  CLI::App* cmd = app.add_subcommand("bench", "benchmark publish/subscribe, request/reply, JetStream and KV");
  add_flags(cmd, *flags);
  cmd->footer(
      "Examples:\n"
      "  natrium bench orders.bench --pub 1 --sub 1 --msgs 1000000 --size 16\n"
      "  natrium bench svc.echo --request --pub 2 --sub 2 --msgs 20000\n"
      "  natrium bench orders.js --js --msgs 100000 --inflight 256 --pull\n"
      "  natrium bench orders.js --js --sync --storage memory --msgs 5000\n"
      "  natrium bench kv --kv --msgs 10000 --size 128\n"
      "  natrium -s nats://127.0.0.1:4222 bench x --pub 1 --sub 1 --msgs 500000 --compare nats://127.0.0.1:4223 --rounds 5\n"
      "Every run checks what it received (counts, order, PubAck sequences, KV values) and exits 1 on a mismatch.\n");
  cmd->callback([flags, &ctx] {
    bench_flags& f = *flags;
    validate(f);
    f.o.timeout_s = ctx.opts.timeout_s;
    f.o.progress = !f.no_progress && isatty(STDERR_FILENO) != 0;
    if (f.compare.empty()) {
      run_single(f, ctx);
    } else {
      run_compare(f, ctx);
    }
  });
}

const command_group registered(90, add_bench_commands);

}  // namespace

}  // namespace natrium::cli
