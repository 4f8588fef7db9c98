#pragma once
// Read-only snapshots of a node's state for monitoring (core/monitor): what
// nats-server's connz, subsz and varz report. Plain copies: they stay valid
// after the node changes, and building them never changes the node.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/base/time.h"

namespace natrium::server {

// One subscription (nats-server's SubDetail).
struct sub_info {
  std::string subject;
  std::string queue;           // empty: not a queue subscription
  std::string sid;
  std::int64_t msgs = 0;       // messages delivered to it
  std::int64_t max = 0;        // auto-unsubscribe limit (0: none)
  std::uint64_t cid = 0;       // the connection that owns it
};

// One client connection, open or closed (nats-server's ConnInfo).
struct conn_info {
  std::uint64_t cid = 0;
  std::string ip;
  int port = 0;
  base::wall_time start{};
  base::wall_time last_activity{};
  base::wall_time stop{};      // closed connections only (0 while open)
  std::string reason;          // closed connections only: close_reason_text
  std::int64_t rtt_ns = 0;     // 0: never measured
  std::size_t pending_bytes = 0;
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  std::size_t num_subs = 0;
  std::string name, lang, version;
  std::vector<sub_info> subs;  // filled when asked for (open), always kept (closed, bounded)
  bool closed = false;
};

// Sublist counters and the fanout of its cached results (SublistStats).
struct sublist_info {
  std::size_t subscriptions = 0;
  std::size_t cache_entries = 0;
  std::uint64_t inserts = 0, removes = 0, matches = 0, cache_hits = 0;
  std::size_t fanout_max = 0;
  std::uint64_t fanout_total = 0;  // over the cached results
};

// The most recent closed connections, oldest first: a bounded FIFO (nats-server
// keeps DEFAULT_MAX_CLOSED_CLIENTS = 10000 in a ring). Each record keeps at most
// `subs_max` subscriptions, so a client with huge interest cannot make the ring
// unbounded in bytes.
class closed_conns {
 public:
  static constexpr std::size_t subs_max = 1024;

  explicit closed_conns(std::size_t max) : max_(max) {}
  void set_max(std::size_t max) {
    max_ = max;
    while (list_.size() > max_) list_.pop_front();
  }
  void push(conn_info c) {
    if (max_ == 0) return;
    if (c.subs.size() > subs_max) c.subs.resize(subs_max);
    if (list_.size() == max_) list_.pop_front();
    list_.push_back(std::move(c));
    ++total_;
  }
  const std::deque<conn_info>& list() const noexcept { return list_; }
  std::size_t size() const noexcept { return list_.size(); }
  std::size_t max() const noexcept { return max_; }
  std::uint64_t total() const noexcept { return total_; }  // ever recorded

 private:
  std::size_t max_;
  std::deque<conn_info> list_;
  std::uint64_t total_ = 0;
};

}  // namespace natrium::server
