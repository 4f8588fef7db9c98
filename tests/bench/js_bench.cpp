// JetStream modes of natrium_bench (see docs/benchmarks.md, "JetStream"):
//
//   js-pub-async     publish N messages to a file-storage stream, at most --inflight (256)
//                    without a PubAck; msgs/s and publish->PubAck latency
//   js-pub-sync      the same with one publish in flight
//   js-consume-pull  pre-fill N messages (untimed), then fetch them through a durable pull
//                    consumer (ack explicit) with MSG.NEXT batches and +ACK each one;
//                    timed until consumer info shows no ack pending
//
// Every run uses a fresh stream (deleted first if it exists, and again at the end) and
// checks every PubAck and every delivery; any mismatch fails the run.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench_cli.hpp"
#include "bench_conn.hpp"

namespace bench {
namespace {

constexpr size_t npos = std::string_view::npos;

// ---- Tiny readers for the servers' JSON (Go encoding/json: no spaces) ----
// Position just after `"key":` at or after `from`, or npos.
size_t json_at(std::string_view j, std::string_view key, size_t from = 0) {
  std::string pat = "\"" + std::string(key) + "\":";
  size_t p = j.find(pat, from);
  if (p == npos) return npos;
  p += pat.size();
  while (p < j.size() && j[p] == ' ') ++p;
  return p;
}

bool json_int(std::string_view j, std::string_view key, long long& out, size_t from = 0) {
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

bool json_str(std::string_view j, std::string_view key, std::string_view want) {
  size_t p = json_at(j, key);
  return p != npos && j.substr(p, want.size() + 2) == "\"" + std::string(want) + "\"";
}

// The status code of a header-only status message ("NATS/1.0 503"), else 0.
int status_of(const Msg& m) {
  std::string_view h = m.headers;
  if (h.size() < 12 || h.substr(0, 9) != "NATS/1.0 ") return 0;
  int s = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (h[i] < '0' || h[i] > '9') return 0;
    s = s * 10 + (h[i] - '0');
  }
  return s;
}

std::string clip(std::string_view s) { return std::string(s.substr(0, 300)); }

uint64_t to_u64(std::string_view s, const char* what) {
  if (s.empty() || s.size() > 19) throw Error(std::string("bad ") + what + ": " + std::string(s));
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw Error(std::string("bad ") + what + ": " + std::string(s));
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// ---- One client connection with two inbox subscriptions -------------------
// sid 1 "<inbox>.*": API replies (<inbox>.r<k>) and PubAcks (<inbox>.<i>).
// sid 2 "<inbox>P.*": pull deliveries and their status messages.
class JsConn {
 public:
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

  // Request/reply on this connection; returns the reply body. Retries while
  // JetStream has no responder yet (503), for up to 5 s after server start.
  std::string request(const std::string& subject, const std::string& body) {
    auto give_up = after(5);
    for (;;) {
      std::string reply = inbox_ + ".r" + std::to_string(next_req_++);
      c_.write_all("PUB " + subject + " " + reply + " " + std::to_string(body.size()) + "\r\n" + body + "\r\n");
      auto deadline = after(tmo_ms_ / 1000.0);
      bool got = false;
      int status = 0;
      std::string out;
      auto on_msg = [&](const Msg& m) {
        if (m.sid != "1" || m.subject != reply) throw Error("unexpected message on " + std::string(m.subject));
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
  std::string api(const std::string& subject, const std::string& body) {
    std::string r = request(subject, body);
    if (json_at(r, "error") != npos) throw Error(subject + " failed: " + clip(r));
    return r;
  }

 private:
  Conn c_;
  int tmo_ms_;
  std::string inbox_;
  uint64_t next_req_ = 0;
};

std::string fresh_stream_name(const char* tag) {
  return std::string("NB") + tag + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
}

// Deletes `name` if present (not-found is fine), then creates it with file storage.
void create_stream(JsConn& js, const std::string& name, const std::string& subject) {
  std::string d = js.request("$JS.API.STREAM.DELETE." + name, "");
  if (json_at(d, "error") != npos && d.find("10059") == npos) throw Error("stream delete failed: " + clip(d));
  std::string cfg = "{\"name\":\"" + name + "\",\"subjects\":[\"" + subject +
                    "\"],\"retention\":\"limits\",\"storage\":\"file\",\"num_replicas\":1}";
  std::string r = js.api("$JS.API.STREAM.CREATE." + name, cfg);
  if (!json_str(r, "storage", "file")) throw Error("stream create reply is not a file stream: " + clip(r));
}

void delete_stream(JsConn& js, const std::string& name) { js.api("$JS.API.STREAM.DELETE." + name, ""); }

// ---- Publishing with PubAcks ------------------------------------------------
struct PubRun {
  Clock::time_point t0, t_last_ack;
  std::vector<double> lat_us;  // publish -> PubAck, if recorded
};

// Publishes n messages of o.size bytes (first 8 bytes: index) to `subject`, keeping at
// most `window` without a PubAck. Message i must be acked with stream seq i + 1.
void js_publish(JsConn& js, const Opts& o, const std::string& stream, const std::string& subject, uint64_t n,
                uint64_t window, bool record, PubRun& run) {
  Conn& c = js.conn();
  const std::string prefix = "PUB " + subject + " " + js.inbox() + ".";
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
        if (payload.size() >= 8) std::memcpy(payload.data(), &sent, 8);
        out += prefix;
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

double pct(const std::vector<double>& v, double p) {
  size_t idx = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, idx == 0 ? 0 : idx - 1)];
}

}  // namespace

void scenario_js_pub(const Opts& o, Json& j, bool sync) {
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const uint64_t window = sync ? 1 : static_cast<uint64_t>(o.inflight);
  JsConn js(o);
  const std::string stream = fresh_stream_name(sync ? "S" : "A");
  const std::string subject = "bench.js." + stream;
  create_stream(js, stream, subject);
  j.str("stream", stream).integer("inflight", static_cast<long long>(window));
  PubRun run;
  js_publish(js, o, stream, subject, n, window, true, run);
  // Untimed cross-check: the stream holds exactly n messages, last seq n.
  std::string info = js.api("$JS.API.STREAM.INFO." + stream, "");
  long long msgs = -1, last = -1;
  if (!json_int(info, "messages", msgs) || !json_int(info, "last_seq", last) || msgs != static_cast<long long>(n) ||
      last != static_cast<long long>(n))
    throw Error("stream info after publishing: " + clip(info));
  delete_stream(js, stream);
  std::vector<double>& v = run.lat_us;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  double el = secs(run.t_last_ack - run.t0);
  j.num("elapsed_s", el).num("msgs_per_s", static_cast<double>(n) / el);
  j.num("p50_us", pct(v, 0.50)).num("p90_us", pct(v, 0.90)).num("p99_us", pct(v, 0.99));
  j.num("mean_us", sum / static_cast<double>(v.size())).num("max_us", v.back());
}

namespace {

// Where the consume loop stands; checked on every delivery.
struct PullState {
  uint64_t n = 0, requested = 0, received = 0, pulls = 0, pending_mismatch = 0;
  std::string acks;  // "+ACK" publishes not yet written
};

// Checks one delivery ($JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>)
// and queues its +ACK.
void on_delivery(const Msg& m, const Opts& o, const std::string& stream, const std::string& subject,
                 const std::string& durable, PullState& st) {
  if (int s = status_of(m)) {
    if (s == 100) return;  // idle heartbeat
    throw Error("pull request answered with status " + std::to_string(s) + " after " +
                std::to_string(st.received) + " messages: " + clip(m.headers));
  }
  std::string_view tok[10];
  size_t nt = 0;
  for (size_t p = 0; nt < 10;) {
    size_t d = m.reply.find('.', p);
    tok[nt++] = m.reply.substr(p, d == npos ? npos : d - p);
    if (d == npos) break;
    p = d + 1;
  }
  if (nt != 9 || tok[0] != "$JS" || tok[1] != "ACK" || tok[2] != stream || tok[3] != durable)
    throw Error("unexpected ack subject: " + std::string(m.reply));
  const uint64_t want = st.received + 1;
  const uint64_t delivered = to_u64(tok[4], "delivered count"), sseq = to_u64(tok[5], "stream seq");
  const uint64_t dseq = to_u64(tok[6], "consumer seq"), pending = to_u64(tok[8], "pending");
  if (delivered != 1) throw Error("stream seq " + std::to_string(sseq) + " redelivered");
  if (sseq != want || dseq != want)
    throw Error("expected seq " + std::to_string(want) + ", got stream " + std::to_string(sseq) + " consumer " +
                std::to_string(dseq));
  uint64_t idx = ~uint64_t{0};
  if (m.len >= 8) std::memcpy(&idx, m.payload, 8);
  if (m.subject != subject || m.len != static_cast<size_t>(o.size) || idx != sseq - 1)
    throw Error("delivery " + std::to_string(sseq) + " has the wrong subject, size or payload");
  if (pending != st.n - sseq) ++st.pending_mismatch;
  ++st.received;
  st.acks += "PUB ";
  st.acks += m.reply;
  st.acks += " 4\r\n+ACK\r\n";
}

}  // namespace

void scenario_js_consume(const Opts& o, Json& j) {
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const uint64_t batch = static_cast<uint64_t>(o.pull_batch);
  if (o.size < 8) throw Error("--size must be >= 8 (payload carries a sequence number)");
  JsConn js(o);
  const std::string stream = fresh_stream_name("C"), durable = "D" + stream;
  const std::string subject = "bench.js." + stream;
  create_stream(js, stream, subject);
  j.str("stream", stream).integer("pull_batch", static_cast<long long>(batch));
  PubRun fill;
  js_publish(js, o, stream, subject, n, 256, false, fill);  // untimed pre-fill
  std::string cr = js.api("$JS.API.CONSUMER.DURABLE.CREATE." + stream + "." + durable,
                          "{\"stream_name\":\"" + stream + "\",\"config\":{\"durable_name\":\"" + durable +
                              "\",\"deliver_policy\":\"all\",\"ack_policy\":\"explicit\",\"replay_policy\":\"instant\"}}");
  long long pend = -1;
  if (!json_int(cr, "num_pending", pend) || pend != static_cast<long long>(n))
    throw Error("consumer create: expected num_pending " + std::to_string(n) + ": " + clip(cr));

  Conn& c = js.conn();
  PullState st;
  st.n = n;
  const std::string next = "PUB $JS.API.CONSUMER.MSG.NEXT." + stream + "." + durable + " " + js.pull_inbox() + ".";
  const long long expires_ns = static_cast<long long>(o.expires * 1e9);
  auto on_msg = [&](const Msg& m) {
    if (m.sid != "2") throw Error("unexpected message on " + std::string(m.subject));
    on_delivery(m, o, stream, subject, durable, st);
  };
  auto deadline = after(o.timeout);
  const auto t0 = Clock::now();
  while (st.received < n) {
    // Like nats.go's consume: ask for another batch once half of the outstanding one arrived.
    if (st.requested < n && st.requested - st.received <= batch / 2) {
      uint64_t b = std::min(batch, n - st.requested);
      std::string body = "{\"batch\":" + std::to_string(b) + ",\"expires\":" + std::to_string(expires_ns) + "}";
      c.write_all(next + std::to_string(st.pulls++) + " " + std::to_string(body.size()) + "\r\n" + body + "\r\n");
      st.requested += b;
    }
    c.wait_fill(deadline, ("messages (" + std::to_string(st.received) + " of " + std::to_string(n) + ")").c_str());
    c.drain(on_msg);
    if (!st.acks.empty()) c.write_all(st.acks);
    st.acks.clear();
  }
  // The acks are written; wait until the server has applied all of them.
  uint64_t polls = 0;
  std::string info;
  long long ack_pending = -1;
  for (;;) {
    ++polls;
    info = js.api("$JS.API.CONSUMER.INFO." + stream + "." + durable, "");
    if (!json_int(info, "num_ack_pending", ack_pending)) throw Error("consumer info: " + clip(info));
    if (ack_pending == 0) break;
    if (Clock::now() > deadline) throw Error("timed out: num_ack_pending " + std::to_string(ack_pending));
  }
  const auto t1 = Clock::now();
  long long floor_seq = -1, num_pending = -1, redelivered = -1;
  size_t af = json_at(info, "ack_floor");
  if (af == npos || !json_int(info, "stream_seq", floor_seq, af) || !json_int(info, "num_pending", num_pending) ||
      !json_int(info, "num_redelivered", redelivered) || floor_seq != static_cast<long long>(n) || num_pending != 0 ||
      redelivered != 0)
    throw Error("consumer info after acking everything: " + clip(info));
  delete_stream(js, stream);
  double el = secs(t1 - t0);
  j.integer("pulls", static_cast<long long>(st.pulls)).integer("info_polls", static_cast<long long>(polls));
  j.integer("pending_token_mismatches", static_cast<long long>(st.pending_mismatch));
  j.num("elapsed_s", el).num("msgs_per_s", static_cast<double>(n) / el);
}

}  // namespace bench
