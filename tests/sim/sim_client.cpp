#include "tests/sim/sim_client.h"

namespace natrium::sim {

namespace {
std::string flag(bool b) { return b ? "true" : "false"; }
constexpr proto::parser_limits client_limits{64 * 1024, 64 * 1024 * 1024};
client_op pong_op() {
  client_op op;
  op.type = op_type::pong;
  return op;
}
}  // namespace

sim_client::sim_client(int id, const client_profile& profile, client_env env)
    : id_(id), profile_(profile), env_(env), parser_(proto::parser_role::client, client_limits) {}

void sim_client::write(client_op op, const std::string& bytes) {
  if (closed_ || silent_) return;
  out_ += bytes;
  pending_.emplace_back(base_ + out_.size(), std::move(op));
}

void sim_client::consumed(std::size_t n, std::vector<client_op>& done) {
  sent_ += n;
  while (!pending_.empty() && pending_.front().first <= sent_) {
    done.push_back(std::move(pending_.front().second));
    pending_.pop_front();
  }
  if (sent_ - base_ > 64 * 1024) {  // drop the consumed prefix now and then
    out_.erase(0, sent_ - base_);
    base_ = sent_;
  }
}

void sim_client::send_connect() {
  const client_profile& p = profile_;
  client_op op;
  op.type = op_type::connect;
  op.profile = p;
  write(op, "CONNECT {\"verbose\":" + flag(p.verbose) + ",\"pedantic\":" + flag(p.pedantic) +
                ",\"echo\":" + flag(p.echo) + ",\"headers\":" + flag(p.headers) + ",\"no_responders\":" +
                flag(p.no_responders) + ",\"protocol\":1,\"name\":\"sim-" + std::to_string(id_) +
                "\",\"lang\":\"sim\",\"version\":\"0.0.0\"}\r\n");
  connect_sent_ = true;
  if (p.inbox) {
    inbox_sid_ = next_sid();
    client_op sub;
    sub.type = op_type::sub;
    sub.sid = inbox_sid_;
    sub.subject = "_INBOX." + std::to_string(id_) + ".*";
    write(sub, "SUB " + sub.subject + " " + sub.sid + "\r\n");
  }
}

void sim_client::subscribe(const std::string& subject, const std::string& queue) {
  client_op op;
  op.type = op_type::sub;
  op.sid = next_sid();
  op.subject = subject;
  op.queue = queue;
  live_sids_.push_back(op.sid);
  write(op, "SUB " + subject + (queue.empty() ? "" : " " + queue) + " " + op.sid + "\r\n");
}

bool sim_client::unsubscribe_random(std::int64_t max) {
  if (live_sids_.empty()) return false;
  const std::size_t i = env_.rng.below(live_sids_.size());
  client_op op;
  op.type = op_type::unsub;
  op.sid = live_sids_[i];
  op.max = max;
  if (max == 0) live_sids_.erase(live_sids_.begin() + static_cast<std::ptrdiff_t>(i));
  write(op, "UNSUB " + op.sid + (max > 0 ? " " + std::to_string(max) : "") + "\r\n");
  return true;
}

std::string sim_client::make_payload(std::uint64_t seq) {
  std::string p = std::to_string(id_) + "." + std::to_string(seq) + ":";
  const std::uint64_t roll = env_.rng.below(100);
  const std::uint64_t len = roll < 80 ? env_.rng.below(32) : roll < 96 ? env_.rng.below(1200) : env_.rng.below(6000);
  for (std::uint64_t i = 0; i < len; ++i) p.push_back(static_cast<char>('a' + (seq * 7 + i) % 26));
  return p;
}

void sim_client::publish(const std::string& subject, const std::string& reply, bool hpub) {
  client_op op;
  op.type = op_type::pub;
  op.seq = next_seq_++;
  op.subject = subject;
  op.reply = reply;
  op.payload = make_payload(op.seq);
  op.hpub = hpub && profile_.headers;
  const std::string head = subject + (reply.empty() ? "" : " " + reply) + " ";
  if (op.hpub) {
    op.header = "NATS/1.0\r\nX-Sim: " + std::to_string(id_) + "." + std::to_string(op.seq) + "\r\n\r\n";
    const std::size_t total = op.header.size() + op.payload.size();
    const std::string bytes = "HPUB " + head + std::to_string(op.header.size()) + " " + std::to_string(total) +
                              "\r\n" + op.header + op.payload + "\r\n";
    write(op, bytes);
  } else {
    const std::string bytes = "PUB " + head + std::to_string(op.payload.size()) + "\r\n" + op.payload + "\r\n";
    write(op, bytes);
  }
}

// A request: a PUB whose reply subject is unique and, when the client has one,
// under its inbox subscription.
void sim_client::request(const std::string& subject, bool hpub) {
  publish(subject, "_INBOX." + std::to_string(id_) + "." + std::to_string(next_request_++), hpub);
}

void sim_client::ping() {
  client_op op;
  op.type = op_type::ping;
  write(op, "PING\r\n");
}

void sim_client::go_silent() {
  for (const std::string& sid : live_sids_) {
    client_op op;
    op.type = op_type::unsub;
    op.sid = sid;
    write(op, "UNSUB " + sid + "\r\n");
  }
  live_sids_.clear();
  if (!inbox_sid_.empty()) {
    client_op op;
    op.type = op_type::unsub;
    op.sid = inbox_sid_;
    write(op, "UNSUB " + inbox_sid_ + "\r\n");
    inbox_sid_.clear();
  }
  ping();  // the barrier that settles everything sent to this client so far
  silent_ = true;
}

void sim_client::on_received(std::string_view bytes) {
  if (closed_) return fail("received bytes after the connection closed");
  proto::op op;
  for (;;) {
    const proto::parse_status st = parser_.next(bytes, op);
    if (st == proto::parse_status::need_more) break;
    if (st == proto::parse_status::error) {
      return fail("cannot parse the server's output (parse error " +
                  std::to_string(static_cast<int>(parser_.error())) + ")");
    }
    handle(op);
  }
}

void sim_client::handle(const proto::op& op) {
  using proto::op_kind;
  if (!info_seen_ && op.kind != op_kind::info) return fail("the server wrote before INFO");
  switch (op.kind) {
    case op_kind::info:
      if (info_seen_) return fail("second INFO");
      info_seen_ = true;
      send_connect();
      break;
    case op_kind::msg:
    case op_kind::hmsg: handle_msg(op); break;
    case op_kind::ping:
      if (silent_) unanswered_pings_++;
      else write(pong_op(), "PONG\r\n");
      break;
    case op_kind::pong: env_.oracle_ref.on_pong(id_); break;
    case op_kind::ok: env_.oracle_ref.on_ok(id_); break;
    case op_kind::err: handle_err(op.json); break;
    default: fail("unexpected op kind " + std::to_string(static_cast<int>(op.kind)));
  }
}

void sim_client::handle_msg(const proto::op& op) {
  delivery d;
  d.hmsg = op.kind == proto::op_kind::hmsg;
  d.sid.assign(op.sid);
  d.subject.assign(op.subject);
  d.reply.assign(op.reply);
  const std::size_t hs = d.hmsg ? op.header_size : 0;
  if (hs > op.payload.size()) return fail("HMSG header size beyond its payload");
  d.header.assign(op.payload.substr(0, hs));
  d.payload.assign(op.payload.substr(hs));
  const bool is_503 = d.hmsg && d.header.starts_with("NATS/1.0 503");
  if (is_503 || !inject(d)) report(d);
  if (profile_.responder && !silent_ && !d.reply.empty() && !is_503 && chance(env_.rng, 70)) {
    publish(d.reply, "", chance(env_.rng, 30));
  }
}

void sim_client::report(const delivery& d) {
  env_.oracle_ref.on_delivery(id_, d);
  if (held_ && held_->payload != d.payload) {
    const delivery late = std::move(*held_);
    held_.reset();
    env_.oracle_ref.on_delivery(id_, late);
  }
}

// The fault, if one is due: returns true if it took care of reporting d.
bool sim_client::inject(const delivery& d) {
  fault_injector* f = env_.fault;
  if (f == nullptr || f->kind == fault_kind::none || f->fired || --f->countdown > 0) return false;
  f->fired = true;
  switch (f->kind) {
    case fault_kind::drop: return true;
    case fault_kind::dup:
      report(d);
      report(d);
      return true;
    case fault_kind::misroute: {
      delivery wrong = d;
      wrong.sid = "999";
      report(wrong);
      return true;
    }
    case fault_kind::reorder: held_ = d; return true;
    case fault_kind::none: break;
  }
  return false;
}

void sim_client::handle_err(std::string_view text) {
  if (text != "Stale Connection") return fail("unexpected -ERR '" + std::string(text) + "'");
  if (!silent_) return fail("-ERR 'Stale Connection' although it answers every PING");
  if (unanswered_pings_ != env_.ping_max) {
    return fail("-ERR 'Stale Connection' after " + std::to_string(unanswered_pings_) +
                " unanswered PINGs, ping_max is " + std::to_string(env_.ping_max));
  }
  got_stale_ = true;
}

void sim_client::on_eof() {
  if (closed_) return;
  closed_ = true;
  if (dropped_) return;
  if (!got_stale_) return fail("the server closed the connection without -ERR 'Stale Connection'");
  env_.oracle_ref.on_server_closed(id_);
}

}  // namespace natrium::sim
