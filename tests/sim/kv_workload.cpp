#include "tests/sim/kv_workload.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "tests/sim/matcher.h"

namespace natrium::sim {

namespace {
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000'000'000;

kv_op op_from_headers(std::string_view headers) {
  const std::string op = header_value(headers, "KV-Operation");
  return op == "DEL" ? kv_op::del : op == "PURGE" ? kv_op::purge : kv_op::put;
}

bool is_status(const delivery& d) {
  return d.hmsg && d.header.starts_with("NATS/1.0 ") && d.header.size() > 9 && d.header[9] != '\r';
}

std::string base64_decode(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v = -1;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    if (v < 0) continue;  // '=' padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>
struct ack_info {
  std::string consumer;
  std::uint64_t sseq = 0, cseq = 0, pending = 0;
};
bool parse_ack(const std::string& s, const std::string& stream, ack_info& a) {
  const auto t = split_tokens(s);
  if (t.size() != 9 || t[0] != "$JS" || t[1] != "ACK" || t[2] != stream) return false;
  a.consumer.assign(t[3]);
  a.sseq = to_u64(t[5]);
  a.cseq = to_u64(t[6]);
  a.pending = to_u64(t[8]);
  return a.sseq > 0 && a.cseq > 0 && (t[8] == "0" || a.pending > 0);
}
}  // namespace

std::optional<kv_entry> kv_disk_view::load(std::uint64_t rev) const {
  auto m = disk_.load(stream_, rev);
  if (!m || !*m) return std::nullopt;
  const store::stored_msg& sm = **m;
  kv_entry e;
  e.key = sm.subject.starts_with(prefix_) ? sm.subject.substr(prefix_.size()) : "?" + sm.subject;
  e.op = op_from_headers(sm.headers);
  e.value = sm.payload;
  return e;
}

std::uint64_t kv_disk_view::last_seq() const {
  auto st = disk_.state(stream_);
  return st ? st->last_seq : 0;
}

kv_shape make_kv_shape(base::prng& rng) {
  kv_shape s;
  s.clients = pick(rng, 2, 5);
  s.keys = chance(rng, 30) ? pick(rng, 1, 3) : pick(rng, 4, 16);
  const int histories[] = {1, 2, 3, 5, 10, 64};
  s.history = histories[rng.below(6)];
  s.max_inflight = chance(rng, 40) ? 1 : pick(rng, 2, 4);
  s.op_pm = pick(rng, 300, 900);
  s.put_pct = pick(rng, 10, 40);
  s.create_pct = pick(rng, 0, 20);
  s.update_pct = pick(rng, 5, 30);
  s.del_pct = pick(rng, 0, 12);
  s.purge_pct = pick(rng, 0, 6);
  s.get_subject_pct = pick(rng, 0, 100);
  s.get_json_pct = pick(rng, 0, 100 - s.get_subject_pct);
  s.watchers = pick(rng, 0, 3);
  s.watch_history_pct = pick(rng, 0, 100);
  s.watch_key_pct = pick(rng, 0, 60);
  s.crashes = pick(rng, 0, 5);
  s.keep_pct = pick(rng, 0, 100);
  s.jump_pct = pick(rng, 0, 3);
  s.disk_latency_max_ns = chance(rng, 50) ? storage_latency_max_default_ns : between(rng, 5, 40) * ms;
  s.heartbeat_ns = between(rng, 200, 5000) * ms;
  return s;
}

std::string describe(const kv_shape& s) {
  return "clients=" + std::to_string(s.clients) + " keys=" + std::to_string(s.keys) + " history=" +
         std::to_string(s.history) + " inflight=" + std::to_string(s.max_inflight) + " op_pm=" +
         std::to_string(s.op_pm) + " put/create/update/del/purge%=" + std::to_string(s.put_pct) + "/" +
         std::to_string(s.create_pct) + "/" + std::to_string(s.update_pct) + "/" + std::to_string(s.del_pct) + "/" +
         std::to_string(s.purge_pct) + " get subject/json%=" + std::to_string(s.get_subject_pct) + "/" +
         std::to_string(s.get_json_pct) + " watchers=" + std::to_string(s.watchers) + " watch history/key%=" +
         std::to_string(s.watch_history_pct) + "/" + std::to_string(s.watch_key_pct) + " crashes=" +
         std::to_string(s.crashes) + " keep=" + std::to_string(s.keep_pct) + " jump=" + std::to_string(s.jump_pct) +
         " disk_latency_max_us=" + std::to_string(s.disk_latency_max_ns / 1000) + " heartbeat_ms=" +
         std::to_string(s.heartbeat_ns / ms);
}

kv_workload::kv_workload(sim_world& w, kv_checker& k, verdict& v, base::prng& rng, trace_log& t, const kv_shape& s,
                         const run_params& p, kv_fault fault)
    : world_(w), checker_(k), verdict_(v), rng_(rng), trace_(t), shape_(s), params_(p), fault_(fault),
      stream_("KV_" + bucket_), prefix_("$KV." + bucket_ + "."),
      disk_(w.store(), store::stream_id{1}, prefix_) {
  checker_.set_bucket_prefix(prefix_);
  for (int i = 0; i < shape_.crashes; ++i) crash_steps_.insert(pick(rng_, std::max(1, p.steps / 10), p.steps - 1));
  users_.resize(static_cast<std::size_t>(shape_.clients));
  watchers_.resize(static_cast<std::size_t>(shape_.watchers));
  for (std::size_t i = 0; i < watchers_.size(); ++i) {
    kv_watcher& w = watchers_[i];
    w.index = static_cast<int>(i);
    w.history = chance(rng_, static_cast<std::uint64_t>(shape_.watch_history_pct));
    w.filter = chance(rng_, static_cast<std::uint64_t>(shape_.watch_key_pct))
                   ? prefix_ + "k" + std::to_string(rng_.below(static_cast<std::uint64_t>(shape_.keys)))
                   : prefix_ + ">";
  }
}

js_client* kv_workload::client(int cid) { return cid == 0 ? nullptr : static_cast<js_client*>(world_.peer(cid)); }

// The bucket, as a client's KV init creates it.
void kv_workload::setup() {
  setup_cid_ = world_.open_peer([this](int id) {
    return std::make_unique<js_client>(id, verdict_, [this](const delivery& d) {
      if (d.hmsg || d.payload.find("\"error\"") != std::string::npos || d.payload.find("\"config\"") == std::string::npos) {
        return fail("bucket creation failed: " + escape(d.header + d.payload, 300));
      }
      setup_done_ = true;
    });
  });
  for (int i = 0; i < 100 && !verdict_.failed() && !client(setup_cid_)->ready(); ++i) world_.run_until(world_.now_ns() + ms);
  js_client* c = client(setup_cid_);
  if (!c->ready()) return fail("setup client never became ready");
  const std::string inbox = "_INBOX." + std::to_string(setup_cid_) + ".1";
  c->subscribe(inbox);
  c->publish("$JS.API.STREAM.CREATE." + stream_, inbox,
             R"({"name":")" + stream_ + R"(","retention":"limits","max_msgs_per_subject":)" +
                 std::to_string(shape_.history) + R"(,"max_msg_size":-1,"storage":"file","subjects":[")" + prefix_ +
                 R"(>"],"discard":"new","allow_direct":true,"num_replicas":1,"allow_rollup_hdrs":true,"deny_delete":true})");
  world_.kick(setup_cid_);
  for (int i = 0; i < 500 && !verdict_.failed() && !setup_done_; ++i) world_.run_until(world_.now_ns() + ms);
  if (!setup_done_) return fail("bucket creation got no reply");
  open_clients();
}

void kv_workload::open_clients() {
  for (std::size_t i = 0; i < users_.size(); ++i) {
    std::map<std::string, std::uint64_t> known = std::move(users_[i].known);
    users_[i] = kv_user{};
    users_[i].known = std::move(known);
    users_[i].cid = world_.open_peer([this, i](int id) {
      return std::make_unique<js_client>(id, verdict_, [this, i](const delivery& d) { on_user_msg(i, d); });
    });
  }
  for (std::size_t i = 0; i < watchers_.size(); ++i) {
    kv_watcher& w = watchers_[i];
    w.begun = w.created = false;
    w.consumer.clear();
    w.held.reset();
    w.cid = world_.open_peer([this, i](int id) {
      return std::make_unique<js_client>(id, verdict_, [this, i](const delivery& d) { on_watch_msg(i, d); });
    });
  }
}

void kv_workload::crash() {
  world_.crash_and_restart(shape_.keep_pct);
  if (verdict_.failed()) return;
  checker_.crashed(world_.now_ns());
  checker_.check_disk(disk_, "after restart " + std::to_string(world_.restarts()));
  open_clients();
}

void kv_workload::step(int n) {
  if (crash_steps_.count(n) != 0) crash();
  if (verdict_.failed()) return;
  for (kv_watcher& w : watchers_) {
    if (!w.begun) begin_watch(w);
  }
  if (static_cast<int>(rng_.below(1000)) < shape_.op_pm && !users_.empty()) start_call(users_[rng_.below(users_.size())]);
  advance();
}

void kv_workload::start_call(kv_user& u) {
  js_client* c = client(u.cid);
  if (c == nullptr || !c->ready() || static_cast<int>(u.calls.size()) >= shape_.max_inflight) return;
  if (!u.subscribed) {
    c->subscribe("_INBOX." + std::to_string(u.cid) + ".*");
    u.subscribed = true;
  }
  const std::string key = "k" + std::to_string(rng_.below(static_cast<std::uint64_t>(shape_.keys)));
  int roll = static_cast<int>(rng_.below(100));
  const auto take = [&roll](int pct) {
    if (roll < pct) return true;
    roll -= pct;
    return false;
  };
  if (take(shape_.put_pct)) send_write(u, kv_call::put, key);
  else if (take(shape_.create_pct)) send_write(u, kv_call::create, key);
  else if (take(shape_.update_pct)) send_write(u, kv_call::update, key);
  else if (take(shape_.del_pct)) send_write(u, kv_call::del, key);
  else if (take(shape_.purge_pct)) send_write(u, kv_call::purge, key);
  else send_get(u, key);
  world_.kick(u.cid);
}

void kv_workload::send_write(kv_user& u, kv_call kind, const std::string& key) {
  std::string value, header;
  std::uint64_t expected = 0;
  if (kind == kv_call::put || kind == kv_call::create || kind == kv_call::update) {
    value = "v" + std::to_string(next_value_++) + "." + std::to_string(u.cid);
  }
  if (kind == kv_call::update) {
    auto k = u.known.find(key);
    expected = k == u.known.end() ? 1 + rng_.below(8) : k->second;
    if (chance(rng_, 15) && expected > 1) expected--;  // deliberately stale now and then
  }
  if (kind == kv_call::create || kind == kv_call::update) {
    header = "NATS/1.0\r\nNats-Expected-Last-Subject-Sequence: " + std::to_string(expected) + "\r\n\r\n";
  } else if (kind == kv_call::del) {
    header = "NATS/1.0\r\nKV-Operation: DEL\r\n\r\n";
  } else if (kind == kv_call::purge) {
    header = "NATS/1.0\r\nKV-Operation: PURGE\r\nNats-Rollup: sub\r\n\r\n";
  }
  const std::string reply = "_INBOX." + std::to_string(u.cid) + "." + std::to_string(u.next++);
  const int id = checker_.invoke(u.cid, kind, key, value, expected, world_.now_ns());
  u.calls[reply] = pending{id, kind, key, get_form::subject};
  client(u.cid)->publish(prefix_ + key, reply, value, header);
}

void kv_workload::send_get(kv_user& u, const std::string& key) {
  const std::string reply = "_INBOX." + std::to_string(u.cid) + "." + std::to_string(u.next++);
  const int roll = static_cast<int>(rng_.below(100));
  const get_form form = roll < shape_.get_subject_pct                        ? get_form::subject
                        : roll < shape_.get_subject_pct + shape_.get_json_pct ? get_form::json
                                                                              : get_form::msg_get;
  by_form_[static_cast<int>(form)]++;
  const int id = checker_.invoke(u.cid, kv_call::get, key, "", 0, world_.now_ns());
  u.calls[reply] = pending{id, kv_call::get, key, form};
  const std::string body = R"({"last_by_subj":")" + prefix_ + key + "\"}";
  js_client* c = client(u.cid);
  if (form == get_form::subject) c->publish("$JS.API.DIRECT.GET." + stream_ + "." + prefix_ + key, reply, "");
  else if (form == get_form::json) c->publish("$JS.API.DIRECT.GET." + stream_, reply, body);
  else c->publish("$JS.API.STREAM.MSG.GET." + stream_, reply, body);
}

void kv_workload::on_user_msg(std::size_t i, const delivery& d) {
  kv_user& u = users_[i];
  auto it = u.calls.find(d.subject);
  if (it == u.calls.end()) return fail("c" + std::to_string(u.cid) + ": unexpected message on " + d.subject);
  const pending p = it->second;
  u.calls.erase(it);
  if (p.kind == kv_call::get) on_get_reply(u, p, d);
  else on_write_reply(u, p, d);
}

void kv_workload::on_write_reply(kv_user& u, const pending& p, const delivery& d) {
  const std::string what = "c" + std::to_string(u.cid) + " " + kv_call_name(p.kind) + " " + p.key;
  if (d.hmsg) return fail(what + ": a status instead of a PubAck: " + escape(d.header, 80));
  const auto j = nlohmann::json::parse(d.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(what + ": unparsable reply " + escape(d.payload, 200));
  if (j.contains("error")) {
    const auto& e = j["error"];
    const std::string desc = e.value("description", "");
    const std::string head = "wrong last sequence: ";
    if (e.value("err_code", 0) != 10071 || !desc.starts_with(head)) return fail(what + ": error " + escape(d.payload, 200));
    const std::uint64_t last = to_u64(desc.substr(head.size()));
    if (last > 0) u.known[p.key] = last;
    return checker_.write_refused(p.id, last, world_.now_ns());
  }
  if (j.value("stream", "") != stream_ || !j.contains("seq") || !j["seq"].is_number_unsigned()) {
    return fail(what + ": unexpected PubAck " + escape(d.payload, 200));
  }
  std::uint64_t rev = j["seq"].get<std::uint64_t>();
  u.known[p.key] = rev;
  if (fault_ == kv_fault::lost_ack && --fault_countdown_ == 0) rev += 1000;  // as if acked at a revision never written
  checker_.write_acked(p.id, rev, world_.now_ns());
}

void kv_workload::on_get_reply(kv_user& u, const pending& p, const delivery& d) {
  const std::string what = "c" + std::to_string(u.cid) + " get " + p.key;
  std::uint64_t rev = 0;
  kv_entry e;
  if (p.form == get_form::msg_get) {
    if (d.hmsg) return fail(what + ": a status " + escape(d.header, 80));
    const auto j = nlohmann::json::parse(d.payload, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail(what + ": unparsable reply " + escape(d.payload, 200));
    if (j.contains("error")) {
      if (j["error"].value("err_code", 0) != 10037) return fail(what + ": error " + escape(d.payload, 200));
      return on_get_missing(p);
    }
    if (!j.contains("message") || !j["message"].is_object()) return fail(what + ": no message in " + escape(d.payload, 200));
    const auto& m = j["message"];
    rev = m.value("seq", std::uint64_t{0});
    const std::string subject = m.value("subject", "");
    e.key = subject.starts_with(prefix_) ? subject.substr(prefix_.size()) : "?" + subject;
    e.op = op_from_headers(base64_decode(m.value("hdrs", "")));
    e.value = base64_decode(m.value("data", ""));
  } else {
    if (is_status(d)) {
      if (!d.header.starts_with("NATS/1.0 404")) return fail(what + ": status " + escape(d.header, 80));
      return on_get_missing(p);
    }
    if (!d.hmsg || header_value(d.header, "Nats-Stream") != stream_) return fail(what + ": reply " + escape(d.header + d.payload, 200));
    rev = to_u64(header_value(d.header, "Nats-Sequence"));
    const std::string subject = header_value(d.header, "Nats-Subject");
    e.key = subject.starts_with(prefix_) ? subject.substr(prefix_.size()) : "?" + subject;
    e.op = op_from_headers(d.header);
    e.value = d.payload;
  }
  u.known[p.key] = rev;
  if (fault_ == kv_fault::stale_read && rev > 1 && --fault_countdown_ <= 0 && fault_countdown_ > -1000) {
    // The injected bug: report the key's previous revision the disk still holds.
    for (std::uint64_t q = rev - 1; q > 0; --q) {
      auto old = disk_.load(q);
      if (old && old->key == p.key) {
        fault_countdown_ = -1000;
        rev = q;
        e = *old;
        break;
      }
    }
  }
  checker_.get_found(p.id, rev, e, world_.now_ns());
}

// A "not found" is a read of the key before its first write.
void kv_workload::on_get_missing(const pending& p) { checker_.get_missing(p.id, world_.now_ns()); }

// An ordered consumer: subscribe to the deliver subject, then create it (from
// the last revision + 1 once it has seen one, as an ordered consumer resets).
void kv_workload::begin_watch(kv_watcher& w) {
  js_client* c = client(w.cid);
  if (c == nullptr || !c->ready()) return;
  w.begun = true;
  const std::string inbox = "_INBOX." + std::to_string(w.cid);
  w.deliver = inbox + ".d";
  w.create_reply = inbox + ".r";
  c->subscribe(w.create_reply);
  w.deliver_sid = c->subscribe(w.deliver);
  const std::uint64_t last = checker_.watch_last_rev(w.index);
  std::string cfg = R"({"deliver_policy":")";
  if (last > 0) cfg += R"(by_start_sequence","opt_start_seq":)" + std::to_string(last + 1);
  else cfg += w.history ? "all\"" : "last_per_subject\"";
  cfg += R"(,"ack_policy":"none","filter_subject":")" + w.filter + R"(","flow_control":true,"idle_heartbeat":)" +
         std::to_string(shape_.heartbeat_ns) + R"(,"headers_only":false,"deliver_subject":")" + w.deliver +
         R"(","max_deliver":1,"mem_storage":true,"num_replicas":1,"replay_policy":"instant","inactive_threshold":)" +
         std::to_string(5 * sec) + "}";
  checker_.watch_begin(w.index, w.filter, last == 0 && !w.history, world_.now_ns());
  trace_.line("watcher w" + std::to_string(w.index) + " from rev " + std::to_string(last + 1));
  c->publish("$JS.API.CONSUMER.CREATE." + stream_, w.create_reply,
             R"({"stream_name":")" + stream_ + R"(","config":)" + cfg + "}");
  world_.kick(w.cid);
}

void kv_workload::on_watch_msg(std::size_t i, const delivery& d) {
  kv_watcher& w = watchers_[i];
  js_client* c = client(w.cid);
  if (d.subject == w.create_reply) {
    const auto j = nlohmann::json::parse(d.payload, nullptr, false);
    if (d.hmsg || j.is_discarded() || !j.is_object() || j.contains("error")) {
      return fail("watcher w" + std::to_string(i) + " consumer create failed: " + escape(d.header + d.payload, 300));
    }
    w.created = true;
    if (j.value("num_pending", std::uint64_t{1}) == 0 && j.contains("delivered") &&
        j["delivered"].value("consumer_seq", std::uint64_t{1}) == 0) {
      checker_.watch_initialized(w.index, world_.now_ns());
    }
    return;
  }
  if (d.sid != w.deliver_sid) return fail("watcher w" + std::to_string(i) + ": unexpected message on " + d.subject);
  if (d.hmsg && d.header.starts_with("NATS/1.0 100 FlowControl Request")) {
    flow_controls_++;
    c->publish(d.reply, "", "");
    world_.kick(w.cid);
    return;
  }
  if (d.hmsg && d.header.starts_with("NATS/1.0 100 Idle Heartbeat")) {
    heartbeats_++;
    const std::string stalled = header_value(d.header, "Nats-Consumer-Stalled");
    if (!stalled.empty()) {
      c->publish(stalled, "", "");
      world_.kick(w.cid);
    }
    return;
  }
  if (is_status(d)) return fail("watcher w" + std::to_string(i) + ": status " + escape(d.header, 80));
  if (fault_ == kv_fault::watch_reorder && !w.held && --fault_countdown_ == 0) {
    w.held = d;  // the injected bug: handed over after the next one
    return;
  }
  on_watch_data(w, d);
  if (w.held && fault_ == kv_fault::watch_reorder && fault_countdown_ <= 0) {
    const delivery late = std::move(*w.held);
    w.held.reset();
    fault_countdown_ = 1'000'000;
    on_watch_data(w, late);
  }
}

void kv_workload::on_watch_data(kv_watcher& w, const delivery& d) {
  ack_info a;
  if (!parse_ack(d.reply, stream_, a)) return fail("watcher w" + std::to_string(w.index) + ": reply '" + d.reply + "'");
  if (w.consumer.empty()) w.consumer = a.consumer;
  if (a.consumer != w.consumer) return fail("watcher w" + std::to_string(w.index) + ": two consumers " + w.consumer + " and " + a.consumer);
  kv_entry e;
  e.key = d.subject.starts_with(prefix_) ? d.subject.substr(prefix_.size()) : "?" + d.subject;
  e.op = op_from_headers(d.header);
  e.value = d.payload;
  checker_.watch_delivery(w.index, a.sseq, a.cseq, a.pending, e, d.subject, disk_, world_.now_ns());
}

void kv_workload::advance() {
  std::int64_t dt = between(rng_, 0, 3 * ms);
  if (chance(rng_, static_cast<std::uint64_t>(shape_.jump_pct))) {
    jumps_++;
    dt = between(rng_, 100 * ms, 3 * sec);
  }
  world_.run_until(world_.now_ns() + dt);
}

bool kv_workload::settled() const {
  for (const kv_user& u : users_) {
    if (!u.calls.empty()) return false;
  }
  for (const kv_watcher& w : watchers_) {
    if (!w.created || !checker_.watch_caught_up(w.index, disk_)) return false;
  }
  return true;
}

// No new calls; every open one is answered and every watcher catches up.
void kv_workload::finish() {
  finishing_ = true;
  for (int round = 0; round < 400 && !verdict_.failed() && !settled(); ++round) {
    for (kv_watcher& w : watchers_) {
      if (!w.begun) begin_watch(w);
    }
    world_.run_until(world_.now_ns() + 50 * ms);
  }
  if (verdict_.failed()) return;
  if (!settled()) {
    std::size_t open = 0;
    for (const kv_user& u : users_) open += u.calls.size();
    return fail("not settled after 20 s: " + std::to_string(open) + " calls unanswered, stream at " +
                std::to_string(disk_.last_seq()));
  }
  checker_.check_end(disk_);
}

std::string kv_workload::summary() const {
  const kv_checker_stats& s = checker_.stats();
  return "calls=" + std::to_string(s.calls) + " acked=" + std::to_string(s.writes_acked) + " refused=" +
         std::to_string(s.conditional_refused) + " gets=" + std::to_string(s.gets) + " (missing " +
         std::to_string(s.gets_missing) + ", subject/json/msg_get " + std::to_string(by_form_[0]) + "/" +
         std::to_string(by_form_[1]) + "/" + std::to_string(by_form_[2]) + ") unanswered=" +
         std::to_string(s.unanswered) + " last_rev=" + std::to_string(disk_.last_seq()) + " linearized_writes=" +
         std::to_string(s.linearized_writes) + " reads_checked=" + std::to_string(s.reads_checked) +
         " watch_deliveries=" + std::to_string(s.watch_deliveries) + " incarnations=" +
         std::to_string(s.watch_incarnations) + " flow_controls=" + std::to_string(flow_controls_) +
         " heartbeats=" + std::to_string(heartbeats_) + " restarts=" + std::to_string(world_.restarts()) +
         " lost_batches=" + std::to_string(world_.batches_lost()) + " jumps=" + std::to_string(jumps_) +
         " virtual_ms=" + std::to_string(world_.now_ns() / ms);
}

run_result run_kv_seed(const run_params& p, kv_fault fault) {
  verdict v;
  trace_log trace(p.trace);
  base::prng rng(p.seed);
  const server::config cfg = make_jetstream_config(p.seed, 0x4b56, rng);
  const kv_shape shape = make_kv_shape(rng);
  const net_shape net = make_net_shape(rng, false);
  trace.line("kv seed=" + std::to_string(p.seed) + " " + describe(shape) + " " + describe(net));
  oracle core_oracle(v, trace);  // the world reports core clients to it; there are none
  sim_world world(cfg, net, rng, core_oracle, v, trace);
  world.set_storage_latency_max(shape.disk_latency_max_ns);
  kv_checker checker(v, shape.history);
  kv_workload w(world, checker, v, rng, trace, shape, p, fault);
  return run_steps(w, p, v, trace);
}

}  // namespace natrium::sim
