#pragma once
// The oracle: the simulator's own model of the server. The world reports every
// client op in the order the node processed it (a global index g), and every
// MSG, HMSG, PONG and +OK a client received. An op's outcome is checked once it
// is fully observed: a PUB at g is checked when every client that could have
// received it has seen the PONG for one of its own PINGs processed after g
// (PING/PONG barrier: the node writes a connection's output in processing
// order), or can receive nothing more.
//
// Checked: each message reaches exactly the matching plain subscriptions and
// one member of each matching queue group, none other; echo off honoured;
// UNSUB max honoured; each client receives messages in processing order (so in
// publish order per publisher); the 503 no-responders HMSG comes exactly when a
// request reached nobody; +OK counts for verbose clients. A client that went
// away, or that the node dropped as a slow consumer, may miss what was sent to
// it after its last barrier (and only that).
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/sim/sim_ops.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim {

struct oracle_stats {
  std::uint64_t ops = 0, pubs = 0, deliveries = 0, queue_deliveries = 0, no_responders = 0;
  std::uint64_t lossy_tolerated = 0;
};

class oracle {
 public:
  oracle(verdict& v, trace_log& t) : verdict_(v), trace_(t) {}

  // In the node's processing order.
  void on_processed(int client, const client_op& op);
  void on_peer_closed(int client);
  // The node closed it as a slow consumer (abortive): output may be lost from
  // its last barrier on, and its subscriptions went at an unknown point.
  void on_dropped(int client);

  // What clients observed.
  void on_pong(int client);
  void on_ok(int client);
  void on_delivery(int client, const delivery& d);
  void on_server_closed(int client);

  // Checks every op whose outcome is now fully observed, in processing order.
  void resolve();
  std::size_t unresolved() const noexcept { return log_.size(); }
  const oracle_stats& stats() const noexcept { return stats_; }

 private:
  using sub_key = std::pair<int, std::string>;  // (client, sid)

  struct client_state {
    client_profile opts;
    std::uint64_t barrier = 0;  // output of every op with g < barrier has arrived
    std::deque<std::pair<std::uint64_t, std::uint64_t>> pings;  // (g, +OKs due) awaiting PONG
    std::uint64_t oks_due = 0, oks_received = 0;
    std::uint64_t last_g = 0;   // processing index of the latest message received
    bool lost = false;          // went away or was dropped: output after the barrier may be lost
    bool eof = false;           // the server closed it: all its output arrived
  };
  struct model_sub {
    std::string subject, queue;
    std::int64_t max = 0, delivered = 0;
  };
  struct entry {
    std::uint64_t g = 0;
    int client = 0;
    bool closed = false;  // the client went away (else: op)
    client_op op;
  };
  struct observed {
    int client = 0;
    std::string sid;
    bool no_responders = false;
  };
  struct targets {
    std::set<sub_key> plain;
    std::map<std::string, std::set<sub_key>> groups;  // queue name -> eligible members
    std::set<int> clients;                            // whose output must be seen first
  };

  void fail(const std::string& why) { verdict_.fail(why); }
  entry* find_entry(std::uint64_t g);
  void on_no_responders(int client, client_state& cs, const delivery& d);
  void check_order(int client, client_state& cs, std::uint64_t g);
  void apply(const entry& e);
  targets targets_of(const entry& e) const;
  bool settled(int client, std::uint64_t g) const;
  bool lossy(int client, std::uint64_t g) const;
  bool owns_reply_sub(int client, const std::string& reply, const std::string* sid) const;
  void check_pub(const entry& e);
  void check_no_responders(const entry& e, const std::vector<observed>& obs, bool delivered, bool undecided);
  void count_delivery(const sub_key& k);

  verdict& verdict_;
  trace_log& trace_;
  oracle_stats stats_;
  std::uint64_t next_g_ = 0;
  std::deque<entry> log_;  // unresolved, in processing order (g consecutive)
  std::map<int, client_state> clients_;
  std::map<sub_key, model_sub> subs_;  // the server's subscriptions as of log_.front()
  std::map<std::pair<int, std::uint64_t>, std::uint64_t> pub_g_;  // (publisher, seq) -> g
  std::map<std::string, std::uint64_t> request_g_;               // reply subject -> g
  std::map<std::uint64_t, std::vector<observed>> observed_;       // g -> what arrived
};

// One line for the trace: "PUB a.b _INBOX.3.1 #7".
std::string describe(const client_op& op);

// "<publisher>.<seq>:" at the start of every payload the sim publishes.
bool decode_payload_id(const std::string& payload, int& publisher, std::uint64_t& seq);

}  // namespace natrium::sim
