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
#include <cstring>
#include <string>
#include <string_view>

#include "js_common.hpp"

namespace bench {
namespace {

using namespace js;

std::string fresh_stream_name(const char* tag) { return fresh_name("NB", tag); }

// Deletes `name` if present (not-found is fine), then creates it with file storage.
void create_stream(JsConn& js, const std::string& name, const std::string& subject) {
  create_stream_cfg(js, name,
                    "{\"name\":\"" + name + "\",\"subjects\":[\"" + subject +
                        "\"],\"retention\":\"limits\",\"storage\":\"file\",\"num_replicas\":1}");
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
  js_publish(js, o, stream, {subject}, n, window, true, run);
  expect_stream_msgs(js, stream, n);  // untimed cross-check
  delete_stream(js, stream);
  double el = secs(run.t_last_ack - run.t0);
  j.num("elapsed_s", el).num("msgs_per_s", static_cast<double>(n) / el);
  latency_json(run.lat_us, j);
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
  size_t nt = ack_tokens(m.reply, tok);
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
  js_publish(js, o, stream, {subject}, n, 256, false, fill);  // untimed pre-fill
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
