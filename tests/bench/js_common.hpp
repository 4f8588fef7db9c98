// JetStream helpers shared by js_bench.cpp and kv_bench.cpp: tiny JSON readers for
// the servers' replies, a client connection with inbox subscriptions and
// request/reply, stream create/delete, and the PubAck-checking publisher.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bench_cli.hpp"
#include "bench_conn.hpp"

namespace bench::js {

constexpr size_t npos = std::string_view::npos;

// ---- Tiny readers for the servers' JSON (Go encoding/json: no spaces) ----
// Position just after `"key":` at or after `from`, or npos.
inline size_t json_at(std::string_view j, std::string_view key, size_t from = 0) {
  std::string pat = "\"" + std::string(key) + "\":";
  size_t p = j.find(pat, from);
  if (p == npos) return npos;
  p += pat.size();
  while (p < j.size() && j[p] == ' ') ++p;
  return p;
}

inline bool json_int(std::string_view j, std::string_view key, long long& out, size_t from = 0) {
  size_t p = json_at(j, key, from);
  if (p == npos || p >= j.size()) return false;
  bool neg = j[p] == '-';
  if (neg) ++p;
  if (p >= j.size() || j[p] < '0' || j[p] > '9') return false;
  long long v = 0;
  for (; p < j.size() && j[p] >= '0' && j[p] <= '9'; ++p) v = v * 10 + (j[p] - '0');
  out = neg ? -v : v;
  return true;
}

inline bool json_str(std::string_view j, std::string_view key, std::string_view want) {
  size_t p = json_at(j, key);
  return p != npos && j.substr(p, want.size() + 2) == "\"" + std::string(want) + "\"";
}

// The string value of "key" (no escapes expected), or "" if absent.
inline std::string json_get_str(std::string_view j, std::string_view key) {
  size_t p = json_at(j, key);
  if (p == npos || p >= j.size() || j[p] != '"') return "";
  size_t e = j.find('"', p + 1);
  return e == npos ? "" : std::string(j.substr(p + 1, e - p - 1));
}

// The status code of a header-only status message ("NATS/1.0 503"), else 0.
inline int status_of(const Msg& m) {
  std::string_view h = m.headers;
  if (h.size() < 12 || h.substr(0, 9) != "NATS/1.0 ") return 0;
  int s = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (h[i] < '0' || h[i] > '9') return 0;
    s = s * 10 + (h[i] - '0');
  }
  return s;
}

// The value of header `name` (exact case) in a NATS/1.0 header block; false if absent.
inline bool header_value(std::string_view h, std::string_view name, std::string_view& out) {
  size_t p = h.find("\r\n");
  while (p != npos && p + 2 < h.size()) {
    p += 2;
    size_t e = h.find("\r\n", p);
    std::string_view line = h.substr(p, e == npos ? npos : e - p);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':') {
      out = line.substr(name.size() + 1);
      while (!out.empty() && out.front() == ' ') out.remove_prefix(1);
      return true;
    }
    p = e;
  }
  return false;
}

inline std::string clip(std::string_view s) { return std::string(s.substr(0, 300)); }

inline uint64_t to_u64(std::string_view s, const char* what) {
  if (s.empty() || s.size() > 19) throw Error(std::string("bad ") + what + ": " + std::string(s));
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw Error(std::string("bad ") + what + ": " + std::string(s));
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Splits a $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending> reply
// subject into its 9 tokens; returns the token count (9 if well formed).
inline size_t ack_tokens(std::string_view reply, std::string_view (&tok)[10]) {
  size_t nt = 0;
  for (size_t p = 0; nt < 10;) {
    size_t d = reply.find('.', p);
    tok[nt++] = reply.substr(p, d == npos ? npos : d - p);
    if (d == npos) break;
    p = d + 1;
  }
  return nt;
}

inline double pct(const std::vector<double>& v, double p) {
  size_t idx = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, idx == 0 ? 0 : idx - 1)];
}

// Sorts v and writes p50/p90/p99/mean/max (µs) into j.
inline void latency_json(std::vector<double>& v, Json& j) {
  if (v.empty()) throw Error("no latency samples");
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  j.num("p50_us", pct(v, 0.50)).num("p90_us", pct(v, 0.90)).num("p99_us", pct(v, 0.99));
  j.num("mean_us", sum / static_cast<double>(v.size())).num("max_us", v.back());
}

// ---- One client connection with two inbox subscriptions -------------------
// sid 1 "<inbox>.*": API replies (<inbox>.r<k>) and PubAcks (<inbox>.<i>).
// sid 2 "<inbox>P.*": pull deliveries and their status messages.
class JsConn {
 public:
  using OnOther = std::function<void(const Msg&)>;

  explicit JsConn(const Opts& o) : tmo_ms_(static_cast<int>(o.timeout * 1000)) {
    c_.open(o.host, o.port, tmo_ms_);
    inbox_ = "_INBOX.nb" + std::to_string(::getpid()) + "x" +
             std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
    c_.write_all("SUB " + inbox_ + ".* 1\r\nSUB " + inbox_ + "P.* 2\r\n");
    c_.flush([](const Msg&) { throw Error("unexpected MSG before any request"); }, tmo_ms_);
  }
  Conn& conn() { return c_; }
  const std::string& inbox() const { return inbox_; }
  std::string pull_inbox() const { return inbox_ + "P"; }
  int timeout_ms() const { return tmo_ms_; }

  // Request/reply on this connection; returns the reply body. Retries while
  // JetStream has no responder yet (503), for up to 5 s after server start.
  // Messages other than the reply go to on_other (an error if it is empty).
  std::string request(const std::string& subject, const std::string& body, const OnOther& on_other = nullptr) {
    auto give_up = after(5);
    for (;;) {
      std::string reply = inbox_ + ".r" + std::to_string(next_req_++);
      c_.write_all("PUB " + subject + " " + reply + " " + std::to_string(body.size()) + "\r\n" + body + "\r\n");
      auto deadline = after(tmo_ms_ / 1000.0);
      bool got = false;
      int status = 0;
      std::string out;
      auto on_msg = [&](const Msg& m) {
        if (m.sid != "1" || m.subject != reply) {
          if (on_other) return on_other(m);
          throw Error("unexpected message on " + std::string(m.subject));
        }
        got = true;
        status = status_of(m);
        out.assign(m.payload, m.len);
      };
      c_.drain(on_msg);
      while (!got) {
        c_.wait_fill(deadline, ("reply to " + subject).c_str());
        c_.drain(on_msg);
      }
      if (status == 503 && Clock::now() < give_up) {
        ::usleep(50000);
        continue;
      }
      if (status != 0) throw Error(subject + ": status " + std::to_string(status) + " reply");
      return out;
    }
  }

  // request() that must not answer with {"error":...}.
  std::string api(const std::string& subject, const std::string& body, const OnOther& on_other = nullptr) {
    std::string r = request(subject, body, on_other);
    if (json_at(r, "error") != npos) throw Error(subject + " failed: " + clip(r));
    return r;
  }

 private:
  Conn c_;
  int tmo_ms_;
  std::string inbox_;
  uint64_t next_req_ = 0;
};

inline std::string fresh_name(const char* prefix, const char* tag) {
  return std::string(prefix) + tag + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
}

// Deletes `name` if present (not-found is fine), then creates it with `cfg` (JSON), which
// must give file storage. Returns the create reply.
inline std::string create_stream_cfg(JsConn& js, const std::string& name, const std::string& cfg) {
  std::string d = js.request("$JS.API.STREAM.DELETE." + name, "");
  if (json_at(d, "error") != npos && d.find("10059") == npos) throw Error("stream delete failed: " + clip(d));
  std::string r = js.api("$JS.API.STREAM.CREATE." + name, cfg);
  if (!json_str(r, "storage", "file")) throw Error("stream create reply is not a file stream: " + clip(r));
  return r;
}

inline void delete_stream(JsConn& js, const std::string& name) { js.api("$JS.API.STREAM.DELETE." + name, ""); }

// Checks STREAM.INFO: exactly n messages, last seq n.
inline void expect_stream_msgs(JsConn& js, const std::string& name, uint64_t n) {
  std::string info = js.api("$JS.API.STREAM.INFO." + name, "");
  long long msgs = -1, last = -1;
  if (!json_int(info, "messages", msgs) || !json_int(info, "last_seq", last) || msgs != static_cast<long long>(n) ||
      last != static_cast<long long>(n))
    throw Error("stream info after publishing: " + clip(info));
}

// ---- Publishing with PubAcks ------------------------------------------------
// Message i carries o.size bytes: its index i in the first 8 bytes, then 'j's.
inline void fill_payload(std::string& p, uint64_t i) {
  if (p.size() >= 8) std::memcpy(p.data(), &i, 8);
}
inline bool payload_is(const char* data, size_t len, size_t size, uint64_t i) {
  if (len != size) return false;
  if (size < 8) return std::all_of(data, data + len, [](char c) { return c == 'j'; });
  uint64_t idx;
  std::memcpy(&idx, data, 8);
  return idx == i && std::all_of(data + 8, data + len, [](char c) { return c == 'j'; });
}

struct PubRun {
  Clock::time_point t0, t_last_ack;
  std::vector<double> lat_us;  // publish -> PubAck, if recorded
};

// Where the publishes go: `subject`, or with numbered, subject + decimal index (one key each).
struct PubTarget {
  std::string subject;
  bool numbered = false;
};

// Publishes n messages of o.size bytes to `to`, keeping at most `window` without a
// PubAck. Message i must be acked by `stream` with stream seq i + 1.
inline void js_publish(JsConn& js, const Opts& o, const std::string& stream, const PubTarget& to, uint64_t n,
                       uint64_t window, bool record, PubRun& run) {
  Conn& c = js.conn();
  const std::string prefix = "PUB " + to.subject;
  const std::string reply_prefix = " " + js.inbox() + ".";
  const std::string size_str = " " + std::to_string(o.size) + "\r\n";
  std::string payload(static_cast<size_t>(o.size), 'j');
  std::vector<Clock::time_point> sent_at(n);
  std::vector<uint8_t> acked(n, 0);
  if (record) run.lat_us.reserve(n);
  uint64_t sent = 0, acks = 0;
  std::string out;
  Clock::time_point now;
  auto on_msg = [&](const Msg& m) {
    std::string_view s = m.subject;
    if (m.sid != "1" || s.size() <= js.inbox().size() + 1 || s.substr(0, js.inbox().size()) != js.inbox())
      throw Error("unexpected message on " + std::string(s));
    uint64_t i = to_u64(s.substr(js.inbox().size() + 1), "PubAck reply subject");
    std::string_view body(m.payload, m.len);
    if (i >= sent || acked[i]) throw Error("PubAck for unknown or already acked publish " + std::to_string(i));
    if (int st = status_of(m)) throw Error("publish " + std::to_string(i) + ": status " + std::to_string(st));
    long long seq = -1;
    if (json_at(body, "error") != npos || !json_int(body, "seq", seq) || !json_str(body, "stream", stream))
      throw Error("publish " + std::to_string(i) + ": not a PubAck: " + clip(body));
    if (seq != static_cast<long long>(i + 1))
      throw Error("publish " + std::to_string(i) + " acked with seq " + std::to_string(seq));
    if (body.find("\"duplicate\":true") != npos) throw Error("publish " + std::to_string(i) + " acked as duplicate");
    acked[i] = 1;
    ++acks;
    if (record) run.lat_us.push_back(std::chrono::duration<double, std::micro>(now - sent_at[i]).count());
  };
  auto deadline = after(o.timeout);
  run.t0 = Clock::now();
  while (acks < n) {
    bool room = sent < n && sent - acks < window;
    if (room) {
      out.clear();
      uint64_t first = sent;
      for (; sent < n && sent - acks < window && out.size() < static_cast<size_t>(o.batch); ++sent) {
        fill_payload(payload, sent);
        out += prefix;
        if (to.numbered) out += std::to_string(sent);
        out += reply_prefix;
        out += std::to_string(sent);
        out += size_str;
        out += payload;
        out += "\r\n";
      }
      now = Clock::now();
      std::fill(sent_at.begin() + static_cast<long>(first), sent_at.begin() + static_cast<long>(sent), now);
      c.write_all(out);
    }
    room = sent < n && sent - acks < window;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw Error("timed out: " + std::to_string(acks) + " of " + std::to_string(n) + " PubAcks");
    if (c.fill(room ? 0 : static_cast<int>(left))) {
      now = Clock::now();
      c.drain(on_msg);
      run.t_last_ack = now;
    }
  }
}

}  // namespace bench::js
