// One seed of the cluster simulation: the world, the clients, the fault
// injector, and the checks (safety after every event, liveness and
// linearizability at the end).
#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include "tests/sim/cluster/cluster_sim.h"
#include "tests/sim/cluster/linearizability.h"
#include "tests/sim/cluster/safety.h"
#include "tests/sim/cluster/world.h"

namespace natrium::sim::cluster {
namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t op_timeout_ns = 2'000 * ms;

void add_to(stats& a, const stats& b) {
  a.events += b.events;
  a.simulated_ns += b.simulated_ns;
  a.faults += b.faults;
  a.messages += b.messages;
  a.dropped += b.dropped;
  a.ops += b.ops;
  a.ops_ok += b.ops_ok;
  a.elections += b.elections;
  a.committed += b.committed;
}

// Clients: each runs one operation at a time against the node it believes
// leads, retries elsewhere only on a definite "not leader", gives up after a
// timeout (outcome unknown) and records everything in the history.
class clients {
 public:
  clients(world& w, int count, int nodes, std::int64_t stop_at)
      : w_(w), state_(static_cast<std::size_t>(count)), nodes_(nodes), stop_at_(stop_at) {}

  void start() {
    for (int c = 0; c < static_cast<int>(state_.size()); ++c) schedule_next(c, between(w_.rng(), 0, 50) * ms);
  }
  void on_reply(const client_reply& r);
  const std::vector<kv_op>& history() const noexcept { return history_; }
  std::int64_t last_ok_ns() const noexcept { return last_ok_ns_; }

 private:
  struct client_state {
    std::uint64_t op = 0;          // current op id (0: idle)
    std::size_t entry = 0;         // its history index
    client_request req;
    raft::peer_id target = 1;
    std::int64_t deadline = 0;
    std::map<std::string, std::optional<std::string>> seen;  // last value seen per key (for cas)
  };
  void schedule_next(int c, std::int64_t delay);
  void begin(int c);
  void send(int c);
  void finish(int c, const client_reply* r);

  world& w_;
  std::vector<client_state> state_;
  int nodes_;
  std::int64_t stop_at_;
  std::uint64_t next_op_ = 1;
  std::vector<kv_op> history_;
  std::map<std::uint64_t, bool> definite_failure_;  // history index -> dropped from the history
  std::int64_t last_ok_ns_ = -1;
};

void clients::schedule_next(int c, std::int64_t delay) {
  w_.at(w_.now() + delay, [this, c] { begin(c); });
}

void clients::begin(int c) {
  if (w_.now() >= stop_at_) return;
  client_state& s = state_[static_cast<std::size_t>(c)];
  s.op = next_op_++;
  kv_op op;
  op.client = c;
  op.key = "k" + std::to_string(w_.rng().below(4));
  op.invoked_ns = w_.now();
  const std::uint64_t dice = w_.rng().below(100);
  client_request req;
  req.client = c;
  req.op = s.op;
  if (dice < 40) {
    op.kind = op_kind::get;
    req.read = true;
    req.key = op.key;
  } else {
    op.kind = dice < 80 ? op_kind::put : op_kind::cas;
    op.value = "c" + std::to_string(c) + "-" + std::to_string(s.op);
    if (op.kind == op_kind::cas) op.expected = s.seen[op.key];
    req.cmd = kv_command{op.kind == op_kind::cas, c, s.op, op.key, op.expected, op.value};
  }
  s.req = req;
  s.entry = history_.size();
  history_.push_back(op);
  s.deadline = w_.now() + op_timeout_ns;
  w_.at(s.deadline, [this, c, id = s.op] {
    if (state_[static_cast<std::size_t>(c)].op == id) finish(c, nullptr);
  });
  send(c);
}

void clients::send(int c) {
  client_state& s = state_[static_cast<std::size_t>(c)];
  w_.send_request(s.target, s.req);
}

void clients::on_reply(const client_reply& r) {
  client_state& s = state_[static_cast<std::size_t>(r.client)];
  if (s.op != r.op) return;  // a late answer to an op already given up
  if (r.status == reply_status::not_leader) {
    // Definitely not proposed: try the hinted leader, or another node, after a pause.
    s.target = r.leader_hint != 0 ? r.leader_hint
                                  : static_cast<raft::peer_id>(1 + w_.rng().below(static_cast<std::uint64_t>(nodes_)));
    w_.at(w_.now() + between(w_.rng(), 5, 50) * ms, [this, c = r.client, id = r.op] {
      if (state_[static_cast<std::size_t>(c)].op == id) send(c);
    });
    return;
  }
  finish(r.client, &r);
}

void clients::finish(int c, const client_reply* r) {
  client_state& s = state_[static_cast<std::size_t>(c)];
  kv_op& op = history_[s.entry];
  if (r != nullptr && r->status == reply_status::failed) {
    // Definitely not applied: it never happened (removed before checking).
    definite_failure_[s.entry] = true;
    op.client = -1;
  } else if (r != nullptr) {
    op.returned_ns = w_.now();
    op.read = r->value;
    op.swapped = r->swapped;
    last_ok_ns_ = w_.now();
    if (op.kind == op_kind::get) s.seen[op.key] = r->value;
    if (op.kind == op_kind::put || (op.kind == op_kind::cas && r->swapped)) s.seen[op.key] = op.value;
  } else {
    // Timed out: unknown. Try another node next time.
    s.target = static_cast<raft::peer_id>(1 + w_.rng().below(static_cast<std::uint64_t>(nodes_)));
  }
  s.op = 0;
  schedule_next(c, between(w_.rng(), 0, 30) * ms);
}

// The fault injector: every fault_every_ns, one fault of the seed's mix.
class injector {
 public:
  injector(world& w, int nodes, std::int64_t stop_at) : w_(w), nodes_(nodes), stop_at_(stop_at) {}
  void start() { next(); }
  std::uint64_t count() const noexcept { return count_; }

 private:
  void next() {
    const std::int64_t gap = w_.mix().fault_every_ns / 2 +
                             static_cast<std::int64_t>(w_.rng().below(static_cast<std::uint64_t>(w_.mix().fault_every_ns)));
    w_.at(w_.now() + gap, [this] {
      if (w_.now() >= stop_at_) return;
      inject();
      next();
    });
  }
  raft::peer_id any() { return static_cast<raft::peer_id>(1 + w_.rng().below(static_cast<std::uint64_t>(nodes_))); }
  std::int64_t lasting() { return between(w_.rng(), 100, 4000) * ms; }
  void inject();
  void change_membership();
  // The fewest voters a membership can have: all the nodes unless this seed changes membership.
  int voters_min() const { return w_.mix().member_weight > 0 ? nodes_ / 2 + 1 : nodes_; }
  int down_or_damaged() const {
    int k = 0;
    for (const sim_node& n : w_.nodes()) k += (!n.up || n.corrupt_at_restart || (n.raft && n.raft->state().repairing)) ? 1 : 0;
    return k;
  }

  world& w_;
  int nodes_;
  std::int64_t stop_at_;
  std::uint64_t count_ = 0;
};

void injector::inject() {
  const fault_mix& m = w_.mix();
  const int weights[] = {m.crash_weight, m.partition_weight, m.isolate_weight, m.asym_weight, m.clog_weight,
                         m.pause_weight, m.clock_weight,     m.disk_weight,    m.member_weight, m.transfer_weight};
  int total = 0;
  for (int x : weights) total += x;
  if (total == 0) return;
  int roll = static_cast<int>(w_.rng().below(static_cast<std::uint64_t>(total)));
  int kind = 0;
  while (roll >= weights[kind]) roll -= weights[kind++];
  ++count_;
  const raft::peer_id n = any();
  const std::int64_t d = lasting();
  switch (kind) {
    case 0:  // crash, restart later
      w_.crash(n);
      w_.at(w_.now() + d, [this, n] { w_.restart(n); });
      break;
    case 1: {  // a random split into two sides
      std::vector<int> side(static_cast<std::size_t>(nodes_));
      for (int& s : side) s = static_cast<int>(w_.rng().below(2));
      for (int a = 0; a < nodes_; ++a)
        for (int b = 0; b < nodes_; ++b)
          if (side[static_cast<std::size_t>(a)] != side[static_cast<std::size_t>(b)])
            w_.block(static_cast<raft::peer_id>(a + 1), static_cast<raft::peer_id>(b + 1), true);
      w_.at(w_.now() + d, [this] { w_.heal_network(); });
      break;
    }
    case 2:  // one node isolated
      for (raft::peer_id o = 1; o <= static_cast<raft::peer_id>(nodes_); ++o) {
        if (o == n) continue;
        w_.block(n, o, true);
        w_.block(o, n, true);
      }
      w_.at(w_.now() + d, [this] { w_.heal_network(); });
      break;
    case 3: {  // one direction of one link
      raft::peer_id o = any();
      if (o == n) o = n % static_cast<raft::peer_id>(nodes_) + 1;
      w_.block(n, o, true);
      w_.at(w_.now() + d, [this, n, o] { w_.block(n, o, false); });
      break;
    }
    case 4: {  // a clogged link: everything on it waits until it clears
      raft::peer_id o = any();
      if (o == n) o = n % static_cast<raft::peer_id>(nodes_) + 1;
      w_.clog(n, o, w_.now() + d);
      break;
    }
    case 5:
      w_.pause(n, d);
      break;
    case 6:
      w_.jump_clock(n, between(w_.rng(), 50, 3000) * ms);
      break;
    case 7: {  // disk damage, found at the next restart; on a minority of the smallest membership only
      if (down_or_damaged() + 1 > (voters_min() - 1) / 2) break;
      sim_node& victim = w_.nodes()[n - 1];
      if (!victim.up) break;
      w_.crash(n);
      const bool hard = w_.rng().below(3) == 0;
      if (hard) victim.disk.corrupt_hard_state_slot(w_.rng());
      else victim.disk.corrupt_entry(w_.rng());
      if (w_.trace().printing())
        w_.trace().line(std::to_string(w_.now() / 1000) + "us n" + std::to_string(n) + " disk damage: " +
                        (hard ? "a hard-state slot" : "a log entry"));
      w_.at(w_.now() + between(w_.rng(), 50, 1000) * ms, [this, n] { w_.restart(n); });
      break;
    }
    case 8:  // sometimes two at once: the second must wait for the first to commit
      change_membership();
      if (w_.rng().below(3) == 0) change_membership();
      break;
    case 9: {  // leadership transfer to another voter
      const raft::peer_id l = w_.leader();
      if (l == 0) break;
      const std::vector<raft::peer_id> voters = w_.nodes()[l - 1].raft->state().members.voters;
      const raft::peer_id to = voters[w_.rng().below(voters.size())];
      if (to != l) w_.transfer_leadership(l, to);
      break;
    }
    default:
      break;
  }
}

// The leader removes a voter (never below a majority of all the nodes, so a
// minority of any membership is a minority of the nodes' disks too) or adds
// a removed node back.
void injector::change_membership() {
  const raft::peer_id l = w_.leader();
  if (l == 0) return;
  const raft::membership mem = w_.nodes()[l - 1].raft->state().members;
  std::vector<raft::peer_id> out;
  for (raft::peer_id p = 1; p <= static_cast<raft::peer_id>(nodes_); ++p)
    if (!mem.contains(p)) out.push_back(p);
  const bool can_remove = mem.voters.size() > static_cast<std::size_t>(voters_min());
  raft::config_change c;
  if (can_remove && (out.empty() || w_.rng().below(2) == 0)) {
    c.type = raft::change_type::remove_voter;
    c.peer = mem.voters[w_.rng().below(mem.voters.size())];
  } else if (!out.empty()) {
    c.type = raft::change_type::add_voter;
    c.peer = out[w_.rng().below(out.size())];
  } else {
    return;
  }
  w_.change_membership(l, c);
}

// One line per node for liveness reports.
std::string cluster_state(world& w) {
  static const char* const roles[] = {"follower", "pre-candidate", "candidate", "leader"};
  std::string s;
  for (const sim_node& n : w.nodes()) {
    const raft::status st = n.raft->state();
    s += "\n    n" + std::to_string(n.id) + ": " + roles[static_cast<int>(st.r)] + " term " + std::to_string(st.term) +
         " last " + std::to_string(st.last_index) + "@" + std::to_string(st.last_term) + " commit " +
         std::to_string(st.commit) + " applied " + std::to_string(n.applied) + (st.repairing ? " repairing" : "") +
         " corrupt records " + std::to_string(st.corrupt_records) + " voters";
    for (raft::peer_id v : st.members.voters) s += " n" + std::to_string(v);
  }
  return s;
}

}  // namespace

void stats::add(const stats& o) {
  add_to(*this, o);
}

result run_seed(const params& p) {
  result res;
  base::prng mix_rng(p.seed * 0x9e3779b97f4a7c15ULL + 17);
  fault_mix mix = fault_mix::draw(mix_rng);
  // The seed also picks the Raft configuration: small append batches and
  // in-flight windows split replication into many partial acknowledgements.
  raft::config cfg;
  cfg.seed = p.seed;
  cfg.election_timeout = base::millis(between(mix_rng, 150, 600));
  cfg.heartbeat_interval = base::millis(between(mix_rng, 20, 60));
  const std::size_t batch_sizes[] = {128, 512, 4096, 1 << 20};
  cfg.lim.append_bytes_max = batch_sizes[mix_rng.below(4)];
  const std::size_t windows[] = {1, 4, 64};
  cfg.lim.inflight_appends_max = windows[mix_rng.below(3)];
  cfg.bugs = p.mutate;
  if (p.reconfig) {  // drawn last: without --reconfig a seed's world is what it always was
    mix.member_weight = pick(mix_rng, 1, 5);
    if (chance(mix_rng, 70)) mix.transfer_weight = pick(mix_rng, 1, 5);
  }
  res.mix = mix.describe() + " election=" + std::to_string(cfg.election_timeout.ns / ms) + "ms heartbeat=" +
             std::to_string(cfg.heartbeat_interval.ns / ms) + "ms batch=" + std::to_string(cfg.lim.append_bytes_max) +
             "B window=" + std::to_string(cfg.lim.inflight_appends_max);
  verdict v;
  world w(p.seed, p.nodes, cfg, mix, p.trace);
  safety_checker safety(v);
  const std::int64_t heal_at = p.fault_ns;
  const std::int64_t end_at = p.fault_ns + p.heal_ns;
  clients cl(w, p.clients, p.nodes, end_at - 3'000 * ms);
  injector inj(w, p.nodes, heal_at);
  std::int64_t violation_at = 0;
  w.hooks().on_reply = [&](const client_reply& r) { cl.on_reply(r); };
  w.hooks().on_apply = [&](raft::peer_id n, const raft::entry& e) {
    safety.on_apply(n, e, w.nodes()[n - 1].raft->state().term);
  };
  w.hooks().on_durable = [&](raft::peer_id n, const std::vector<raft::entry>& es) {
    safety.on_durable(n, w.nodes()[n - 1], es);
  };
  // A leader that crashes soon after its election, before its first entries
  // are on a quorum (the Figure 8 situation), at the seed's rate.
  std::map<raft::peer_id, raft::term_t> led;
  w.hooks().after_event = [&](raft::peer_id n) {
    sim_node& node = w.nodes()[n - 1];
    safety.after_event(node);
    safety.check_electable(w.nodes());
    if (mix.leader_crash_pct == 0 || w.now() >= heal_at || !node.up) return;
    const raft::status st = node.raft->state();
    if (st.r != raft::role::leader || led[n] == st.term) return;
    led[n] = st.term;
    if (!chance(w.rng(), static_cast<std::uint64_t>(mix.leader_crash_pct))) return;
    const std::uint64_t inc = node.incarnation;
    w.at(w.now() + between(w.rng(), 0, 60) * ms, [&w, n, inc] {
      if (w.nodes()[n - 1].incarnation != inc) return;
      w.crash(n);
      w.at(w.now() + between(w.rng(), 50, 1000) * ms, [&w, n] { w.restart(n); });
    });
  };
  w.hooks().violation = [&](std::string why) { v.fail(std::move(why)); };
  cl.start();
  inj.start();
  // Heal: restart every node, reconnect everything, stop message faults.
  w.at(heal_at, [&] {
    w.calm();
    w.heal_network();
    for (sim_node& n : w.nodes()) {
      n.paused_until = 0;
      if (!n.up) w.restart(n.id);
    }
  });
  // After the heal, the removed nodes are added back one at a time (the
  // liveness check wants every node caught up): a new member catching up.
  std::function<void()> regrow = [&] {
    const raft::peer_id l = w.leader();
    if (l != 0) {
      const raft::membership mem = w.nodes()[l - 1].raft->state().members;
      for (raft::peer_id q = 1; q <= static_cast<raft::peer_id>(p.nodes); ++q) {
        if (mem.contains(q)) continue;
        w.change_membership(l, raft::config_change{raft::change_type::add_voter, q});
        break;
      }
    }
    if (w.now() + 100 * ms < end_at) w.at(w.now() + 100 * ms, regrow);
  };
  if (p.reconfig) w.at(heal_at + 1, regrow);
  std::uint64_t events = 0;
  // A seed takes 40,000 to 200,000 events; far more means messages that beget
  // messages without end (a livelock the clock never gets past).
  constexpr std::uint64_t events_max = 5'000'000;
  while (!v.failed() && w.next_before(end_at)) {
    w.run_one();
    ++events;
    if (events > events_max) v.fail("liveness: more than " + std::to_string(events_max) + " events: a message storm");
    if (v.failed()) violation_at = w.now();
  }
  res.st.events = events;
  res.st.simulated_ns = std::min(w.now(), end_at);
  res.st.faults = inj.count();
  res.st.messages = w.messages_sent;
  res.st.dropped = w.messages_dropped;
  res.st.elections = safety.leader_terms();
  res.st.committed = safety.highest_applied();
  res.hash = w.trace().hash();
  if (v.failed()) {
    res.ok = false;
    res.reason = v.reason();
    res.at_ns = violation_at;
    return res;
  }
  // Liveness: after the heal, one leader, every node caught up and equal,
  // and client operations acknowledged again.
  raft::index_t applied = 0;
  std::uint64_t digest = 0;
  int leaders = 0;
  for (const sim_node& n : w.nodes()) {
    const raft::status st = n.raft->state();
    if (st.r == raft::role::leader) ++leaders;
    if (&n == &w.nodes().front()) {
      applied = n.applied;
      digest = n.kv.digest();
    } else if (n.applied != applied || n.kv.digest() != digest) {
      res.ok = false;
      res.reason = "liveness: " + std::to_string(p.heal_ns / ms) + "ms after healing, n" + std::to_string(n.id) +
                   " applied " + std::to_string(n.applied) + " (digest " + hex64(n.kv.digest()) + "), n1 " +
                   std::to_string(applied) + " (digest " + hex64(digest) + ")" + cluster_state(w);
      res.at_ns = end_at;
      return res;
    }
  }
  if (leaders != 1) {
    res.ok = false;
    res.reason = "liveness: " + std::to_string(leaders) + " leaders " + std::to_string(p.heal_ns / ms) + "ms after healing" + cluster_state(w);
    res.at_ns = end_at;
    return res;
  }
  if (cl.last_ok_ns() < heal_at) {
    res.ok = false;
    res.reason = "liveness: no client operation acknowledged after healing" + cluster_state(w);
    res.at_ns = end_at;
    return res;
  }
  std::vector<kv_op> hist;
  for (const kv_op& op : cl.history())
    if (op.client >= 0) hist.push_back(op);
  const lin_result lr = check_linearizable(hist);
  res.st.ops = lr.ops_checked;
  for (const kv_op& op : hist) res.st.ops_ok += op.returned_ns ? 1 : 0;
  if (!lr.ok) {
    res.ok = false;
    res.reason = "linearizability: " + lr.explanation;
    res.at_ns = end_at;
  }
  return res;
}

}  // namespace natrium::sim::cluster
