#pragma once
// A virtual client for JetStream workloads: it speaks the NATS protocol to the
// node (CONNECT with headers and no_responders, as JetStream clients do),
// answers PING, and hands every MSG or HMSG to the workload's handler. What to
// publish, and what a message means, is the workload's business (js_workload).
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/proto/parser.h"
#include "tests/sim/sim_ops.h"
#include "tests/sim/sim_peer.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim {

class js_client final : public sim_peer {
 public:
  using handler = std::function<void(const delivery&)>;
  js_client(int id, verdict& v, handler on_msg);

  int id() const noexcept { return id_; }
  bool closed() const noexcept { return closed_; }

  // sim_peer
  bool ready() const noexcept override { return connect_sent_ && !closed_; }
  std::string_view unsent() const noexcept override { return std::string_view(out_).substr(sent_ - base_); }
  void consumed(std::size_t n, std::vector<client_op>& done) override;
  void on_received(std::string_view bytes) override;
  void on_eof() override;
  void on_gone() noexcept override { closed_ = true; }
  void on_dropped() noexcept override { closed_ = true; }

  // Returns the sid.
  std::string subscribe(const std::string& subject);
  // With a non-empty header block ("NATS/1.0\r\n...\r\n\r\n"): HPUB.
  void publish(const std::string& subject, const std::string& reply, const std::string& payload,
               const std::string& header = "");

 private:
  void write(op_type type, const std::string& bytes);
  void handle(const struct proto::op& op);
  void fail(const std::string& why) { verdict_.fail("c" + std::to_string(id_) + ": " + why); }

  int id_;
  verdict& verdict_;
  handler on_msg_;
  proto::parser parser_;
  std::string out_;
  std::size_t base_ = 0, sent_ = 0;
  std::deque<std::pair<std::size_t, op_type>> pending_;  // (absolute end offset, op)
  bool info_seen_ = false, connect_sent_ = false, closed_ = false;
  std::uint64_t next_sid_ = 1;
};

}  // namespace natrium::sim
