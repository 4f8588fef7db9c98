// natrium_bench: a small, fast NATS load generator (pub, pubsub, queue, reqrep,
// the JetStream modes js-pub-async, js-pub-sync, js-consume-pull in js_bench.cpp, and the
// key-value modes kv-put-sync, kv-put-async, kv-get, kv-get-pipe, kv-watch in kv_bench.cpp).
//
//   natrium_bench --url 127.0.0.1:4222 --scenario pub|pubsub|queue|reqrep|js-pub-async|js-pub-sync|js-consume-pull|
//                                                 kv-put-sync|kv-put-async|kv-get|kv-get-pipe|kv-watch
//                 [--msgs N] [--size B] [--subs K] [--window BYTES]
//                 [--warmup N] [--timeout S] [--idle S] [--batch BYTES]
//                 [--inflight W] [--pull-batch B] [--expires S]
//
// Prints exactly one JSON line on stdout; exit status 0 only if "ok" is true.
// See docs/benchmarks.md for what each scenario measures.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench_cli.hpp"
#include "bench_conn.hpp"

namespace bench {
namespace {

// ---- Publisher ----------------------------------------------------------
// Pre-renders a batch of "PUB subject size\r\n<payload>\r\n" records once;
// per batch only the 8-byte sequence number at the start of each payload is
// patched, so generating load costs far less than the server spends on it.
class Batcher {
 public:
  Batcher(const std::string& subject, size_t size, size_t batch_bytes) : size_(size) {
    std::string prefix = "PUB " + subject + " " + std::to_string(size) + "\r\n";
    off_ = prefix.size();
    rec_ = prefix.size() + size + 2;
    per_ = std::max<size_t>(1, batch_bytes / rec_);
    buf_.resize(per_ * rec_);
    for (size_t i = 0; i < per_; ++i) {
      char* r = buf_.data() + i * rec_;
      std::memcpy(r, prefix.data(), prefix.size());
      std::memset(r + off_, 'x', size);
      r[off_ + size] = '\r';
      r[off_ + size + 1] = '\n';
    }
  }
  size_t per_batch() const { return per_; }
  std::string_view render(uint64_t first, size_t count) {
    if (size_ >= 8)
      for (size_t i = 0; i < count; ++i) {
        uint64_t seq = first + i;
        std::memcpy(buf_.data() + i * rec_ + off_, &seq, 8);
      }
    return {buf_.data(), count * rec_};
  }

 private:
  size_t size_, off_ = 0, rec_ = 0, per_ = 0;
  std::vector<char> buf_;
};

struct PubStats {
  Clock::time_point t0, t_done;
  std::string error;
};

// Publishes n messages; if `received` is set, keeps at most window_msgs in flight.
// Ends with PING/PONG so t_done is when the server has processed every PUB.
void publish(Conn& c, const Opts& o, const std::string& subject, uint64_t n,
             const std::atomic<uint64_t>* received, uint64_t window_msgs,
             const std::atomic<bool>* abort, PubStats& st) {
  Batcher b(subject, static_cast<size_t>(o.size), static_cast<size_t>(o.batch));
  auto deadline = after(o.timeout);
  st.t0 = Clock::now();
  uint64_t sent = 0;
  while (sent < n) {
    if (received && window_msgs > 0) {
      while (sent > received->load(std::memory_order_acquire) + window_msgs) {
        if (abort && abort->load(std::memory_order_relaxed)) return;
        if (Clock::now() > deadline) throw Error("publisher timed out waiting for subscribers");
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    size_t k = static_cast<size_t>(std::min<uint64_t>(b.per_batch(), n - sent));
    c.write_all(b.render(sent, k));
    sent += k;
  }
  c.flush([](const Msg&) {}, static_cast<int>(o.timeout * 1000));
  st.t_done = Clock::now();
}

uint64_t seq_of(const Msg& m) {
  uint64_t s = 0;
  if (m.len >= 8) std::memcpy(&s, m.payload, 8);
  return s;
}

// ---- Scenarios ----------------------------------------------------------
void scenario_pub(const Opts& o, Json& j) {
  Conn c;
  c.open(o.host, o.port, static_cast<int>(o.timeout * 1000));
  PubStats st;
  publish(c, o, "bench.pub", static_cast<uint64_t>(o.msgs), nullptr, 0, nullptr, st);
  double el = secs(st.t_done - st.t0);
  j.num("elapsed_s", el).num("msgs_per_s", o.msgs / el).num("mb_per_s", o.msgs * o.size / el / 1e6);
}

// pubsub (1 subscriber) and queue (K subscribers in one queue group).
void scenario_fanin(const Opts& o, Json& j, bool queue) {
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const int tmo = static_cast<int>(o.timeout * 1000);
  const std::string subject = queue ? "bench.queue" : "bench.pubsub";
  if (o.size < 8) throw Error("--size must be >= 8 (payload carries a sequence number)");
  const size_t k = queue ? static_cast<size_t>(o.subs) : 1;

  std::vector<std::unique_ptr<Conn>> subs;
  for (size_t i = 0; i < k; ++i) {
    subs.push_back(std::make_unique<Conn>());
    subs.back()->open(o.host, o.port, tmo);
    std::string sub = "SUB " + subject + (queue ? " q1 " : " ") + std::to_string(i + 1) + "\r\n";
    subs.back()->write_all(sub);
    subs.back()->flush([](const Msg&) {}, tmo);  // SUB is registered once PONG arrives
  }
  Conn pc;
  pc.open(o.host, o.port, tmo);

  std::vector<uint8_t> seen(n, 0);
  std::vector<uint64_t> per_sub(k, 0), next(k, 0);
  uint64_t unique = 0, dups = 0, out_of_order = 0, bad = 0;
  std::atomic<uint64_t> received{0};
  std::atomic<bool> abort{false}, pub_finished{false};
  size_t cur = 0;
  auto on_msg = [&](const Msg& m) {
    uint64_t s = seq_of(m);
    if (m.len != static_cast<size_t>(o.size) || s >= n) {
      ++bad;
      return;
    }
    ++per_sub[cur];
    if (s < next[cur]) ++out_of_order;  // per-publisher order must hold per subscriber
    next[cur] = s + 1;
    if (seen[s]++) ++dups;
    else ++unique;
  };

  uint64_t wire = static_cast<uint64_t>(o.size) + subject.size() + 24;  // ~ bytes of one MSG
  uint64_t window_msgs = o.window > 0 ? std::max<uint64_t>(64, static_cast<uint64_t>(o.window) / wire) : 0;
  PubStats st;
  std::thread pub([&] {
    try {
      publish(pc, o, subject, n, &received, window_msgs, &abort, st);
    } catch (const std::exception& e) {
      st.error = e.what();
    }
    pub_finished.store(true, std::memory_order_release);
  });

  std::string err;
  Clock::time_point t_end{};
  try {
    std::vector<pollfd> fds(k);
    for (size_t i = 0; i < k; ++i) fds[i] = {subs[i]->fd(), POLLIN, 0};
    auto deadline = after(o.timeout);
    auto last_progress = Clock::now();
    uint64_t last_count = 0;
    while (unique < n) {
      int rc = ::poll(fds.data(), fds.size(), 100);
      if (rc < 0 && errno != EINTR) throw Error(errno_str("poll"));
      for (size_t i = 0; rc > 0 && i < k; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        cur = i;
        subs[i]->read_some();
        subs[i]->drain(on_msg);
      }
      received.store(unique + dups + bad, std::memory_order_release);
      auto now = Clock::now();
      if (unique != last_count) {
        last_count = unique;
        last_progress = now;
      }
      if (pub_finished.load(std::memory_order_acquire)) {
        if (!st.error.empty()) throw Error("publisher: " + st.error);
        if (unique < n && secs(now - last_progress) > o.idle)
          throw Error("lost messages: received " + std::to_string(unique) + " of " + std::to_string(n));
      }
      if (now > deadline) throw Error("timed out: received " + std::to_string(unique) + " of " + std::to_string(n));
    }
    t_end = Clock::now();
    // Tail check (not timed): a PING/PONG per subscriber flushes out duplicates.
    for (size_t i = 0; i < k; ++i) {
      cur = i;
      subs[i]->flush(on_msg, tmo);
    }
  } catch (const std::exception& e) {
    err = e.what();
  }
  abort.store(true);
  pub.join();
  if (err.empty() && !st.error.empty()) err = "publisher: " + st.error;
  if (err.empty() && dups) err = std::to_string(dups) + " duplicate deliveries";
  if (err.empty() && bad) err = std::to_string(bad) + " malformed deliveries";
  if (err.empty() && out_of_order) err = std::to_string(out_of_order) + " out-of-order deliveries";
  j.integer("received", static_cast<long long>(unique)).integer("duplicates", static_cast<long long>(dups));
  if (queue) {
    std::string a = "[";
    for (size_t i = 0; i < k; ++i) a += (i ? "," : "") + std::to_string(per_sub[i]);
    j.raw("per_sub", a + "]");
  }
  if (!err.empty()) throw Error(err);
  double el = secs(t_end - st.t0);
  j.num("elapsed_s", el).num("msgs_per_s", n / el).num("mb_per_s", n * o.size / el / 1e6);
  j.num("pub_msgs_per_s", n / secs(st.t_done - st.t0));
}

void scenario_reqrep(const Opts& o, Json& j) {
  const int tmo = static_cast<int>(o.timeout * 1000);
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const uint64_t warm = o.warmup >= 0 ? static_cast<uint64_t>(o.warmup) : std::min<uint64_t>(1000, n / 10);
  if (o.size < 8) throw Error("--size must be >= 8 (payload carries a sequence number)");

  // Responder: echoes every request payload to its reply subject.
  Conn rc;
  rc.open(o.host, o.port, tmo);
  rc.write_all("SUB bench.req 1\r\n");
  rc.flush([](const Msg&) {}, tmo);
  std::atomic<bool> stop{false};
  std::string rerr;
  std::thread responder([&] {
    std::string out;
    try {
      while (!stop.load(std::memory_order_relaxed)) {
        if (!rc.fill(50)) continue;
        rc.drain([&](const Msg& m) {
          out += "PUB ";
          out += m.reply;
          out += ' ';
          out += std::to_string(m.len);
          out += "\r\n";
          out.append(m.payload, m.len);
          out += "\r\n";
        });
        if (!out.empty()) rc.write_all(out);
        out.clear();
      }
    } catch (const std::exception& e) {
      if (!stop.load()) rerr = e.what();
    }
  });

  std::string err;
  std::vector<double> lat;
  lat.reserve(n);
  Clock::time_point t0{}, t1{};
  try {
    Conn q;
    q.open(o.host, o.port, tmo);
    std::string inbox = "_INBOX.bench" + std::to_string(::getpid());
    q.write_all("SUB " + inbox + ".* 1\r\n");
    q.flush([](const Msg&) {}, tmo);
    std::string payload(static_cast<size_t>(o.size), 'r');
    std::string req;
    auto deadline = after(o.timeout);
    for (uint64_t i = 0; i < warm + n; ++i) {
      if (i == warm) t0 = Clock::now();
      std::memcpy(payload.data(), &i, 8);
      req = "PUB bench.req " + inbox + "." + std::to_string(i) + " " + std::to_string(o.size) + "\r\n";
      req += payload;
      req += "\r\n";
      auto ts = Clock::now();
      q.write_all(req);
      bool got = false;
      while (!got) {
        q.wait_fill(deadline, "reply");
        q.drain([&](const Msg& m) {
          if (m.len != payload.size() || seq_of(m) != i) throw Error("reply does not match request " + std::to_string(i));
          got = true;
        });
        if (!rerr.empty()) throw Error("responder: " + rerr);
      }
      if (i >= warm) lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - ts).count());
    }
    t1 = Clock::now();
  } catch (const std::exception& e) {
    err = e.what();
  }
  stop.store(true);
  responder.join();
  if (err.empty() && !rerr.empty()) err = "responder: " + rerr;
  if (!err.empty()) throw Error(err);
  std::vector<double> v = lat;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    size_t idx = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, idx == 0 ? 0 : idx - 1)];
  };
  double sum = 0;
  for (double x : v) sum += x;
  double el = secs(t1 - t0);
  j.integer("warmup", static_cast<long long>(warm)).num("elapsed_s", el).num("reqs_per_s", n / el);
  j.num("p50_us", pct(0.50)).num("p90_us", pct(0.90)).num("p99_us", pct(0.99));
  j.num("mean_us", sum / static_cast<double>(v.size())).num("max_us", v.back()).num("min_us", v.front());
}

// ---- CLI ------------------------------------------------------------------
[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: natrium_bench --url HOST:PORT --scenario pub|pubsub|queue|reqrep|\n"
               "                     js-pub-async|js-pub-sync|js-consume-pull|\n"
               "                     kv-put-sync|kv-put-async|kv-get|kv-get-pipe|kv-watch\n"
               "         [--msgs N] [--size BYTES] [--subs K] [--window BYTES] [--warmup N]\n"
               "         [--timeout SECONDS] [--idle SECONDS] [--batch BYTES]\n"
               "         [--inflight W] [--pull-batch B] [--expires SECONDS]\n"
               "defaults: pub 2000000 msgs, pubsub 1000000 (200000 if size > 256),\n"
               "          queue 1000000 (4 subs), reqrep 20000; size 16; window 16 MiB\n"
               "          js-pub-async 100000, js-pub-sync 5000, js-consume-pull 100000;\n"
               "          size 128, inflight 256, pull-batch 256, expires 30 s\n"
               "          kv-*: 10000 keys, size 128, inflight 256 (kv-put-async, kv-get-pipe)\n");
  std::exit(code);
}

Opts parse(int argc, char** argv) {
  Opts o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") usage(0);
    if (i + 1 >= argc) usage(2);
    std::string v = argv[++i];
    try {
      if (a == "--url") {
        if (v.rfind("nats://", 0) == 0) v = v.substr(7);
        auto c = v.rfind(':');
        if (c == std::string::npos) usage(2);
        o.host = v.substr(0, c);
        o.port = std::stoi(v.substr(c + 1));
      } else if (a == "--scenario") o.scenario = v;
      else if (a == "--msgs") o.msgs = std::stoll(v);
      else if (a == "--size") o.size = std::stoll(v);
      else if (a == "--subs") o.subs = std::stoi(v);
      else if (a == "--window") o.window = std::stoll(v);
      else if (a == "--warmup") o.warmup = std::stoll(v);
      else if (a == "--timeout") o.timeout = std::stod(v);
      else if (a == "--idle") o.idle = std::stod(v);
      else if (a == "--batch") o.batch = std::stoll(v);
      else if (a == "--inflight") o.inflight = std::stoll(v);
      else if (a == "--pull-batch") o.pull_batch = std::stoll(v);
      else if (a == "--expires") o.expires = std::stod(v);
      else usage(2);
    } catch (const std::logic_error&) {
      usage(2);
    }
  }
  const bool kv = o.scenario.rfind("kv-", 0) == 0;
  const bool js = kv || o.scenario.rfind("js-", 0) == 0;
  if (o.size < 0) o.size = js ? 128 : 16;
  if (o.msgs < 0) {
    if (o.scenario == "js-pub-sync") o.msgs = 5000;
    else if (kv) o.msgs = 10000;
    else if (js) o.msgs = 100000;
    else if (o.scenario == "pub") o.msgs = 2000000;
    else if (o.scenario == "pubsub") o.msgs = o.size > 256 ? 200000 : 1000000;
    else if (o.scenario == "queue") o.msgs = 1000000;
    else o.msgs = 20000;
  }
  if (o.msgs < 1 || o.size < 0 || o.size > (64 << 20) || o.subs < 1 || o.subs > 64 || o.timeout <= 0 ||
      o.batch < 1 || o.inflight < 1 || o.pull_batch < 1 || o.expires <= 0)
    usage(2);
  return o;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  std::signal(SIGPIPE, SIG_IGN);
  Opts o = parse(argc, argv);
  Json j;
  j.str("scenario", o.scenario).str("url", o.host + ":" + std::to_string(o.port));
  j.integer("msgs", o.msgs).integer("size", o.size);
  if (o.scenario == "queue") j.integer("subs", o.subs);

  // Watchdog: whatever happens, emit a JSON line and exit shortly after the timeout.
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lk(mu);
    if (!cv.wait_for(lk, std::chrono::duration<double>(o.timeout + 10), [&] { return finished; })) {
      std::printf("{\"scenario\":\"%s\",\"ok\":false,\"error\":\"watchdog: no result after %.0f s\"}\n",
                  o.scenario.c_str(), o.timeout + 10);
      std::fflush(stdout);
      std::_Exit(3);
    }
  });

  bool ok = true;
  try {
    if (o.scenario == "pub") scenario_pub(o, j);
    else if (o.scenario == "pubsub") scenario_fanin(o, j, false);
    else if (o.scenario == "queue") scenario_fanin(o, j, true);
    else if (o.scenario == "reqrep") scenario_reqrep(o, j);
    else if (o.scenario == "js-pub-async") scenario_js_pub(o, j, false);
    else if (o.scenario == "js-pub-sync") scenario_js_pub(o, j, true);
    else if (o.scenario == "js-consume-pull") scenario_js_consume(o, j);
    else if (o.scenario == "kv-put-sync") scenario_kv_put(o, j, true);
    else if (o.scenario == "kv-put-async") scenario_kv_put(o, j, false);
    else if (o.scenario == "kv-get") scenario_kv_get(o, j, false);
    else if (o.scenario == "kv-get-pipe") scenario_kv_get(o, j, true);
    else if (o.scenario == "kv-watch") scenario_kv_watch(o, j);
    else throw Error("unknown scenario " + o.scenario);
  } catch (const std::exception& e) {
    ok = false;
    j.str("error", e.what());
  }
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  j.num("bench_cpu_s", static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  j.boolean("ok", ok);
  std::printf("%s\n", j.done().c_str());
  std::fflush(stdout);
  {
    std::lock_guard lk(mu);
    finished = true;
  }
  cv.notify_all();
  watchdog.join();
  return ok ? 0 : 1;
}
