// Options, JSON output and time helpers shared by natrium_bench's scenario files.
#pragma once

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "bench_conn.hpp"

namespace bench {

struct Opts {
  std::string host = "127.0.0.1";
  int port = 4222;
  std::string scenario = "pub";
  long long msgs = -1;         // -1: per-scenario default
  long long size = -1;         // -1: 128 for the js-* and kv-* modes, else 16
  int subs = 4;                // queue subscribers
  long long window = 16 << 20; // max bytes in flight publisher -> subscribers (0: unlimited)
  long long warmup = -1;       // reqrep requests not counted (-1: min(1000, msgs/10))
  double timeout = 120;        // whole-run bound, seconds
  double idle = 3;             // no progress after the publisher finished -> messages lost
  long long batch = 64 << 10;  // publisher write size
  long long inflight = 256;    // js-pub-async, kv-put-async, kv-get-pipe: max requests without a reply
  long long pull_batch = 256;  // js-consume-pull: messages per MSG.NEXT request
  double expires = 30;         // js-consume-pull: pull request expiry, seconds
};

// ---- JSON output --------------------------------------------------------
class Json {
 public:
  Json& str(const char* k, const std::string& v) {
    key(k);
    os_ << '"';
    for (char c : v) {
      if (c == '"' || c == '\\') os_ << '\\' << c;
      else if (static_cast<unsigned char>(c) < 0x20) os_ << ' ';
      else os_ << c;
    }
    os_ << '"';
    return *this;
  }
  Json& num(const char* k, double v) {
    key(k);
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    os_ << b;
    return *this;
  }
  Json& integer(const char* k, long long v) {
    key(k);
    os_ << v;
    return *this;
  }
  Json& boolean(const char* k, bool v) {
    key(k);
    os_ << (v ? "true" : "false");
    return *this;
  }
  Json& raw(const char* k, const std::string& v) {
    key(k);
    os_ << v;
    return *this;
  }
  std::string done() { return "{" + os_.str() + "}"; }

 private:
  void key(const char* k) {
    if (!first_) os_ << ',';
    first_ = false;
    os_ << '"' << k << "\":";
  }
  std::ostringstream os_;
  bool first_ = true;
};

inline Clock::time_point after(double s) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

inline double secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// JetStream modes (js_bench.cpp). sync: one publish at a time (js-pub-sync).
void scenario_js_pub(const Opts& o, Json& j, bool sync);
void scenario_js_consume(const Opts& o, Json& j);
// Key-value modes (kv_bench.cpp).
void scenario_kv_put(const Opts& o, Json& j, bool sync);
void scenario_kv_get(const Opts& o, Json& j, bool pipelined);
void scenario_kv_watch(const Opts& o, Json& j);

}  // namespace bench
