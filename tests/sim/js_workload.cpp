#include "tests/sim/js_workload.h"

#include <charconv>

#include "tests/sim/matcher.h"

namespace natrium::sim {

namespace {
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000'000'000;
constexpr const char* pull_name = "PULL";

// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>
struct ack_subject {
  std::string consumer;
  std::uint64_t dc = 0, sseq = 0, cseq = 0;
};
bool parse_ack_subject(const std::string& s, ack_subject& a) {
  const auto t = split_tokens(s);
  if (t.size() != 9 || t[0] != "$JS" || t[1] != "ACK" || t[2] != "S") return false;
  a.consumer.assign(t[3]);
  a.dc = to_u64(t[4]);
  a.sseq = to_u64(t[5]);
  a.cseq = to_u64(t[6]);
  return a.dc > 0 && a.sseq > 0 && a.cseq > 0;
}
}  // namespace

js_shape make_js_shape(base::prng& rng) {
  js_shape s;
  s.publishers = pick(rng, 1, 3);
  s.max_inflight = chance(rng, 30) ? 1 : pick(rng, 2, 32);
  s.pub_pm = pick(rng, 250, 600);
  s.fetch_pm = pick(rng, 50, 250);
  s.ack_pm = pick(rng, 100, 350);
  s.ack_confirm_pct = pick(rng, 30, 90);
  s.ack_plain_pct = pick(rng, 0, 100 - s.ack_confirm_pct);
  s.nak_pct = pick(rng, 0, 100 - s.ack_confirm_pct - s.ack_plain_pct);
  s.big_pct = pick(rng, 0, 10);
  if (chance(rng, 20)) {  // bulky: megabytes in flight, so push flow control comes into play
    s.big_pct = pick(rng, 30, 80);
    s.big_max = pick(rng, 8 * 1024, 64 * 1024);
  }
  s.crashes = pick(rng, 1, 6);
  s.keep_pct = pick(rng, 0, 100);
  s.jump_pct = pick(rng, 0, 4);
  s.ordered_all_pct = pick(rng, 0, 100);
  s.ack_wait_ns = between(rng, 100, 2000) * ms;
  s.heartbeat_ns = between(rng, 100, 5000) * ms;
  s.msg_id_pct = pick(rng, 0, 100);
  s.ordered_filter_pct = pick(rng, 0, 60);
  s.disk_latency_max_ns = chance(rng, 50) ? storage_latency_max_default_ns : between(rng, 5, 60) * ms;
  s.retry_pct = pick(rng, 0, 100);
  return s;
}

std::string describe(const js_shape& s) {
  return "publishers=" + std::to_string(s.publishers) + " inflight=" + std::to_string(s.max_inflight) +
         " per_mille pub/fetch/ack=" + std::to_string(s.pub_pm) + "/" + std::to_string(s.fetch_pm) + "/" +
         std::to_string(s.ack_pm) + " ack confirm/plain/nak%=" + std::to_string(s.ack_confirm_pct) + "/" +
         std::to_string(s.ack_plain_pct) + "/" + std::to_string(s.nak_pct) + " big=" + std::to_string(s.big_pct) + "/" + std::to_string(s.big_max) +
         " crashes=" + std::to_string(s.crashes) + " keep=" + std::to_string(s.keep_pct) + " jump=" +
         std::to_string(s.jump_pct) + " ordered_all=" + std::to_string(s.ordered_all_pct) + " ack_wait_ms=" +
         std::to_string(s.ack_wait_ns / ms) + " heartbeat_ms=" + std::to_string(s.heartbeat_ns / ms) +
         " msg_id=" + std::to_string(s.msg_id_pct) + " retry=" + std::to_string(s.retry_pct) + " ordered_filter=" + std::to_string(s.ordered_filter_pct) +
         " disk_latency_max_us=" + std::to_string(s.disk_latency_max_ns / 1000);
}

js_workload::js_workload(sim_world& w, js_oracle& o, verdict& v, base::prng& rng, trace_log& t, const js_shape& s,
                         const run_params& p, js_fault fault)
    : world_(w), oracle_(o), verdict_(v), rng_(rng), trace_(t), shape_(s), params_(p), fault_(fault) {
  for (int i = 0; i < shape_.crashes; ++i) crash_steps_.insert(pick(rng_, std::max(1, p.steps / 10), p.steps - 1));
  pubs_.resize(static_cast<std::size_t>(shape_.publishers));
}

js_client* js_workload::client(int cid) {
  return cid == 0 ? nullptr : static_cast<js_client*>(world_.peer(cid));
}

// The stream and the durable pull consumer, on one connection, in order; the
// run goes on once both replies (sent only when durable) are in.
void js_workload::setup() {
  setup_cid_ = world_.open_peer([this](int id) {
    return std::make_unique<js_client>(id, verdict_, [this](const delivery& d) {
      auto it = setup_replies_.find(d.subject);
      if (it == setup_replies_.end()) return fail("setup client: unexpected message on " + d.subject);
      if (d.hmsg || d.payload.find("\"error\"") != std::string::npos || d.payload.find("\"config\"") == std::string::npos) {
        return fail("setup request failed: " + escape(d.header + d.payload, 300));
      }
      it->second = true;
    });
  });
  for (int i = 0; i < 100 && !verdict_.failed() && !client(setup_cid_)->ready(); ++i) world_.run_until(world_.now_ns() + ms);
  js_client* c = client(setup_cid_);
  if (!c->ready()) return fail("setup client never became ready");
  const std::string inbox = "_INBOX." + std::to_string(setup_cid_);
  c->subscribe(inbox + ".*");
  setup_replies_[inbox + ".1"] = false;
  setup_replies_[inbox + ".2"] = false;
  c->publish("$JS.API.STREAM.CREATE.S", inbox + ".1",
             R"({"name":"S","subjects":["js.>"],"storage":"file","retention":"limits","num_replicas":1})");
  c->publish(std::string("$JS.API.CONSUMER.DURABLE.CREATE.S.") + pull_name, inbox + ".2",
             R"({"stream_name":"S","config":{"durable_name":"PULL","deliver_policy":"all","ack_policy":"explicit","ack_wait":)" +
                 std::to_string(shape_.ack_wait_ns) + R"(,"replay_policy":"instant"}})");
  world_.kick(setup_cid_);
  for (int i = 0; i < 500 && !verdict_.failed(); ++i) {
    if (setup_replies_[inbox + ".1"] && setup_replies_[inbox + ".2"]) break;
    world_.run_until(world_.now_ns() + ms);
  }
  if (!setup_replies_[inbox + ".1"] || !setup_replies_[inbox + ".2"]) return fail("stream or consumer creation got no reply");
  open_clients();
}

// One connection per role; after a crash, new ones.
void js_workload::open_clients() {
  for (std::size_t i = 0; i < pubs_.size(); ++i) {
    std::deque<pub_msg> retries = std::move(pubs_[i].retries);
    pubs_[i] = publisher{};
    pubs_[i].retries = std::move(retries);
    pubs_[i].cid = world_.open_peer([this, i](int id) {
      return std::make_unique<js_client>(id, verdict_, [this, i](const delivery& d) { on_publisher_msg(i, d); });
    });
  }
  pull_ = puller{};
  pull_.cid = world_.open_peer([this](int id) {
    return std::make_unique<js_client>(id, verdict_, [this](const delivery& d) { on_puller_msg(d); });
  });
  const int incarnation = ord_.incarnation + 1;
  const std::uint64_t start = ord_.begun && !chance(rng_, static_cast<std::uint64_t>(shape_.ordered_all_pct))
                                  ? oracle_.ordered_last_sseq(ord_.incarnation) + 1
                                  : 1;
  ord_ = ordered{};
  ord_.incarnation = incarnation;
  ord_.start_seq = start;
  if (chance(rng_, static_cast<std::uint64_t>(shape_.ordered_filter_pct))) {
    ord_.filter = chance(rng_, 50) ? "js.*" : "js." + std::to_string(rng_.below(4));
  }
  ord_.cid = world_.open_peer([this](int id) {
    return std::make_unique<js_client>(id, verdict_, [this](const delivery& d) { on_ordered_msg(d); });
  });
}

void js_workload::crash() {
  for (publisher& p : pubs_) {
    abandoned_pubs_ += p.inflight.size();
    for (auto& [reply, m] : p.inflight) {
      if (!m.msg_id.empty() && chance(rng_, static_cast<std::uint64_t>(shape_.retry_pct))) p.retries.push_back(m);
    }
  }
  world_.crash_and_restart(shape_.keep_pct);
  if (verdict_.failed()) return;
  oracle_.check_store("after restart " + std::to_string(world_.restarts()));
  open_clients();
}

void js_workload::step(int n) {
  if (crash_steps_.count(n) != 0) crash();
  if (verdict_.failed()) return;
  if (!ord_.begun) begin_ordered();
  int roll = static_cast<int>(rng_.below(1000));
  const auto take = [&roll](int pm) {
    if (roll < pm) return true;
    roll -= pm;
    return false;
  };
  if (take(shape_.pub_pm)) {
    publish(pubs_[rng_.below(pubs_.size())]);
  } else if (take(shape_.fetch_pm)) {
    if (pull_.fetches.empty()) fetch(pick(rng_, 1, 10), between(rng_, 50, 1000) * ms);
  } else if (take(shape_.ack_pm)) {
    do_acks(static_cast<std::size_t>(pick(rng_, 1, 5)));
  }
  advance();
}

void js_workload::publish(publisher& p) {
  js_client* c = client(p.cid);
  if (c == nullptr || !c->ready() || static_cast<int>(p.inflight.size()) >= shape_.max_inflight) return;
  if (p.next == 1) c->subscribe("_INBOX." + std::to_string(p.cid) + ".*");
  const std::uint64_t n = p.next++;
  pub_msg m;
  if (!p.retries.empty()) {
    m = std::move(p.retries.front());
    p.retries.pop_front();
    m.retry = true;
    retried_++;
  } else {
    m.subject = "js." + std::to_string(rng_.below(4));
    m.payload = "p" + std::to_string(p.cid) + "." + std::to_string(n) + ":";
    const bool big = chance(rng_, static_cast<std::uint64_t>(shape_.big_pct));
    const std::uint64_t len = big ? 1000 + rng_.below(static_cast<std::uint64_t>(shape_.big_max - 999)) : rng_.below(40);
    for (std::uint64_t i = 0; i < len; ++i) m.payload.push_back(static_cast<char>('a' + (n + i) % 26));
    if (chance(rng_, static_cast<std::uint64_t>(shape_.msg_id_pct))) m.msg_id = "id-" + std::to_string(p.cid) + "-" + std::to_string(n);
    oracle_.on_published(m.payload);
  }
  const std::string reply = "_INBOX." + std::to_string(p.cid) + "." + std::to_string(n);
  const std::string header = m.msg_id.empty() ? "" : "NATS/1.0\r\nNats-Msg-Id: " + m.msg_id + "\r\n\r\n";
  c->publish(m.subject, reply, m.payload, header);
  p.inflight.emplace(reply, std::move(m));
  world_.kick(p.cid);
}

void js_workload::on_publisher_msg(std::size_t i, const delivery& d) {
  publisher& p = pubs_[i];
  auto it = p.inflight.find(d.subject);
  if (it == p.inflight.end()) return fail("publisher c" + std::to_string(p.cid) + ": unexpected message on " + d.subject);
  if (d.hmsg) return fail("publisher c" + std::to_string(p.cid) + ": status instead of a PubAck: " + escape(d.header, 80));
  oracle_.on_puback(it->second.payload, d.payload, it->second.retry);
  p.inflight.erase(it);
}

void js_workload::fetch(int batch, std::int64_t expires_ns) {
  js_client* c = client(pull_.cid);
  if (c == nullptr || !c->ready()) return;
  if (pull_.next == 1) c->subscribe("_INBOX." + std::to_string(pull_.cid) + ".>");
  const std::string reply = "_INBOX." + std::to_string(pull_.cid) + ".f." + std::to_string(pull_.next++);
  pull_.fetches[reply] = batch;
  fetches_++;
  c->publish(std::string("$JS.API.CONSUMER.MSG.NEXT.S.") + pull_name, reply,
             "{\"batch\":" + std::to_string(batch) + ",\"expires\":" + std::to_string(expires_ns) + "}");
  world_.kick(pull_.cid);
}

void js_workload::do_acks(std::size_t n) {
  js_client* c = client(pull_.cid);
  if (c == nullptr || !c->ready()) return;
  for (std::size_t i = 0; i < n && !pull_.acks.empty(); ++i) {
    const pending_ack a = std::move(pull_.acks.front());
    pull_.acks.pop_front();
    if (a.mode == 0) {
      const std::string reply = "_INBOX." + std::to_string(pull_.cid) + ".a." + std::to_string(pull_.next++);
      pull_.ackacks[reply] = a.sseq;
      c->publish(a.subject, reply, "+ACK");
    } else if (a.mode == 1) {
      plain_acks_++;
      c->publish(a.subject, "", "+ACK");
    } else {
      naks_++;
      c->publish(a.subject, "", "-NAK");
    }
  }
  world_.kick(pull_.cid);
}

void js_workload::on_puller_msg(const delivery& d) {
  if (auto it = pull_.ackacks.find(d.subject); it != pull_.ackacks.end()) {
    if (d.hmsg || !d.payload.empty()) return fail("an AckAck with a body: " + escape(d.header + d.payload, 80));
    oracle_.on_ack_confirmed(it->second);
    pull_.ackacks.erase(it);
    return;
  }
  // Statuses come on the fetch's reply subject, messages on their own
  // subject: with one fetch open at a time, each belongs to it.
  auto f = pull_.fetches.begin();
  if (f == pull_.fetches.end()) return fail("pull client: message on " + d.subject + " for no open fetch");
  if (d.hmsg && d.header.starts_with("NATS/1.0 ") && d.header.size() > 9 && d.header[9] != '\r') {
    const std::string code = d.header.substr(9, 3);
    if (code != "404" && code != "408") return fail("pull client: status " + escape(d.header, 80));
    if (d.subject != f->first) return fail("pull client: status " + code + " on " + d.subject + ", the fetch is " + f->first);
    pull_.fetches.erase(f);
    return;
  }
  if (--f->second == 0) pull_.fetches.erase(f);
  on_pull_data(d);
}

void js_workload::on_pull_data(const delivery& d) {
  ack_subject a;
  if (!parse_ack_subject(d.reply, a) || a.consumer != pull_name) {
    return fail("pull client: a message with reply '" + d.reply + "'");
  }
  oracle_.on_pull_delivery(a.sseq, a.dc, d.payload);
  int mode = -1;
  const int roll = static_cast<int>(rng_.below(100));
  if (finishing_ || roll < shape_.ack_confirm_pct) mode = 0;
  else if (roll < shape_.ack_confirm_pct + shape_.ack_plain_pct) mode = 1;
  else if (roll < shape_.ack_confirm_pct + shape_.ack_plain_pct + shape_.nak_pct) mode = 2;
  if (mode >= 0) pull_.acks.push_back(pending_ack{d.reply, a.sseq, mode});
}

// Ordered consumer: subscribe to the deliver subject first, then create it.
void js_workload::begin_ordered() {
  js_client* c = client(ord_.cid);
  if (c == nullptr || !c->ready()) return;
  ord_.begun = true;
  const std::string inbox = "_INBOX." + std::to_string(ord_.cid);
  ord_.deliver = inbox + ".d";
  ord_.create_reply = inbox + ".r.1";
  c->subscribe(inbox + ".r.*");
  ord_.deliver_sid = c->subscribe(ord_.deliver);
  std::string cfg = R"({"deliver_subject":")" + ord_.deliver + "\"";
  if (ord_.start_seq > 1) cfg += R"(,"deliver_policy":"by_start_sequence","opt_start_seq":)" + std::to_string(ord_.start_seq);
  else cfg += R"(,"deliver_policy":"all")";
  if (!ord_.filter.empty()) cfg += R"(,"filter_subject":")" + ord_.filter + "\"";
  cfg += R"(,"ack_policy":"none","max_deliver":1,"replay_policy":"instant","flow_control":true,"idle_heartbeat":)" +
         std::to_string(shape_.heartbeat_ns) + R"(,"mem_storage":true,"num_replicas":1,"inactive_threshold":)" +
         std::to_string(2 * sec) + "}";
  oracle_.ordered_begin(ord_.incarnation, ord_.start_seq, ord_.filter);
  trace_.line("ordered consumer #" + std::to_string(ord_.incarnation) + " from seq " + std::to_string(ord_.start_seq));
  c->publish("$JS.API.CONSUMER.CREATE.S", ord_.create_reply, R"({"stream_name":"S","config":)" + cfg + "}");
  world_.kick(ord_.cid);
}

void js_workload::on_ordered_msg(const delivery& d) {
  js_client* c = client(ord_.cid);
  if (d.subject == ord_.create_reply) {
    if (d.hmsg || d.payload.find("\"error\"") != std::string::npos) {
      return fail("ordered consumer create failed: " + escape(d.header + d.payload, 300));
    }
    ord_.created = true;
    return;
  }
  if (d.sid != ord_.deliver_sid) return fail("ordered client: unexpected message on " + d.subject);
  if (d.hmsg && d.header.starts_with("NATS/1.0 100 FlowControl Request")) {
    flow_controls_++;
    c->publish(d.reply, "", "");
    return;
  }
  if (d.hmsg && d.header.starts_with("NATS/1.0 100 Idle Heartbeat")) {
    oracle_.on_heartbeat(ord_.incarnation, to_u64(header_value(d.header, "Nats-Last-Consumer")));
    const std::string stalled = header_value(d.header, "Nats-Consumer-Stalled");
    if (!stalled.empty()) c->publish(stalled, "", "");
    return;
  }
  if (d.hmsg && d.header.starts_with("NATS/1.0 ") && d.header.size() > 9 && d.header[9] != '\r') {
    return fail("ordered client: status " + escape(d.header, 80));
  }
  if (fault_ == js_fault::reorder && --ord_.reorder_countdown == 0) {
    ord_.held = d;  // the injected bug: this one is handed over after the next
    return;
  }
  on_ordered_data(d);
  if (ord_.held) {
    const delivery late = std::move(*ord_.held);
    ord_.held.reset();
    on_ordered_data(late);
  }
}

void js_workload::on_ordered_data(const delivery& d) {
  ack_subject a;
  if (!parse_ack_subject(d.reply, a)) return fail("ordered client: a message with reply '" + d.reply + "'");
  if (ord_.name.empty()) ord_.name = a.consumer;
  if (a.consumer != ord_.name) return fail("ordered client: messages from consumers " + ord_.name + " and " + a.consumer);
  oracle_.on_ordered(ord_.incarnation, a.sseq, a.cseq, d.subject, d.payload);
}

void js_workload::advance() {
  std::int64_t dt = between(rng_, 0, 3 * ms);
  if (chance(rng_, static_cast<std::uint64_t>(shape_.jump_pct))) {  // ack_wait, heartbeats, fetch expiry
    jumps_++;
    dt = between(rng_, 100 * ms, 3 * sec);
  }
  world_.run_until(world_.now_ns() + dt);
}

bool js_workload::settled() const {
  for (const publisher& p : pubs_) {
    if (!p.inflight.empty()) return false;
  }
  if (!pull_.ackacks.empty() || !pull_.acks.empty() || !ord_.created) return false;
  return oracle_.ordered_caught_up(ord_.incarnation) && oracle_.pull_done();
}

// No more publishing; the pull client fetches and acks (with AckAck) until
// the consumer's ack floor is at the end of the stream.
void js_workload::finish() {
  finishing_ = true;
  for (auto& a : pull_.acks) a.mode = 0;
  for (int round = 0; round < 400 && !verdict_.failed() && !settled(); ++round) {
    if (!ord_.begun) begin_ordered();
    if (pull_.fetches.empty()) fetch(100, 100 * ms);
    do_acks(pull_.acks.size());
    world_.run_until(world_.now_ns() + 50 * ms);
  }
  if (verdict_.failed()) return;
  if (!settled()) {
    std::size_t inflight = 0;
    for (const publisher& p : pubs_) inflight += p.inflight.size();
    return fail("not settled after 20 s: " + std::to_string(inflight) + " publishes unacknowledged, " +
                std::to_string(pull_.ackacks.size()) + " AckAcks due, ordered consumer #" +
                std::to_string(ord_.incarnation) + (ord_.created ? "" : " (not created)") + " filter '" + ord_.filter + "' at seq " +
                std::to_string(oracle_.ordered_last_sseq(ord_.incarnation)) + ", stream at " +
                std::to_string(oracle_.stream_last_seq()) + ", pull consumer done=" +
                std::to_string(oracle_.pull_done()));
  }
  oracle_.check_end(ord_.incarnation);
}

std::string js_workload::summary() const {
  const js_oracle_stats& s = oracle_.stats();
  return "published=" + std::to_string(s.published) + " pubacks=" + std::to_string(s.pubacks) + " dups=" + std::to_string(s.duplicates) + " last_seq=" +
         std::to_string(oracle_.stream_last_seq()) + " pull=" + std::to_string(s.pull_deliveries) + " redelivered=" +
         std::to_string(s.pull_redeliveries) + " ackacks=" + std::to_string(s.acks_confirmed) + " plain_acks=" +
         std::to_string(plain_acks_) + " naks=" + std::to_string(naks_) + " fetches=" + std::to_string(fetches_) +
         " ordered=" + std::to_string(s.ordered_msgs) + " incarnations=" + std::to_string(s.incarnations) +
         " heartbeats=" + std::to_string(s.heartbeats) + " flow_controls=" + std::to_string(flow_controls_) +
         " abandoned=" + std::to_string(abandoned_pubs_) + " retried=" + std::to_string(retried_) + " restarts=" + std::to_string(world_.restarts()) + " batches=" + std::to_string(world_.storage_batches()) +
         " lost_batches=" + std::to_string(world_.batches_lost()) + " jumps=" + std::to_string(jumps_) +
         " virtual_ms=" + std::to_string(world_.now_ns() / ms);
}

run_result run_js_seed(const run_params& p, js_fault fault) {
  verdict v;
  trace_log trace(p.trace);
  base::prng rng(p.seed);
  const server::config cfg = make_jetstream_config(p.seed, 0x4a53, rng);
  const js_shape shape = make_js_shape(rng);
  const net_shape net = make_net_shape(rng, false);
  trace.line("js seed=" + std::to_string(p.seed) + " " + describe(shape) + " " + describe(net));
  oracle core_oracle(v, trace);  // the world reports core clients to it; there are none
  sim_world world(cfg, net, rng, core_oracle, v, trace);
  world.set_storage_latency_max(shape.disk_latency_max_ns);
  world.set_disk_faults(disk_faults{fault == js_fault::early_done, fault == js_fault::drop_consumer_state});
  js_oracle o(v, world.store(), store::stream_id{1}, pull_name);
  js_workload w(world, o, v, rng, trace, shape, p, fault);
  return run_steps(w, p, v, trace);
}

}  // namespace natrium::sim
