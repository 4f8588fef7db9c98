// node: the client protocol ops (CONNECT, PUB/HPUB, SUB, UNSUB, PING, PONG)
// and message delivery with queue groups and no-responders.
#include <charconv>

#include "core/base/assert.h"
#include "core/proto/encoder.h"
#include "core/proto/headers.h"
#include "core/server/node_impl.h"
#include "core/subject/subject.h"

namespace natrium::server {

void node::impl::on_bytes(connection& c, std::string_view data) {
  c.last_activity = now;
  proto::op op;
  while (c.state == conn_state::open) {
    const auto st = c.parser.next(data, op);
    if (st == proto::parse_status::need_more) break;
    if (st == proto::parse_status::error) {
      on_parse_error(c);
      break;
    }
    apply(c, op);
  }
  apply_stall(c);
}

void node::impl::on_parse_error(connection& c) {
  const proto::parse_error e = c.parser.error();
  const std::string_view text = proto::parser::error_text(e);
  if (!text.empty()) send_err(c, text);
  close_reason why = close_reason::parse_error;
  if (e == proto::parse_error::payload_too_big) why = close_reason::max_payload;
  if (e == proto::parse_error::control_line_long) why = close_reason::max_control_line;
  log(log_level::error, conn_prefix(c) + "Client parser ERROR: " + std::string(text.empty() ? "parse error" : text));
  close(c, why, true);
}

namespace {

// The op as nats-server traces it: "<<- [PUB foo reply 5]".
std::string trace_text(const proto::op& op) {
  using proto::op_kind;
  auto join = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) {
      if (p.empty()) continue;
      if (!out.empty()) out += ' ';
      out += p;
    }
    return out;
  };
  const std::string size = std::to_string(op.payload.size());
  switch (op.kind) {
    case op_kind::connect: return join({"CONNECT", op.json});
    case op_kind::pub: return join({"PUB", op.subject, op.reply, size});
    case op_kind::hpub: return join({"HPUB", op.subject, op.reply, std::to_string(op.header_size), size});
    case op_kind::sub: return join({"SUB", op.subject, op.queue, op.sid});
    case op_kind::unsub: return join({"UNSUB", op.sid, op.max_msgs > 0 ? std::to_string(op.max_msgs) : ""});
    case op_kind::ping: return "PING";
    case op_kind::pong: return "PONG";
    default: return "?";
  }
}

}  // namespace

std::string node::impl::conn_prefix(const connection& c) const {
  return c.ip + ":" + std::to_string(c.port) + " - cid:" + std::to_string(c.id.value) + " - ";
}

void node::impl::trace_in(const connection& c, const proto::op& op) {
  log(log_level::trace, conn_prefix(c) + "<<- [" + trace_text(op) + "]");
  if (op.kind == proto::op_kind::pub || op.kind == proto::op_kind::hpub) {
    std::string payload(op.payload.substr(0, 128));
    log(log_level::trace, conn_prefix(c) + "<<- MSG_PAYLOAD: [\"" + payload + (op.payload.size() > 128 ? "...\"]" : "\"]"));
  }
}

void node::impl::apply(connection& c, const proto::op& op) {
  using proto::op_kind;
  if (cfg.trace) trace_in(c, op);
  switch (op.kind) {
    case op_kind::connect: process_connect(c, op.json); break;
    case op_kind::pub:
    case op_kind::hpub: process_pub(c, op); break;
    case op_kind::sub: process_sub(c, op); break;
    case op_kind::unsub: process_unsub(c, op); break;
    case op_kind::ping: process_ping(c); break;
    case op_kind::pong:
      c.pings_out = 0;
      if (c.ping_sent_once) c.rtt_ns = std::max<std::int64_t>(1, now.ns - c.last_ping_sent.ns);  // connz rtt
      break;
    case op_kind::info: {
      client_options ignored;  // nats-server ignores a client's INFO, but not bad JSON in it
      if (!parse_connect_json(op.json, ignored)) close(c, close_reason::parse_error, true);
      break;
    }
    case op_kind::ok: break;
    case op_kind::err:
      log(log_level::error, conn_prefix(c) + "Client Error " + std::string(op.json));
      close(c, close_reason::parse_error, true);
      break;
    default:
      // The server-role parser never yields MSG or HMSG.
      NATRIUM_ASSERT(false);
  }
}

void node::impl::process_connect(connection& c, std::string_view json) {
  if (!parse_connect_json(json, c.opts)) {
    close(c, close_reason::parse_error, true);
    return;
  }
  c.connect_received = true;
  c.last_activity_wall = wall;                                   // connz last_activity
  c.rtt_ns = std::max<std::int64_t>(1, now.ns - c.started.ns);  // first RTT estimate, as the reference
  if (c.opts.protocol < 0 || c.opts.protocol > 1) {
    send_err(c, "invalid client protocol");
    close(c, close_reason::bad_client_protocol, true);
    return;
  }
  if (c.opts.no_responders && !c.opts.headers) {
    send_err(c, "no responders requires headers support");
    close(c, close_reason::no_responders_requires_headers, true);
    return;
  }
  if (c.opts.verbose) send_ok(c);
}

void node::impl::process_ping(connection& c) {
  if (cfg.trace) log(log_level::trace, conn_prefix(c) + "->> [PONG]");
  c.out.buffer() += proto::pong_line;
  c.last_ping_received = now;
  queue_send(c);
}

void node::impl::process_pub(connection& c, const proto::op& op) {
  if (op.kind == proto::op_kind::hpub && !c.opts.headers) {
    // nats-server: processHeaderPub fails and the connection closes, no -ERR.
    close(c, close_reason::protocol_violation, true);
    return;
  }
  c.in_msgs++;
  c.in_bytes += op.payload.size();
  c.last_activity_wall = wall;
  stats.in_msgs++;
  stats.in_bytes += op.payload.size();
  if (c.opts.pedantic && !subject::is_valid_publish_subject(op.subject)) {
    // As the reference: the error is sent but the message is still processed.
    send_err(c, "Invalid Publish Subject");
  }
  if (c.opts.verbose) send_ok(c);

  const bool delivered = route(&c, op);
  if (!delivered && !op.reply.empty() && c.opts.no_responders && c.state == conn_state::open) {
    send_no_responders(c, op.reply);
  }
}

// Delivers to every matching plain subscription and one member per queue group;
// true if anything took the message. `publisher` is null for JetStream's own,
// which may be routed by another subject than the one subscribers see
// (`match_subject`: a push consumer's deliver subject).
bool node::impl::route(connection* publisher, const proto::op& op, std::string_view match_subject) {
  const auto result = subs.match(match_subject.empty() ? op.subject : match_subject);
  bool delivered = false;
  for (subject::subscription* s : result->plain) {
    if (s->owner == 0) continue;
    if (s->owner == internal_owner) {
      deliver_internal(*s, op);
      delivered = true;
      continue;
    }
    const std::uint64_t before = stats.out_msgs;
    deliver(publisher, *s, op);
    delivered = delivered || stats.out_msgs != before;
  }
  for (const subject::queue_group& g : result->queues) {
    delivered = deliver_queue(publisher, g, op) || delivered;
  }
  return delivered;
}

// One member of the group gets the message: start at a random member and take
// the first that accepts it (a member on the publishing connection with echo
// off, or one being removed, passes it on).
bool node::impl::deliver_queue(connection* publisher, const subject::queue_group& g, const proto::op& op) {
  const std::size_t n = g.members.size();
  if (n == 0) return false;
  const std::size_t start = static_cast<std::size_t>(rng.below(n));
  for (std::size_t i = 0; i < n; ++i) {
    subject::subscription* s = g.members[(start + i) % n];
    if (s->owner == 0 || s->owner == internal_owner) continue;
    const std::uint64_t before = stats.out_msgs;
    deliver(publisher, *s, op);
    if (stats.out_msgs != before) return true;
  }
  return false;
}

void node::impl::deliver(connection* publisher, subject::subscription& sub, const proto::op& op) {
  auto* target = static_cast<connection*>(sub.owner_data);
  NATRIUM_ASSERT(target != nullptr);
  if (target->state != conn_state::open) return;
  if (target == publisher && !publisher->opts.echo) return;
  sub.delivered++;
  if (sub.max_msgs > 0 && sub.delivered > sub.max_msgs) {
    unsubscribe(*target, sub);
    return;
  }
  std::string& out = target->out.buffer();
  std::string_view payload = op.payload;
  if (op.kind == proto::op_kind::hpub && target->opts.headers) {
    proto::append_hmsg(out, op.subject, sub.sid, op.reply, op.header_size, payload);
  } else {
    if (op.kind == proto::op_kind::hpub) payload.remove_prefix(op.header_size);
    proto::append_msg(out, op.subject, sub.sid, op.reply, payload);
  }
  target->out_msgs++;
  target->out_bytes += payload.size();
  target->last_activity_wall = wall;
  stats.out_msgs++;
  stats.out_bytes += payload.size();
  if (sub.max_msgs > 0 && sub.delivered == sub.max_msgs) unsubscribe(*target, sub);
  if (!check_pending(*target)) return;
  queue_send(*target);
  if (publisher != nullptr && target != publisher && target->out.writing() &&
      static_cast<std::int64_t>(target->out.bytes()) > stall_threshold()) {
    note_stall(*publisher, *target);
  }
}

void node::impl::send_no_responders(connection& c, std::string_view reply) {
  // Find this client's own plain subscription for the reply subject.
  const auto r = subs.match(reply);
  for (subject::subscription* s : r->plain) {
    if (s->owner != c.id.value) continue;
    proto::append_hmsg(c.out.buffer(), reply, s->sid, "", proto::no_responders_header.size(),
                       proto::no_responders_header);
    if (check_pending(c)) queue_send(c);
    return;
  }
}

void node::impl::process_sub(connection& c, const proto::op& op) {
  if (cfg.max_subscriptions > 0 && static_cast<int>(c.subs.size()) >= cfg.max_subscriptions) {
    send_err(c, "maximum subscriptions exceeded");
    log(log_level::error, "maximum subscriptions exceeded");
    return;
  }
  if (!op.queue.empty() && !subject::is_valid_queue(op.queue)) {
    send_err(c, "Invalid Subject");
    return;
  }
  std::string sid(op.sid);
  if (c.subs.find(sid) != c.subs.end()) {  // a duplicate sid keeps the first subscription
    if (c.opts.verbose) send_ok(c);
    return;
  }
  auto sub = std::make_unique<subject::subscription>();
  sub->subject.assign(op.subject);
  sub->queue.assign(op.queue);
  sub->sid = sid;
  sub->owner = c.id.value;
  sub->owner_data = &c;
  if (!subs.insert(sub.get())) {
    send_err(c, "Invalid Subject");
    return;
  }
  if (js) js->on_client_subscribed(sub->subject);
  c.subs.emplace(std::move(sid), std::move(sub));
  c.last_activity_wall = wall;
  if (c.opts.verbose) send_ok(c);
}

void node::impl::process_unsub(connection& c, const proto::op& op) {
  auto it = c.subs.find(std::string(op.sid));
  if (it != c.subs.end()) {
    subject::subscription& sub = *it->second;
    if (op.max_msgs > 0 && op.max_msgs > sub.delivered) {
      sub.max_msgs = op.max_msgs;
    } else {
      unsubscribe(c, sub);
    }
  }
  if (c.opts.verbose) send_ok(c);
}

// Removes the subscription now; frees it after the current event, since a match
// result being delivered may still point at it.
void node::impl::unsubscribe(connection& c, subject::subscription& sub) {
  if (sub.owner == 0) return;
  subs.remove(&sub);
  sub.owner = 0;
  auto it = c.subs.find(sub.sid);
  NATRIUM_ASSERT(it != c.subs.end());
  graveyard.push_back(std::move(it->second));
  c.subs.erase(it);
}

}  // namespace natrium::server
