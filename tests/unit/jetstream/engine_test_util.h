#pragma once
// Test helpers for driving JetStream through a whole node (node_harness):
// clients that speak the protocol, requests on $JS.API with inbox replies,
// and the MSG/HMSG frames they receive, parsed with the core's own parser.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/jetstream/engine.h"
#include "core/proto/parser.h"
#include "tests/support/proto_test_util.h"
#include "tests/unit/server/node_harness.h"

namespace natrium::jetstream::test {

using testing::node_harness;

inline constexpr std::int64_t ms_ns = 1'000'000;
inline constexpr std::int64_t sec_ns = 1'000'000'000;

// JetStream on, no server pings in the way of long virtual waits.
inline server::config js_config() {
  server::config c;
  c.jetstream = true;
  c.server_name = "n1";
  c.ping_interval_ns = 24 * 3600 * sec_ns;
  return c;
}

// Moves the clock `ms` forward the way a host does: stopping at each deadline
// the node asks for on the way (node_harness::advance_ms jumps straight to the
// end, so timers due on the way would all fire late, at the end).
inline void run_ms(node_harness& h, std::int64_t ms) {
  const std::int64_t end = h.now_ns() + ms * ms_ns;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    const auto due = h.node().next_deadline();
    if (!due || due->ns > end) break;
    const std::int64_t step_ms = std::max<std::int64_t>(0, (due->ns - h.now_ns() + ms_ns - 1) / ms_ns);
    if (step_ms == 0 && guard > 0 && due->ns <= h.now_ns()) {
      h.advance_ms(1);  // a deadline in the past that firing did not clear: move on
      continue;
    }
    h.advance_ms(step_ms);
  }
  if (end > h.now_ns()) h.advance_ms((end - h.now_ns()) / ms_ns);
}

// One message a client received.
struct frame {
  std::string subject, sid, reply, headers, payload;
};

inline nlohmann::json parse_json(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

// j at a dotted path ("state.messages"), or null when absent.
inline nlohmann::json at(const nlohmann::json& j, std::string_view path) {
  const nlohmann::json* cur = &j;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string key(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return *cur;
}

inline std::int64_t num(const nlohmann::json& j, std::string_view path) {
  const nlohmann::json v = at(j, path);
  if (!v.is_number_integer()) {
    FAIL_CHECK("no integer at " << path << " in " << j.dump());
    return -1;
  }
  return v.get<std::int64_t>();
}

// A connected client. Everything it receives is parsed into `inbox_`; PINGs
// are answered.
class js_client {
 public:
  explicit js_client(node_harness& h, std::string_view inbox_prefix = "_R") : h_(h), prefix_(inbox_prefix) {
    id = h_.open();
    h_.take(id);  // INFO
    h_.send(id, "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true}\r\n");
    h_.send(id, "SUB " + prefix_ + ".> 1\r\n");
  }

  base::conn_id id;

  void sub(std::string_view subject, std::string_view sid) {
    h_.send(id, "SUB " + std::string(subject) + " " + std::string(sid) + "\r\n");
  }
  void unsub(std::string_view sid) { h_.send(id, "UNSUB " + std::string(sid) + "\r\n"); }
  void pub(std::string_view subject, std::string_view payload, std::string_view reply = {}) {
    std::string s = "PUB " + std::string(subject);
    if (!reply.empty()) s += " " + std::string(reply);
    s += " " + std::to_string(payload.size()) + "\r\n" + std::string(payload) + "\r\n";
    h_.send(id, s);
  }
  // `headers` are "Name: value\r\n" lines (without the NATS/1.0 line).
  void hpub(std::string_view subject, std::string_view headers, std::string_view payload,
            std::string_view reply = {}) {
    const std::string hdr = "NATS/1.0\r\n" + std::string(headers) + "\r\n";
    std::string s = "HPUB " + std::string(subject);
    if (!reply.empty()) s += " " + std::string(reply);
    s += " " + std::to_string(hdr.size()) + " " + std::to_string(hdr.size() + payload.size()) + "\r\n" + hdr +
         std::string(payload) + "\r\n";
    h_.send(id, s);
  }

  // A fresh reply subject under this client's inbox.
  std::string new_inbox() { return prefix_ + "." + std::to_string(++inbox_n_); }

  // Sends a request; the reply is collected by reply().
  std::string request_async(std::string_view subject, std::string_view payload) {
    std::string r = new_inbox();
    pub(subject, payload, r);
    return r;
  }
  // Publishes with Nats-Msg-Id; returns the reply inbox.
  std::string publish_id_async(std::string_view subject, std::string_view msg_id, std::string_view payload) {
    std::string r = new_inbox();
    hpub(subject, "Nats-Msg-Id: " + std::string(msg_id) + "\r\n", payload, r);
    return r;
  }
  // The reply received on `inbox`, if any (removed from what was received).
  std::optional<std::string> reply(std::string_view inbox) {
    poll();
    for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
      if (it->subject == inbox) {
        std::string p = it->payload;
        inbox_.erase(it);
        return p;
      }
    }
    return std::nullopt;
  }
  // A request that must be answered at once.
  std::string request(std::string_view subject, std::string_view payload = {}) {
    const std::string r = request_async(subject, payload);
    auto got = reply(r);
    INFO("request on " << subject << ": " << payload);
    REQUIRE(got.has_value());
    return *got;
  }
  nlohmann::json request_json(std::string_view subject, std::string_view payload = {}) {
    const std::string body = request(subject, payload);
    nlohmann::json j = parse_json(body);
    INFO(body);
    REQUIRE(j.is_object());
    return j;
  }
  // Every message received so far with sid `sid` (removed from what was received).
  std::vector<frame> take_sid(std::string_view sid) {
    poll();
    std::vector<frame> out, keep;
    for (auto& f : inbox_) (f.sid == sid ? out : keep).push_back(std::move(f));
    inbox_.swap(keep);
    return out;
  }
  std::vector<frame> take_all() {
    poll();
    std::vector<frame> out;
    out.swap(inbox_);
    return out;
  }
  bool closed() const { return h_.is_closed(id); }

 private:
  void poll() {
    const std::string bytes = h_.take(id);
    if (bytes.empty()) return;
    const auto r = proto::test::run_whole(proto::parser_role::client, {}, bytes);
    CHECK(r.error == proto::parse_error::none);
    bool pong = false;
    for (const auto& op : r.ops) {
      if (op.kind == proto::op_kind::ping) pong = true;
      if (op.kind == proto::op_kind::err) FAIL_CHECK("-ERR " << op.json);
      if (op.kind != proto::op_kind::msg && op.kind != proto::op_kind::hmsg) continue;
      frame f;
      f.subject = op.subject;
      f.sid = op.sid;
      f.reply = op.reply;
      f.headers = op.payload.substr(0, op.header_size);
      f.payload = op.payload.substr(op.header_size);
      inbox_.push_back(std::move(f));
    }
    if (pong) h_.send(id, "PONG\r\n");
  }

  node_harness& h_;
  std::string prefix_;
  std::uint64_t inbox_n_ = 0;
  std::vector<frame> inbox_;
};

// "$JS.ACK.<stream>.<consumer>.<dc>.<sseq>.<dseq>.<ts>.<pending>" -> its numbers.
struct ack_meta {
  std::uint64_t dc = 0, sseq = 0, dseq = 0, pending = 0;
  std::int64_t ts = 0;
};

inline ack_meta parse_ack(std::string_view reply) {
  std::vector<std::string> tok;
  std::size_t from = 0;
  while (true) {
    const std::size_t dot = reply.find('.', from);
    tok.emplace_back(reply.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from));
    if (dot == std::string_view::npos) break;
    from = dot + 1;
  }
  ack_meta m;
  if (tok.size() != 9 || tok[0] != "$JS" || tok[1] != "ACK") {
    FAIL_CHECK("not an ack subject: " << reply);
    return m;
  }
  m.dc = std::stoull(tok[4]);
  m.sseq = std::stoull(tok[5]);
  m.dseq = std::stoull(tok[6]);
  m.ts = std::stoll(tok[7]);
  m.pending = std::stoull(tok[8]);
  return m;
}

// A PubAck's fields: seq, duplicate, or the error code (0 when none).
struct pub_ack {
  std::uint64_t seq = 0;
  bool duplicate = false;
  std::int64_t err_code = 0;
  std::string description;
  std::string stream;
};

inline pub_ack parse_pub_ack(std::string_view body) {
  const nlohmann::json j = parse_json(body);
  pub_ack a;
  INFO(body);
  REQUIRE(j.is_object());
  if (auto s = at(j, "stream"); s.is_string()) a.stream = s.get<std::string>();
  if (auto s = at(j, "seq"); s.is_number_integer()) a.seq = s.get<std::uint64_t>();
  if (auto d = at(j, "duplicate"); d.is_boolean()) a.duplicate = d.get<bool>();
  if (auto e = at(j, "error.err_code"); e.is_number_integer()) a.err_code = e.get<std::int64_t>();
  if (auto e = at(j, "error.description"); e.is_string()) a.description = e.get<std::string>();
  return a;
}

// --- API shortcuts (each REQUIREs an immediate reply) -------------------------

inline nlohmann::json create_stream(js_client& c, std::string_view name, std::string_view config_json) {
  nlohmann::json j = c.request_json("$JS.API.STREAM.CREATE." + std::string(name), config_json);
  INFO(j.dump());
  REQUIRE(at(j, "error").is_null());
  return j;
}

inline nlohmann::json stream_info(js_client& c, std::string_view name, std::string_view body = {}) {
  return c.request_json("$JS.API.STREAM.INFO." + std::string(name), body);
}

// A durable (when `durable` is not empty) or ephemeral consumer.
inline nlohmann::json create_consumer(js_client& c, std::string_view stream, std::string_view durable,
                                      std::string_view config_json) {
  const std::string body = "{\"stream_name\":\"" + std::string(stream) + "\",\"config\":" + std::string(config_json) + "}";
  const std::string subject = durable.empty()
                                  ? "$JS.API.CONSUMER.CREATE." + std::string(stream)
                                  : "$JS.API.CONSUMER.DURABLE.CREATE." + std::string(stream) + "." + std::string(durable);
  nlohmann::json j = c.request_json(subject, body);
  INFO(j.dump());
  REQUIRE(at(j, "error").is_null());
  return j;
}

inline nlohmann::json consumer_info(js_client& c, std::string_view stream, std::string_view name) {
  return c.request_json("$JS.API.CONSUMER.INFO." + std::string(stream) + "." + std::string(name));
}

inline pub_ack publish(js_client& c, std::string_view subject, std::string_view payload) {
  return parse_pub_ack(c.request(subject, payload));
}

inline pub_ack publish_id(js_client& c, std::string_view subject, std::string_view msg_id, std::string_view payload) {
  const std::string inbox = c.publish_id_async(subject, msg_id, payload);
  auto r = c.reply(inbox);
  REQUIRE(r.has_value());
  return parse_pub_ack(*r);
}

}  // namespace natrium::jetstream::test
