#include "tests/sim/cluster/world.h"

#include <utility>

namespace natrium::sim::cluster {
namespace {

constexpr std::int64_t us = 1'000;
constexpr std::int64_t ms = 1'000'000;

const char* type_name(raft::msg_type t) {
  switch (t) {
    case raft::msg_type::append: return "app";
    case raft::msg_type::append_response: return "app-resp";
    case raft::msg_type::vote: return "vote";
    case raft::msg_type::vote_response: return "vote-resp";
    case raft::msg_type::pre_vote: return "prevote";
    case raft::msg_type::pre_vote_response: return "prevote-resp";
    case raft::msg_type::heartbeat: return "hb";
    case raft::msg_type::heartbeat_response: return "hb-resp";
    case raft::msg_type::install_snapshot: return "snap";
    case raft::msg_type::timeout_now: return "timeout-now";
  }
  return "?";
}

client_reply answer(int client, std::uint64_t op, reply_status status, raft::peer_id hint = 0) {
  client_reply r;
  r.client = client;
  r.op = op;
  r.status = status;
  r.leader_hint = hint;
  return r;
}

}  // namespace

std::string fault_mix::describe() const {
  std::string s = "loss=" + std::to_string(loss_pct) + "% dup=" + std::to_string(dup_pct) +
                  "% corrupt=" + std::to_string(corrupt_pct) + "% jitter=" + std::to_string(jitter_ns / ms) + "ms";
  const std::pair<const char*, int> w[] = {{"crash", crash_weight}, {"partition", partition_weight},
                                           {"isolate", isolate_weight}, {"asym", asym_weight},
                                           {"clog", clog_weight}, {"pause", pause_weight},
                                           {"clock", clock_weight}, {"disk", disk_weight},
                                           {"member", member_weight}, {"transfer", transfer_weight}};
  for (const auto& [name, weight] : w)
    if (weight > 0) s += std::string(" ") + name + "=" + std::to_string(weight);
  s += " torn=" + std::to_string(torn_pct) + "% write-err=" + std::to_string(write_error_pct) +
       "% leader-crash=" + std::to_string(leader_crash_pct) +
       "% every=" + std::to_string(fault_every_ns / ms) + "ms";
  return s;
}

fault_mix fault_mix::draw(base::prng& rng) {
  // Each fault kind is on or off for the whole seed, at its own rate.
  fault_mix m;
  const auto on = [&](int pct) { return chance(rng, static_cast<std::uint64_t>(pct)); };
  if (on(50)) m.loss_pct = pick(rng, 1, 20);
  if (on(30)) m.dup_pct = pick(rng, 1, 10);
  if (on(30)) m.corrupt_pct = pick(rng, 1, 5);
  if (on(50)) m.jitter_ns = between(rng, 1, 50) * ms;
  if (on(60)) m.crash_weight = pick(rng, 1, 5);
  if (on(50)) m.partition_weight = pick(rng, 1, 5);
  if (on(40)) m.isolate_weight = pick(rng, 1, 5);
  if (on(30)) m.asym_weight = pick(rng, 1, 5);
  if (on(30)) m.clog_weight = pick(rng, 1, 5);
  if (on(30)) m.pause_weight = pick(rng, 1, 5);
  if (on(30)) m.clock_weight = pick(rng, 1, 5);
  if (on(30)) m.disk_weight = pick(rng, 1, 5);
  if (on(50)) m.torn_pct = pick(rng, 10, 100);
  if (on(20)) m.write_error_pct = pick(rng, 1, 3);
  if (on(30)) m.leader_crash_pct = pick(rng, 10, 60);
  m.fault_every_ns = between(rng, 200, 3000) * ms;
  return m;
}

world::world(std::uint64_t seed, int nodes, const raft::config& base_cfg, fault_mix mix, bool trace)
    : rng_(seed ^ 0x5eed5eed5eedULL), base_cfg_(base_cfg), mix_(std::move(mix)), trace_(trace) {
  nodes_.resize(static_cast<std::size_t>(nodes));
  for (int i = 0; i < nodes; ++i) nodes_[static_cast<std::size_t>(i)].id = static_cast<raft::peer_id>(i + 1);
  for (sim_node& n : nodes_) start(n);
}

void world::calm() {
  calm_ = true;
}

void world::at(std::int64_t t, std::function<void()> fn) {
  queue_.push({t < now_ ? now_ : t, seq_++, std::move(fn)});
}

bool world::next_before(std::int64_t t) const {
  return !queue_.empty() && queue_.top().t <= t;
}

bool world::run_one() {
  if (queue_.empty()) return false;
  event e = queue_.top();
  queue_.pop();
  now_ = e.t;
  e.fn();
  return true;
}

raft::config world::config_for(raft::peer_id id) const {
  raft::config c = base_cfg_;
  c.id = id;
  c.initial_voters.clear();
  for (const sim_node& n : nodes_) c.initial_voters.push_back(n.id);
  c.seed = base_cfg_.seed * 1000003 + id;
  return c;
}

void world::start(sim_node& n) {
  n.up = true;
  n.persisting.reset();
  n.writes.clear();
  n.reads.clear();
  n.ready_reads.clear();
  n.kv = kv_machine{};
  raft::restored_state disk = n.disk.read();
  n.applied = disk.applied;
  if (disk.snap && disk.snap->valid()) n.kv.restore(disk.snap->data);
  n.raft.emplace(config_for(n.id), std::move(disk), base::mono_time{local(n)});
  n.last_written = n.raft->state().last_index;  // what survived the node's own checks
  if (trace_.printing()) {
    const raft::status st = n.raft->state();
    trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(n.id) + " start: term " + std::to_string(st.term) +
                " vote " + std::to_string(st.vote) + " log " + std::to_string(st.first_index) + ".." +
                std::to_string(st.last_index) + " commit " + std::to_string(st.commit) + " corrupt " +
                std::to_string(st.corrupt_records) + " torn " + std::to_string(st.torn_records) +
                (st.repairing ? " repairing" : ""));
  }
  touched(n);
}

void world::touched(sim_node& n) {
  pump(n);
  arm_timer(n);
  if (hooks_.after_event) hooks_.after_event(n.id);
}

void world::arm_timer(sim_node& n) {
  if (!n.up || !n.raft) return;
  const std::uint64_t gen = ++n.timer_gen;
  const std::uint64_t inc = n.incarnation;
  const std::int64_t due = n.raft->next_deadline().ns - n.clock_offset;
  at(std::max(due, now_ + 1), [this, id = n.id, gen, inc] {
    sim_node& m = node(id);
    if (m.incarnation != inc || m.timer_gen != gen || !m.up) return;
    if (now_ < m.paused_until) {  // a paused process notices time later
      at(m.paused_until, [this, id, inc] {
        sim_node& p = node(id);
        if (p.incarnation == inc && p.up) touched(p);
      });
      return;
    }
    m.raft->advance(base::mono_time{local(m)});
    touched(m);
  });
}

void world::pump(sim_node& n) {
  if (busy(n) || n.persisting || !n.raft->has_ready()) return;
  raft::ready r = n.raft->take_ready();
  if (!r.entries.empty()) {
    const raft::status st = n.raft->state();
    // Leader append-only: a leader only ever appends after its last entry.
    if (st.r == raft::role::leader && r.entries.front().index <= n.last_written && hooks_.violation) {
      hooks_.violation("leader append-only: leader n" + std::to_string(n.id) + " of term " + std::to_string(st.term) +
                       " rewrites its log from index " + std::to_string(r.entries.front().index) + " (last " +
                       std::to_string(n.last_written) + ")");
    }
    n.last_written = r.entries.back().index;
  } else if (r.snap) {
    n.last_written = r.snap->index;  // an installed snapshot replaces the whole log
  }
  n.disk.write(r);
  n.persisting = std::move(r);
  // fsync latency: usually fast, sometimes slow.
  const std::int64_t d = chance(rng_, 5) ? between(rng_, 5, 40) * ms : between(rng_, 50, 800) * us;
  at(now_ + d, [this, id = n.id, inc = n.incarnation] {
    sim_node& m = node(id);
    if (m.incarnation != inc || !m.up) return;
    if (!calm_ && mix_.write_error_pct > 0 && chance(rng_, static_cast<std::uint64_t>(mix_.write_error_pct))) {
      if (trace_.printing()) trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(id) + " write error");
      crash(id);
      at(now_ + between(rng_, 100, 2000) * ms, [this, id] { restart(id); });
      return;
    }
    on_synced(m);
  });
}

void world::on_synced(sim_node& n) {
  n.disk.sync();
  raft::ready r = std::move(*n.persisting);
  n.persisting.reset();
  if (!r.entries.empty() && hooks_.on_durable) hooks_.on_durable(n.id, r.entries);
  for (raft::message& m : r.messages) send(std::move(m));
  r.messages.clear();
  if (r.snap) {
    if (!n.kv.restore(r.snap->data) && hooks_.violation) hooks_.violation("n" + std::to_string(n.id) + ": snapshot image does not decode");
    n.applied = r.snap->index;
  }
  apply_committed(n, r);
  for (const raft::read_state& rs : r.reads) {
    const auto it = n.reads.find(rs.request);
    if (it == n.reads.end()) continue;
    sim_node::pending_read pr = it->second;
    pr.index = rs.index;
    n.reads.erase(it);
    n.ready_reads.emplace(rs.index, pr);
  }
  n.raft->advance_ready(r);
  serve_reads(n);
  // Compaction: keep the log short, so lagging followers need snapshots.
  const raft::status st = n.raft->state();
  if (n.applied > st.first_index + 64) n.raft->compact(n.applied, n.kv.snapshot());
  touched(n);
}

void world::apply_committed(sim_node& n, const raft::ready& r) {
  for (const raft::entry& e : r.committed) {
    if (e.index != n.applied + 1 && hooks_.violation) {
      hooks_.violation("n" + std::to_string(n.id) + " applies index " + std::to_string(e.index) + " after " +
                       std::to_string(n.applied));
    }
    if (hooks_.on_apply) hooks_.on_apply(n.id, e);
    n.applied = e.index;
    bool swapped = false;
    if (e.type == raft::entry_type::normal) {
      if (auto cmd = decode_command(e.data)) swapped = n.kv.apply(*cmd);
    }
    const auto w = n.writes.find(e.index);
    if (w != n.writes.end()) {
      client_reply rep = answer(w->second.client, w->second.op, reply_status::failed);
      if (w->second.term == e.term) {
        rep.status = reply_status::ok;
        rep.swapped = swapped;
      }
      n.writes.erase(w);
      reply(rep);
    }
  }
  // Proposals at indexes a snapshot skipped over: whether they made it is
  // unknown here, so no answer (the client times out).
  while (!n.writes.empty() && n.writes.begin()->first <= n.applied) n.writes.erase(n.writes.begin());
}

void world::serve_reads(sim_node& n) {
  while (!n.ready_reads.empty() && n.ready_reads.begin()->first <= n.applied) {
    const sim_node::pending_read pr = n.ready_reads.begin()->second;
    n.ready_reads.erase(n.ready_reads.begin());
    client_reply rep = answer(pr.client, pr.op, reply_status::ok);
    rep.value = n.kv.get(pr.key);
    reply(rep);
  }
}

void world::send(raft::message m) {
  ++messages_sent;
  const std::pair<raft::peer_id, raft::peer_id> link{m.from, m.to};
  if (blocked_.count(link) != 0 || (!calm_ && mix_.loss_pct > 0 && chance(rng_, static_cast<std::uint64_t>(mix_.loss_pct)))) {
    ++messages_dropped;
    return;
  }
  if (!calm_ && mix_.corrupt_pct > 0 && chance(rng_, static_cast<std::uint64_t>(mix_.corrupt_pct))) {
    // Damage a field without resealing: the receiver's checksum check must drop it.
    if (!m.entries.empty() && !m.entries.front().data.empty()) m.entries.front().data[0] ^= 0x40;
    else m.commit ^= 1ULL << (rng_.below(8));
  }
  std::int64_t d = between(rng_, 200, 1000) * us;
  if (!calm_ && mix_.jitter_ns > 0) d += static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(mix_.jitter_ns)));
  const auto c = clogged_until_.find(link);
  if (c != clogged_until_.end() && c->second > now_) d = std::max(d, c->second - now_) + d;
  const int copies = !calm_ && mix_.dup_pct > 0 && chance(rng_, static_cast<std::uint64_t>(mix_.dup_pct)) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    const std::uint64_t inc = node(m.to).incarnation;
    at(now_ + d + i * between(rng_, 0, 5) * ms, [this, m, inc] { deliver(m, inc); });
  }
}

void world::deliver(const raft::message& m, std::uint64_t incarnation) {
  sim_node& n = node(m.to);
  if (!n.up) return;
  (void)incarnation;  // messages outlive restarts, as on a real network
  if (now_ < n.paused_until) {
    at(n.paused_until, [this, m, incarnation] { deliver(m, incarnation); });
    return;
  }
  if (trace_.printing()) {
    trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(m.from) + "->n" + std::to_string(m.to) + " " +
                type_name(m.type) + " t" + std::to_string(m.term) + " i" + std::to_string(m.index) + " lt" +
                std::to_string(m.log_term) + " n=" + std::to_string(m.entries.size()) + " c" +
                std::to_string(m.commit) + (m.reject ? " reject" : ""));
  } else {
    trace_.mix(std::string_view(reinterpret_cast<const char*>(&m.checksum), sizeof m.checksum));
  }
  n.raft->advance(base::mono_time{local(n)});
  n.raft->step(m);
  touched(n);
}

void world::send_request(raft::peer_id to, client_request req) {
  at(now_ + between(rng_, 200, 1000) * us, [this, to, req = std::move(req)] {
    sim_node& n = node(to);
    if (!n.up) return;  // the client times out
    if (now_ < n.paused_until) {
      at(n.paused_until, [this, to, req] { send_request(to, req); });
      return;
    }
    on_request(n, req);
  });
}

void world::on_request(sim_node& n, const client_request& req) {
  const raft::status st = n.raft->state();
  if (st.r != raft::role::leader) {
    reply(answer(req.client, req.op, reply_status::not_leader, st.leader));
    return;
  }
  if (req.read) {
    const std::uint64_t id = (static_cast<std::uint64_t>(req.client) << 40) | req.op;
    n.reads[id] = {req.client, req.op, req.key, 0};
    n.raft->read_index(id);
  } else {
    auto idx = n.raft->propose(encode(req.cmd));
    if (!idx.ok()) {
      reply(answer(req.client, req.op, reply_status::not_leader, st.leader));
      return;
    }
    n.writes[*idx] = {req.client, req.op, st.term};
  }
  touched(n);
}

bool world::change_membership(raft::peer_id id, const raft::config_change& c) {
  sim_node& n = node(id);
  if (busy(n)) return false;
  const auto idx = n.raft->propose_change(c);
  if (trace_.printing()) {
    trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(id) + " propose " +
                (c.type == raft::change_type::add_voter ? "add n" : "remove n") + std::to_string(c.peer) + ": " +
                (idx.ok() ? "index " + std::to_string(*idx) : std::string("refused")));
  }
  touched(n);
  return idx.ok();
}

void world::transfer_leadership(raft::peer_id id, raft::peer_id to) {
  sim_node& n = node(id);
  if (busy(n)) return;
  if (trace_.printing()) trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(id) + " transfer to n" + std::to_string(to));
  n.raft->transfer_leadership(to);
  touched(n);
}

raft::peer_id world::leader() const {
  raft::peer_id best = 0;
  raft::term_t best_term = 0;
  for (const sim_node& n : nodes_) {
    if (!n.up || !n.raft) continue;
    const raft::status st = n.raft->state();
    if (st.r == raft::role::leader && st.term >= best_term) {
      best = n.id;
      best_term = st.term;
    }
  }
  return best;
}

void world::reply(const client_reply& r) {
  at(now_ + between(rng_, 200, 1000) * us, [this, r] {
    if (hooks_.on_reply) hooks_.on_reply(r);
  });
}

void world::crash(raft::peer_id id) {
  sim_node& n = node(id);
  if (!n.up) return;
  n.up = false;
  ++n.incarnation;
  n.disk.crash(rng_, mix_.torn_pct);
  n.raft.reset();
  n.persisting.reset();
  n.writes.clear();
  n.reads.clear();
  n.ready_reads.clear();
  n.paused_until = 0;
  if (trace_.printing()) trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(id) + " crash");
}

void world::restart(raft::peer_id id) {
  sim_node& n = node(id);
  if (n.up) return;
  start(n);
}

void world::pause(raft::peer_id id, std::int64_t d) {
  sim_node& n = node(id);
  if (!n.up) return;
  n.paused_until = std::max(n.paused_until, now_ + d);
  if (trace_.printing()) trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(id) + " pause " + std::to_string(d / ms) + "ms");
}

void world::jump_clock(raft::peer_id id, std::int64_t d) {
  sim_node& n = node(id);
  n.clock_offset += d;
  if (trace_.printing()) trace_.line(std::to_string(now_ / us) + "us n" + std::to_string(id) + " clock +" + std::to_string(d / ms) + "ms");
  if (n.up) arm_timer(n);
}

void world::block(raft::peer_id from, raft::peer_id to, bool blocked) {
  if (blocked) blocked_.insert({from, to});
  else blocked_.erase({from, to});
}

void world::clog(raft::peer_id from, raft::peer_id to, std::int64_t until) {
  clogged_until_[{from, to}] = until;
}

void world::heal_network() {
  blocked_.clear();
  clogged_until_.clear();
}

}  // namespace natrium::sim::cluster
