#include "tests/sim/js_client.h"

#include "core/proto/ops.h"

namespace natrium::sim {

namespace {
constexpr proto::parser_limits client_limits{64 * 1024, 64 * 1024 * 1024};
}

js_client::js_client(int id, verdict& v, handler on_msg)
    : id_(id), verdict_(v), on_msg_(std::move(on_msg)), parser_(proto::parser_role::client, client_limits) {}

void js_client::write(op_type type, const std::string& bytes) {
  if (closed_) return;
  out_ += bytes;
  pending_.emplace_back(base_ + out_.size(), type);
}

void js_client::consumed(std::size_t n, std::vector<client_op>& done) {
  sent_ += n;
  while (!pending_.empty() && pending_.front().first <= sent_) {
    client_op op;
    op.type = pending_.front().second;
    done.push_back(std::move(op));
    pending_.pop_front();
  }
  if (sent_ - base_ > 64 * 1024) {
    out_.erase(0, sent_ - base_);
    base_ = sent_;
  }
}

std::string js_client::subscribe(const std::string& subject) {
  const std::string sid = std::to_string(next_sid_++);
  write(op_type::sub, "SUB " + subject + " " + sid + "\r\n");
  return sid;
}

void js_client::publish(const std::string& subject, const std::string& reply, const std::string& payload,
                        const std::string& header) {
  const std::string head = subject + (reply.empty() ? "" : " " + reply) + " ";
  if (header.empty()) {
    write(op_type::pub, "PUB " + head + std::to_string(payload.size()) + "\r\n" + payload + "\r\n");
    return;
  }
  write(op_type::pub, "HPUB " + head + std::to_string(header.size()) + " " +
                          std::to_string(header.size() + payload.size()) + "\r\n" + header + payload + "\r\n");
}

void js_client::on_received(std::string_view bytes) {
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
    if (closed_ || verdict_.failed()) return;
  }
}

void js_client::handle(const proto::op& op) {
  using proto::op_kind;
  if (!info_seen_ && op.kind != op_kind::info) return fail("the server wrote before INFO");
  switch (op.kind) {
    case op_kind::info:
      if (info_seen_) return fail("second INFO");
      info_seen_ = true;
      write(op_type::connect,
            "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,\"protocol\":1,"
            "\"name\":\"js-" + std::to_string(id_) + "\",\"lang\":\"sim\",\"version\":\"0.0.0\"}\r\n");
      connect_sent_ = true;
      break;
    case op_kind::msg:
    case op_kind::hmsg: {
      delivery d;
      d.hmsg = op.kind == op_kind::hmsg;
      d.sid.assign(op.sid);
      d.subject.assign(op.subject);
      d.reply.assign(op.reply);
      const std::size_t hs = d.hmsg ? op.header_size : 0;
      if (hs > op.payload.size()) return fail("HMSG header size beyond its payload");
      d.header.assign(op.payload.substr(0, hs));
      d.payload.assign(op.payload.substr(hs));
      on_msg_(d);
      break;
    }
    case op_kind::ping: write(op_type::pong, "PONG\r\n"); break;
    case op_kind::pong: break;
    case op_kind::ok: return fail("+OK although not verbose");
    case op_kind::err: return fail("unexpected -ERR '" + std::string(op.json) + "'");
    default: return fail("unexpected op kind " + std::to_string(static_cast<int>(op.kind)));
  }
}

void js_client::on_eof() {
  if (closed_) return;
  closed_ = true;
  fail("the server closed the connection");
}

}  // namespace natrium::sim
