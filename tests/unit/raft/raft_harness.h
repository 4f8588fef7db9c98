#pragma once
// A small in-test cluster for raft::node: a FIFO network with blocked links,
// a drop filter and crashed nodes, manual time, and a disk per node that
// persists every ready immediately (persist -> send -> apply -> advance_ready).
// The state machine is the list of (index, data) of applied normal entries;
// a snapshot's data is that list, one "index:data" line each.
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/raft/raft.h"

namespace natrium::raft::test {

using sm_state = std::vector<std::pair<index_t, std::string>>;

inline std::string encode_sm(const sm_state& s, index_t upto) {
  std::string out;
  for (const auto& [i, d] : s) {
    if (i <= upto) out += std::to_string(i) + ":" + d + "\n";
  }
  return out;
}

inline sm_state decode_sm(const std::string& data) {
  sm_state out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t nl = data.find('\n', pos);
    const std::string line = data.substr(pos, nl - pos);
    const std::size_t colon = line.find(':');
    out.emplace_back(std::stoull(line.substr(0, colon)), line.substr(colon + 1));
    pos = nl + 1;
  }
  return out;
}

struct disk_state {
  std::optional<hard_state> hard;
  std::optional<snapshot> snap;
  std::vector<entry> log;
  index_t applied = 0;
  restored_state restored() const { return restored_state{hard, snap, log, applied}; }
};

class cluster {
 public:
  explicit cluster(std::size_t n, std::function<void(config&)> tweak = {}) : tweak_(std::move(tweak)) {
    for (peer_id id = 1; id <= n; ++id) voters_.push_back(id);
    for (peer_id id : voters_) start(id, voters_);
  }

  config cfg_for(peer_id id, std::vector<peer_id> initial) const {
    config c;
    c.id = id;
    c.initial_voters = std::move(initial);
    c.election_timeout = base::millis(100);
    c.heartbeat_interval = base::millis(20);
    c.seed = seed;
    if (tweak_) tweak_(c);
    return c;
  }

  void start(peer_id id, std::vector<peer_id> initial) {
    nodes[id] = std::make_unique<node>(cfg_for(id, std::move(initial)), disks[id].restored(), now);
    down.erase(id);
  }

  node& n(peer_id id) { return *nodes.at(id); }
  status st(peer_id id) { return nodes.at(id)->state(); }

  // Drain one node's readies: persist, send, apply, advance.
  void process(peer_id id) {
    if (down.count(id)) return;
    node& nd = n(id);
    disk_state& d = disks[id];
    while (nd.has_ready()) {
      ready r = nd.take_ready();
      if (r.hard) d.hard = r.hard;
      if (r.snap) {
        d.snap = r.snap;
        d.log.clear();
        d.applied = r.snap->index;
        sm[id] = decode_sm(r.snap->data);
      }
      if (!r.entries.empty()) {
        const index_t from = r.entries.front().index;
        d.log.erase(std::remove_if(d.log.begin(), d.log.end(), [&](const entry& e) { return e.index >= from; }),
                    d.log.end());
        for (const auto& e : r.entries) d.log.push_back(e);
      }
      for (auto& m : r.messages) {
        trace.push_back(m);
        net.push_back(m);
      }
      for (const auto& e : r.committed) {
        if (e.type == entry_type::normal) sm[id].emplace_back(e.index, e.data);
        d.applied = e.index;
      }
      for (const auto& rs : r.reads) reads[id].push_back(rs);
      nd.advance_ready(r);
    }
  }

  void process_all() {
    for (auto& [id, nd] : nodes) process(id);
  }

  bool link_ok(const message& m) const {
    if (down.count(m.from) || down.count(m.to) || !nodes.count(m.to)) return false;
    if (blocked.count({m.from, m.to})) return false;
    return !(drop && drop(m));
  }

  // Deliver queued messages until the network and every ready are empty.
  // With chaos set, messages are lost, duplicated and reordered (seeded).
  void stabilize(std::size_t max_steps = 200000) {
    for (std::size_t i = 0; i < max_steps; ++i) {
      process_all();
      if (net.empty()) return;
      const std::size_t at = chaos.reorder ? static_cast<std::size_t>(net_rng.below(net.size())) : 0;
      message m = net[at];
      net.erase(net.begin() + static_cast<std::ptrdiff_t>(at));
      if (net_rng.below(100) < chaos.loss_pct) continue;
      if (net_rng.below(100) < chaos.dup_pct) net.push_back(m);
      if (!link_ok(m)) continue;
      n(m.to).step(m);
      process(m.to);
    }
  }

  void tick(base::duration_ns d) {
    now = now + d;
    for (auto& [id, nd] : nodes) {
      if (!down.count(id)) nd->advance(now);
    }
    stabilize();
  }

  void run_for(base::duration_ns total, base::duration_ns step = base::millis(10)) {
    for (std::int64_t t = 0; t < total.ns; t += step.ns) tick(step);
  }

  // The leader of the highest term among live nodes (0: none).
  peer_id leader() {
    peer_id best = 0;
    term_t best_term = 0;
    for (auto& [id, nd] : nodes) {
      if (down.count(id)) continue;
      const status s = nd->state();
      if (s.r == role::leader && s.term >= best_term) {
        best = id;
        best_term = s.term;
      }
    }
    return best;
  }

  std::size_t leader_count() {
    std::size_t c = 0;
    for (auto& [id, nd] : nodes) {
      if (!down.count(id) && nd->state().r == role::leader) ++c;
    }
    return c;
  }

  peer_id elect(peer_id id) {
    n(id).campaign();
    stabilize();
    return leader();
  }

  void isolate(peer_id id) {
    for (auto& [other, nd] : nodes) {
      if (other == id) continue;
      blocked.insert({id, other});
      blocked.insert({other, id});
    }
  }
  void heal() {
    blocked.clear();
    drop = nullptr;
  }
  void crash(peer_id id) {
    down.insert(id);
    nodes.erase(id);
  }
  void restart(peer_id id) { start(id, voters_); }

  base::result<index_t> propose(peer_id id, std::string data) {
    auto r = n(id).propose(std::move(data));
    process(id);
    return r;
  }

  std::uint64_t seed = 1;
  base::mono_time now{1'000'000'000};
  std::map<peer_id, std::unique_ptr<node>> nodes;
  std::map<peer_id, disk_state> disks;
  std::map<peer_id, sm_state> sm;
  std::map<peer_id, std::vector<read_state>> reads;
  std::deque<message> net;
  std::vector<message> trace;
  std::set<peer_id> down;
  std::set<std::pair<peer_id, peer_id>> blocked;
  std::function<bool(const message&)> drop;
  struct chaos_settings {
    std::uint64_t loss_pct = 0;
    std::uint64_t dup_pct = 0;
    bool reorder = false;
  };
  chaos_settings chaos;
  base::prng net_rng{99};

 private:
  std::function<void(config&)> tweak_;
  std::vector<peer_id> voters_;
};

}  // namespace natrium::raft::test
