// Key-value modes of natrium_bench (see docs/benchmarks.md):
//
//   kv-put-sync   put N distinct keys into a fresh KV bucket, one put in flight
//                 (`await kv.put()` in a loop); puts/s and put->PubAck latency
//   kv-put-async  the same with at most --inflight (256) puts without a PubAck
//   kv-get        pre-fill N keys (untimed), then read each key once with a direct get
//                 ($JS.API.DIRECT.GET.KV_<b>.$KV.<b>.<key>, empty body), one in flight
//   kv-get-pipe   the same with at most --inflight gets outstanding
//   kv-watch      pre-fill N keys (untimed), then create the push consumer a KV watcher
//                 creates (ordered style: last_per_subject, ack none, flow control,
//                 heartbeats, memory storage) and receive the initial value of every key;
//                 timed from the create request to the last initial value
//
// The bucket is created like the nats.go / nats.js / libnats clients create one
// (stream KV_<b>, subjects $KV.<b>.>, history 1, file storage, discard new, rollup
// headers allowed, delete denied, direct get allowed). Every run uses a fresh bucket,
// deleted again at the end, and checks every reply; any mismatch fails the run.
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "js_common.hpp"

namespace bench {
namespace {

using namespace js;

bool json_true(std::string_view j, std::string_view key) {
  size_t p = json_at(j, key);
  return p != npos && j.substr(p, 4) == "true";
}

struct Bucket {
  std::string name, stream, prefix;  // prefix: "$KV.<name>."
  std::string key_subject(uint64_t i) const { return prefix + "k" + std::to_string(i); }
};

// A fresh bucket with the clients' KV stream config (history 1, file storage).
Bucket create_bucket(JsConn& js, const char* tag) {
  Bucket b;
  b.name = fresh_name("NB", tag);
  b.stream = "KV_" + b.name;
  b.prefix = "$KV." + b.name + ".";
  std::string cfg = "{\"name\":\"" + b.stream + "\",\"subjects\":[\"$KV." + b.name +
                    ".>\"],\"retention\":\"limits\",\"max_consumers\":-1,\"max_msgs_per_subject\":1,"
                    "\"max_msgs\":-1,\"max_bytes\":-1,\"max_age\":0,\"max_msg_size\":-1,\"storage\":\"file\","
                    "\"discard\":\"new\",\"num_replicas\":1,\"duplicate_window\":120000000000,"
                    "\"allow_rollup_hdrs\":true,\"deny_delete\":true,\"deny_purge\":false,\"allow_direct\":true,"
                    "\"mirror_direct\":false}";
  std::string r = create_stream_cfg(js, b.stream, cfg);
  long long per_subject = 0;
  if (!json_int(r, "max_msgs_per_subject", per_subject) || per_subject != 1 || !json_true(r, "allow_direct") ||
      !json_true(r, "deny_delete") || !json_true(r, "allow_rollup_hdrs") || !json_str(r, "discard", "new"))
    throw Error("KV stream create reply does not show the KV config: " + clip(r));
  return b;
}

// Untimed: puts keys k0..k<n-1> (value i: fill_payload), 256 in flight.
void prefill(JsConn& js, const Opts& o, const Bucket& b, uint64_t n) {
  PubRun fill;
  js_publish(js, o, b.stream, {b.prefix + "k", true}, n, 256, false, fill);
}

}  // namespace

void scenario_kv_put(const Opts& o, Json& j, bool sync) {
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const uint64_t window = sync ? 1 : static_cast<uint64_t>(o.inflight);
  JsConn js(o);
  Bucket b = create_bucket(js, sync ? "PS" : "PA");
  j.str("stream", b.stream).integer("inflight", static_cast<long long>(window));
  PubRun run;
  js_publish(js, o, b.stream, {b.prefix + "k", true}, n, window, true, run);
  expect_stream_msgs(js, b.stream, n);  // untimed cross-check: n keys, one message each
  delete_stream(js, b.stream);
  double el = secs(run.t_last_ack - run.t0);
  j.num("elapsed_s", el).num("puts_per_s", static_cast<double>(n) / el);
  latency_json(run.lat_us, j);
}

void scenario_kv_get(const Opts& o, Json& j, bool pipelined) {
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const uint64_t window = pipelined ? static_cast<uint64_t>(o.inflight) : 1;
  const size_t size = static_cast<size_t>(o.size);
  JsConn js(o);
  Bucket b = create_bucket(js, pipelined ? "GP" : "GS");
  j.str("stream", b.stream).integer("inflight", static_cast<long long>(window));
  prefill(js, o, b, n);

  // Every key once, in a fixed shuffled order. Request k asks for key order[k];
  // its reply subject is <inbox>.<k>.
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), uint64_t{0});
  std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
  const std::string get_prefix = "PUB $JS.API.DIRECT.GET." + b.stream + "." + b.prefix + "k";
  const std::string reply_prefix = " " + js.inbox() + ".";
  std::vector<Clock::time_point> sent_at(n);
  std::vector<uint8_t> answered(n, 0);
  std::vector<double> lat;
  lat.reserve(n);
  uint64_t sent = 0, got = 0;
  Clock::time_point now;
  auto on_msg = [&](const Msg& m) {
    std::string_view s = m.subject;
    if (m.sid != "1" || s.size() <= js.inbox().size() + 1 || s.substr(0, js.inbox().size()) != js.inbox())
      throw Error("unexpected message on " + std::string(s));
    uint64_t k = to_u64(s.substr(js.inbox().size() + 1), "direct get reply subject");
    if (k >= sent || answered[k]) throw Error("reply for unknown or already answered get " + std::to_string(k));
    const uint64_t i = order[k];
    const std::string want_subject = b.key_subject(i);
    if (int st = status_of(m)) throw Error("get " + want_subject + ": status " + std::to_string(st));
    std::string_view hs, hsubj, hseq, hts;
    if (!header_value(m.headers, "Nats-Stream", hs) || !header_value(m.headers, "Nats-Subject", hsubj) ||
        !header_value(m.headers, "Nats-Sequence", hseq) || !header_value(m.headers, "Nats-Time-Stamp", hts))
      throw Error("get " + want_subject + ": reply lacks a Nats-* header: " + clip(m.headers));
    if (hs != b.stream || hsubj != want_subject || to_u64(hseq, "Nats-Sequence") != i + 1 || hts.empty())
      throw Error("get " + want_subject + ": wrong stream, subject or sequence: " + clip(m.headers));
    if (!payload_is(m.payload, m.len, size, i)) throw Error("get " + want_subject + ": value differs from the put");
    answered[k] = 1;
    ++got;
    lat.push_back(std::chrono::duration<double, std::micro>(now - sent_at[k]).count());
  };
  Conn& c = js.conn();
  std::string out;
  auto deadline = after(o.timeout);
  const auto t0 = Clock::now();
  Clock::time_point t_last = t0;
  while (got < n) {
    if (sent < n && sent - got < window) {
      out.clear();
      uint64_t first = sent;
      for (; sent < n && sent - got < window; ++sent) {
        out += get_prefix;
        out += std::to_string(order[sent]);
        out += reply_prefix;
        out += std::to_string(sent);
        out += " 0\r\n\r\n";
      }
      now = Clock::now();
      std::fill(sent_at.begin() + static_cast<long>(first), sent_at.begin() + static_cast<long>(sent), now);
      c.write_all(out);
    }
    c.wait_fill(deadline, ("direct get replies (" + std::to_string(got) + " of " + std::to_string(n) + ")").c_str());
    now = Clock::now();
    c.drain(on_msg);
    t_last = now;
  }
  delete_stream(js, b.stream);
  double el = secs(t_last - t0);
  j.num("elapsed_s", el).num("gets_per_s", static_cast<double>(n) / el);
  latency_json(lat, j);
}

void scenario_kv_watch(const Opts& o, Json& j) {
  const uint64_t n = static_cast<uint64_t>(o.msgs);
  const size_t size = static_cast<size_t>(o.size);
  JsConn js(o);
  Bucket b = create_bucket(js, "W");
  j.str("stream", b.stream);
  prefill(js, o, b, n);

  Conn& c = js.conn();
  const std::string deliver = js.inbox() + "W";
  c.write_all("SUB " + deliver + " 3\r\n");
  c.flush([](const Msg& m) { throw Error("unexpected message on " + std::string(m.subject)); }, js.timeout_ms());

  std::vector<uint8_t> seen(n, 0);
  uint64_t data = 0, fc = 0, heartbeats = 0, stalled = 0, pending_mismatch = 0;
  long long last_pending = -1, data_at_first_fc = -1;
  Clock::time_point t_first{}, t_last{}, t_first_fc{}, t0{};
  const std::string key_prefix = b.prefix + "k";
  auto on_delivery = [&](const Msg& m) {
    if (m.sid != "3") throw Error("unexpected message on " + std::string(m.subject));
    if (int st = status_of(m)) {
      if (st != 100) throw Error("watcher got status " + std::to_string(st) + ": " + clip(m.headers));
      if (!m.reply.empty()) {  // "100 FlowControl Request": answer with an empty message
        c.write_all("PUB " + std::string(m.reply) + " 0\r\n\r\n");
        if (fc++ == 0) {
          t_first_fc = Clock::now();
          data_at_first_fc = static_cast<long long>(data);
        }
      } else {  // idle heartbeat; a stalled consumer names its flow-control subject
        ++heartbeats;
        std::string_view fc_subject;
        if (header_value(m.headers, "Nats-Consumer-Stalled", fc_subject) && !fc_subject.empty()) {
          c.write_all("PUB " + std::string(fc_subject) + " 0\r\n\r\n");
          ++stalled;
        }
      }
      return;
    }
    std::string_view s = m.subject;
    if (s.size() <= key_prefix.size() || s.substr(0, key_prefix.size()) != key_prefix)
      throw Error("watcher got a message on " + std::string(s));
    const uint64_t i = to_u64(s.substr(key_prefix.size()), "key");
    if (i >= n || seen[i]) throw Error("watcher got key " + std::string(s) + " twice or unknown");
    std::string_view tok[10];
    if (ack_tokens(m.reply, tok) != 9 || tok[0] != "$JS" || tok[1] != "ACK" || tok[2] != b.stream)
      throw Error("unexpected reply subject on a watcher delivery: " + std::string(m.reply));
    const uint64_t sseq = to_u64(tok[5], "stream seq"), dseq = to_u64(tok[6], "consumer seq");
    if (to_u64(tok[4], "delivered count") != 1 || sseq != i + 1 || dseq != data + 1)
      throw Error("watcher delivery " + std::to_string(data + 1) + " of " + std::string(s) +
                  " has the wrong sequence numbers: " + std::string(m.reply));
    if (!payload_is(m.payload, m.len, size, i)) throw Error("watcher: value of " + std::string(s) + " differs");
    last_pending = static_cast<long long>(to_u64(tok[8], "pending"));
    if (static_cast<uint64_t>(last_pending) != n - dseq) ++pending_mismatch;
    seen[i] = 1;
    if (data == 0) t_first = Clock::now();
    if (++data == n) t_last = Clock::now();
  };

  // The consumer nats.go / nats.js create for kv.watch() (an ordered push consumer).
  const std::string cfg =
      "{\"stream_name\":\"" + b.stream + "\",\"config\":{\"deliver_policy\":\"last_per_subject\","
      "\"ack_policy\":\"none\",\"ack_wait\":79200000000000,\"max_deliver\":1,\"replay_policy\":\"instant\","
      "\"filter_subject\":\"$KV." + b.name + ".>\",\"deliver_subject\":\"" + deliver +
      "\",\"flow_control\":true,\"idle_heartbeat\":5000000000,\"mem_storage\":true,\"num_replicas\":1,"
      "\"inactive_threshold\":300000000000}}";
  auto deadline = after(o.timeout);
  t0 = Clock::now();
  std::string cr = js.api("$JS.API.CONSUMER.CREATE." + b.stream, cfg, on_delivery);
  const auto t_created = Clock::now();
  const std::string consumer = json_get_str(cr, "name");
  long long create_pending = -1;
  json_int(cr, "num_pending", create_pending);
  if (consumer.empty() || !json_str(cr, "deliver_subject", deliver) ||
      !json_str(cr, "deliver_policy", "last_per_subject") || !json_true(cr, "flow_control"))
    throw Error("consumer create reply: " + clip(cr));
  while (data < n) {
    c.wait_fill(deadline, ("watcher initial values (" + std::to_string(data) + " of " + std::to_string(n) + ")").c_str());
    c.drain(on_delivery);
  }
  // Untimed: stop the watcher; late heartbeats or flow-control requests are ignored.
  c.write_all("UNSUB 3\r\n");
  auto ignore_late = [&](const Msg& m) {
    if (m.sid != "3") throw Error("unexpected message on " + std::string(m.subject));
  };
  js.api("$JS.API.CONSUMER.DELETE." + b.stream + "." + consumer, "", ignore_late);
  js.api("$JS.API.STREAM.DELETE." + b.stream, "", ignore_late);
  double el = secs(t_last - t0);
  j.integer("create_num_pending", create_pending).num("create_reply_ms", secs(t_created - t0) * 1e3);
  j.num("first_msg_ms", secs(t_first - t0) * 1e3);
  if (fc) j.num("first_fc_ms", secs(t_first_fc - t0) * 1e3).integer("msgs_before_first_fc", data_at_first_fc);
  j.integer("flow_control_requests", static_cast<long long>(fc)).integer("heartbeats", static_cast<long long>(heartbeats));
  j.integer("stalled_heartbeats", static_cast<long long>(stalled));
  j.integer("last_pending", last_pending).integer("pending_token_mismatches", static_cast<long long>(pending_mismatch));
  j.num("elapsed_s", el).num("elapsed_ms", el * 1e3).num("msgs_per_s", static_cast<double>(n) / el);
}

}  // namespace bench
