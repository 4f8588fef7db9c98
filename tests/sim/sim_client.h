#pragma once
// A virtual NATS client: writes protocol ops into its outgoing byte stream (the
// world hands them to the node in random splits), parses what the server writes
// back with the client-role parser, answers PING with PONG (until it goes
// silent), answers requests if it is a responder, and reports what it receives
// to the oracle.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/proto/parser.h"
#include "tests/sim/oracle.h"
#include "tests/sim/sim_ops.h"
#include "tests/sim/sim_peer.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim {

struct client_env {
  oracle& oracle_ref;
  verdict& verdict_ref;
  base::prng& rng;
  int ping_max = 2;
  fault_injector* fault = nullptr;
};

class sim_client final : public sim_peer {
 public:
  sim_client(int id, const client_profile& profile, client_env env);

  int id() const noexcept { return id_; }
  const client_profile& profile() const noexcept { return profile_; }
  // INFO seen and CONNECT written; not silent, not closed: the workload may use it.
  bool ready() const noexcept override { return connect_sent_ && !silent_ && !closed_; }
  bool silent() const noexcept { return silent_; }
  bool closed() const noexcept { return closed_; }
  bool got_stale() const noexcept { return got_stale_; }
  bool dropped() const noexcept { return dropped_; }
  std::size_t live_subs() const noexcept { return live_sids_.size(); }

  // Outgoing stream: what the node has not consumed yet.
  std::string_view unsent() const noexcept override { return std::string_view(out_).substr(sent_ - base_); }
  // The node consumed n more bytes: the ops whose last byte they hold are processed.
  void consumed(std::size_t n, std::vector<client_op>& done) override;

  // Incoming stream from the server, in any split; then its end.
  void on_received(std::string_view bytes) override;
  void on_eof() override;
  // The sim closed the connection from the client side.
  void on_gone() noexcept override { closed_ = true; }
  // The node closed it as a slow consumer: an EOF without -ERR is expected.
  void on_dropped() noexcept override { dropped_ = true; }

  // Workload.
  void subscribe(const std::string& subject, const std::string& queue);
  bool unsubscribe_random(std::int64_t max);
  void publish(const std::string& subject, const std::string& reply, bool hpub);
  void request(const std::string& subject, bool hpub);
  void ping();
  void go_silent();  // unsubscribe everything, PING, and write nothing more

 private:
  void write(client_op op, const std::string& bytes);
  void send_connect();
  void handle(const proto::op& op);
  void handle_msg(const proto::op& op);
  void handle_err(std::string_view text);
  void report(const delivery& d);
  bool inject(const delivery& d);
  std::string make_payload(std::uint64_t seq);
  std::string next_sid() { return std::to_string(next_sid_++); }
  void fail(const std::string& why) { env_.verdict_ref.fail("c" + std::to_string(id_) + ": " + why); }

  int id_;
  client_profile profile_;
  client_env env_;
  proto::parser parser_;

  std::string out_;            // outgoing bytes from absolute offset base_
  std::size_t base_ = 0;       // absolute offset of out_[0]
  std::size_t sent_ = 0;       // absolute offset the node consumed up to
  std::deque<std::pair<std::size_t, client_op>> pending_;  // (absolute end offset, op)

  bool info_seen_ = false, connect_sent_ = false, silent_ = false, closed_ = false, got_stale_ = false,
       dropped_ = false;
  int unanswered_pings_ = 0;   // PINGs received while silent
  std::vector<std::string> live_sids_;  // subscribed and not fully unsubscribed (not the inbox)
  std::string inbox_sid_;
  std::optional<delivery> held_;  // fault_kind::reorder
  std::uint64_t next_sid_ = 1, next_seq_ = 1, next_request_ = 1;
};

}  // namespace natrium::sim
