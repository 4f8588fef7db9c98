// oracle: what the node processed and what clients received (the live side).
// The checks that need a complete picture are in oracle_check.cpp.
#include "tests/sim/oracle.h"

#include <charconv>

namespace natrium::sim {

namespace {
bool produces_ok(op_type t) {
  return t == op_type::connect || t == op_type::sub || t == op_type::unsub || t == op_type::pub;
}
constexpr std::string_view no_responders_block = "NATS/1.0 503\r\n\r\n";
}  // namespace

std::string describe(const client_op& op) {
  switch (op.type) {
    case op_type::connect: return "CONNECT";
    case op_type::sub: return "SUB " + op.subject + (op.queue.empty() ? "" : " " + op.queue) + " " + op.sid;
    case op_type::unsub: return "UNSUB " + op.sid + (op.max > 0 ? " " + std::to_string(op.max) : "");
    case op_type::pub:
      return (op.hpub ? "HPUB " : "PUB ") + op.subject + (op.reply.empty() ? "" : " " + op.reply) + " #" +
             std::to_string(op.seq);
    case op_type::ping: return "PING";
    case op_type::pong: return "PONG";
  }
  return "?";
}

bool decode_payload_id(const std::string& payload, int& publisher, std::uint64_t& seq) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  auto r1 = std::from_chars(p, end, publisher);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '.') return false;
  auto r2 = std::from_chars(r1.ptr + 1, end, seq);
  return r2.ec == std::errc() && r2.ptr != end && *r2.ptr == ':';
}

void oracle::on_processed(int client, const client_op& op) {
  const std::uint64_t g = next_g_++;
  stats_.ops++;
  trace_.line("g=" + std::to_string(g) + " c" + std::to_string(client) + " " + describe(op));
  if (op.type == op_type::connect) {
    if (clients_.count(client) != 0) return fail("c" + std::to_string(client) + " sent CONNECT twice");
    clients_[client].opts = op.profile;
  }
  auto it = clients_.find(client);
  if (it == clients_.end()) return fail("c" + std::to_string(client) + ": op processed before CONNECT");
  client_state& cs = it->second;
  if (cs.opts.verbose && produces_ok(op.type)) cs.oks_due++;
  if (op.type == op_type::ping) cs.pings.emplace_back(g, cs.oks_due);
  if (op.type == op_type::pub) {
    pub_g_[{client, op.seq}] = g;
    if (!op.reply.empty()) request_g_[op.reply] = g;
  }
  log_.push_back(entry{g, client, false, op});
}

void oracle::on_peer_closed(int client) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;  // closed before its CONNECT was processed
  it->second.lost = true;
  log_.push_back(entry{next_g_++, client, true, {}});
}

void oracle::on_dropped(int client) {
  auto it = clients_.find(client);
  if (it != clients_.end()) it->second.lost = true;
}

void oracle::on_server_closed(int client) {
  auto it = clients_.find(client);
  if (it != clients_.end()) it->second.eof = true;
}

void oracle::on_pong(int client) {
  client_state& cs = clients_[client];
  const std::string who = "c" + std::to_string(client);
  if (cs.pings.empty()) return fail(who + " got a PONG it did not ask for");
  const auto [g, oks] = cs.pings.front();
  cs.pings.pop_front();
  cs.barrier = g;
  if (cs.oks_received != oks) {
    fail(who + " got " + std::to_string(cs.oks_received) + " +OK before the PONG for its PING g=" +
         std::to_string(g) + ", expected " + std::to_string(oks));
  }
}

void oracle::on_ok(int client) {
  client_state& cs = clients_[client];
  cs.oks_received++;
  if (cs.oks_received > cs.oks_due) {
    fail("c" + std::to_string(client) + " got +OK number " + std::to_string(cs.oks_received) + " but only " +
         std::to_string(cs.oks_due) + " were due (verbose=" + std::to_string(cs.opts.verbose) + ")");
  }
}

oracle::entry* oracle::find_entry(std::uint64_t g) {
  if (log_.empty() || g < log_.front().g) return nullptr;
  const std::uint64_t i = g - log_.front().g;
  return i < log_.size() ? &log_[i] : nullptr;
}

void oracle::check_order(int client, client_state& cs, std::uint64_t g) {
  if (g < cs.last_g) {
    fail("c" + std::to_string(client) + " received the message of g=" + std::to_string(g) + " after one of g=" +
         std::to_string(cs.last_g) + " (out of processing order)");
  }
  cs.last_g = g;
}

void oracle::on_delivery(int client, const delivery& d) {
  auto cit = clients_.find(client);
  const std::string who = "c" + std::to_string(client) + " received ";
  if (cit == clients_.end()) return fail(who + "a message before its CONNECT was processed");
  client_state& cs = cit->second;
  if (d.hmsg && d.header.starts_with("NATS/1.0 503")) return on_no_responders(client, cs, d);
  int publisher = 0;
  std::uint64_t seq = 0;
  if (!decode_payload_id(d.payload, publisher, seq)) {
    return fail(who + "an undecodable payload '" + escape(d.payload, 40) + "' on sid " + d.sid);
  }
  const std::string name = "message " + std::to_string(publisher) + "." + std::to_string(seq);
  auto pit = pub_g_.find({publisher, seq});
  if (pit == pub_g_.end()) return fail(who + name + " that was never processed");
  const entry* e = find_entry(pit->second);
  if (e == nullptr) return fail(who + name + " after its barrier (already checked)");
  const client_op& p = e->op;
  if (d.subject != p.subject) return fail(who + name + " on subject " + d.subject + ", published to " + p.subject);
  if (d.reply != p.reply) return fail(who + name + " with reply '" + d.reply + "', sent with '" + p.reply + "'");
  if (d.payload != p.payload) return fail(who + name + " with a different payload");
  if (d.hmsg != (p.hpub && cs.opts.headers)) {
    return fail(who + name + (d.hmsg ? " as HMSG" : " as MSG") + " (its headers=" +
                std::to_string(cs.opts.headers) + ", sent as HPUB=" + std::to_string(p.hpub) + ")");
  }
  if (d.hmsg && d.header != p.header) return fail(who + name + " with header '" + escape(d.header, 80) + "'");
  check_order(client, cs, e->g);
  observed_[e->g].push_back(observed{client, d.sid, false});
}

void oracle::on_no_responders(int client, client_state& cs, const delivery& d) {
  const std::string who = "c" + std::to_string(client);
  if (d.header != no_responders_block || !d.payload.empty() || !d.reply.empty()) {
    return fail(who + " received a malformed 503: '" + escape(d.header + d.payload, 80) + "'");
  }
  auto it = request_g_.find(d.subject);
  if (it == request_g_.end()) return fail(who + " received a 503 for " + d.subject + ", which no request used");
  const entry* e = find_entry(it->second);
  if (e == nullptr) return fail(who + " received a 503 for " + d.subject + " after its barrier");
  if (e->client != client) return fail(who + " received the 503 for c" + std::to_string(e->client) + "'s request");
  check_order(client, cs, e->g);
  observed_[e->g].push_back(observed{client, d.sid, true});
}

}  // namespace natrium::sim
