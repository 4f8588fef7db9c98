#include "tests/sim/sim_world.h"

#include <algorithm>
#include <limits>
#include <variant>

namespace natrium::sim {

namespace {
constexpr std::int64_t wall_epoch_ns = 1'700'000'000'000'000'000;  // virtual wall clock = epoch + mono
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
const char* level_name(server::log_level l) {
  switch (l) {
    case server::log_level::error: return "ERR";
    case server::log_level::warn: return "WRN";
    case server::log_level::info: return "INF";
    case server::log_level::debug: return "DBG";
    case server::log_level::trace: return "TRC";
  }
  return "?";
}
}  // namespace

net_shape make_net_shape(base::prng& rng, bool slow_readers) {
  net_shape n;
  n.zero_delay_pct = static_cast<int>(between(rng, 0, 60));
  n.slow_delay_pct = static_cast<int>(between(rng, 0, 30));
  n.whole_pct = static_cast<int>(between(rng, 10, 90));
  n.tiny_pct = static_cast<int>(between(rng, 0, 100 - n.whole_pct));
  if (slow_readers) {
    n.slow_reader_pct = static_cast<int>(between(rng, 20, 70));
    n.slow_flush_max_ns = between(rng, 5'000'000, 400'000'000);
  }
  return n;
}

std::string describe(const net_shape& n) {
  return "zero_delay=" + std::to_string(n.zero_delay_pct) + " slow_delay=" + std::to_string(n.slow_delay_pct) +
         " whole=" + std::to_string(n.whole_pct) + " tiny=" + std::to_string(n.tiny_pct) + " slow_readers=" +
         std::to_string(n.slow_reader_pct) + " slow_flush_max_ns=" + std::to_string(n.slow_flush_max_ns);
}

sim_world::sim_world(const server::config& cfg, const net_shape& net, base::prng& rng, oracle& o, verdict& v,
                     trace_log& t, fault_injector* fault)
    : net_(net), rng_(rng), oracle_(o), verdict_(v), trace_(t), fault_(fault), cfg_(cfg) {
  start_node();
}

void sim_world::start_node() {
  node_ = std::make_unique<server::node>(cfg_);
  node_->advance_to(base::mono_time{now_ns_}, base::wall_time{wall_epoch_ns + now_ns_});
  if (cfg_.jetstream) {
    auto attached = node_->attach_store(&store_);
    if (!attached) verdict_.fail("attach_store failed: " + attached.err().text);
  }
  drain();
}

void sim_world::schedule(std::int64_t delay_ns, std::function<void()> fn) {
  events_.emplace(std::make_pair(now_ns_ + delay_ns, next_event_++), std::move(fn));
}

// Mostly sub-millisecond, sometimes zero (same-time events keep insertion order).
std::int64_t sim_world::random_delay() {
  if (chance(rng_, static_cast<std::uint64_t>(net_.zero_delay_pct))) return 0;
  if (chance(rng_, static_cast<std::uint64_t>(net_.slow_delay_pct))) return between(rng_, 300'000, 3'000'000);
  return between(rng_, 1'000, 300'000);
}

// Where a byte stream is cut: often whole, often anywhere, sometimes tiny pieces.
std::size_t sim_world::random_split(std::size_t n) {
  if (n <= 1) return n;
  const auto roll = static_cast<int>(rng_.below(100));
  if (roll < net_.whole_pct) return n;
  if (roll < net_.whole_pct + net_.tiny_pct) return 1 + rng_.below(std::min<std::size_t>(n, 8));
  return 1 + rng_.below(n);
}

void sim_world::set_time(std::int64_t t_ns) {
  if (t_ns < now_ns_) t_ns = now_ns_;
  now_ns_ = t_ns;
  node_->advance_to(base::mono_time{t_ns}, base::wall_time{wall_epoch_ns + t_ns});
  drain();
}

void sim_world::run_until(std::int64_t t_ns) {
  while (!verdict_.failed()) {
    const std::int64_t t_ev = events_.empty() ? never : events_.begin()->first.first;
    const auto deadline = node_->next_deadline();
    const std::int64_t t_dl = deadline ? deadline->ns : never;
    const std::int64_t t = std::min(t_ev, t_dl);
    if (t > t_ns) break;
    set_time(t);
    if (t_ev == t) {
      auto fn = std::move(events_.begin()->second);
      events_.erase(events_.begin());
      fn();
    }
  }
  if (!verdict_.failed()) set_time(t_ns);
}

int sim_world::open_client(const client_profile& profile) {
  const int id = next_id_;
  const client_env env{oracle_, verdict_, rng_, node_->cfg().ping_max, fault_};
  auto client = std::make_unique<sim_client>(id, profile, env);
  sim_client* core = client.get();
  return add_conn(std::move(client), core,
                  "open echo=" + std::to_string(profile.echo) + " headers=" + std::to_string(profile.headers) +
                      " nr=" + std::to_string(profile.no_responders) + " verbose=" +
                      std::to_string(profile.verbose) + " responder=" + std::to_string(profile.responder));
}

int sim_world::open_peer(const std::function<std::unique_ptr<sim_peer>(int id)>& make) {
  return add_conn(make(next_id_), nullptr, "open peer");
}

int sim_world::add_conn(std::unique_ptr<sim_peer> client, sim_client* core, const std::string& what) {
  const int id = next_id_++;
  vconn& c = conns_[id];
  c.slow_reader = chance(rng_, static_cast<std::uint64_t>(net_.slow_reader_pct));
  c.client = std::move(client);
  c.core = core;
  trace_.line(at() + "c" + std::to_string(id) + " " + what + " slow_reader=" + std::to_string(c.slow_reader));
  set_time(now_ns_);
  node_->on_conn_opened(server::conn_opened{base::conn_id{static_cast<std::uint64_t>(id)}, "10.0.0.1", 40000 + id});
  drain();
  return id;
}

sim_client* sim_world::client(int id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.core;
}

sim_peer* sim_world::peer(int id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.client.get();
}

std::vector<int> sim_world::ready_clients() const {
  std::vector<int> out;
  for (const auto& [id, c] : conns_) {
    if (c.client->ready() && !c.server_closed && !c.peer_gone) out.push_back(id);
  }
  return out;
}

void sim_world::close_by_peer(int id) {
  vconn& c = conns_.at(id);
  if (c.server_closed || c.peer_gone) return;
  trace_.line(at() + "c" + std::to_string(id) + " goes away");
  c.peer_gone = true;
  c.client->on_gone();
  c.to_client.clear();
  c.in_flight.clear();
  set_time(now_ns_);
  node_->on_conn_closed(server::conn_closed{base::conn_id{static_cast<std::uint64_t>(id)}});
  if (c.core != nullptr) oracle_.on_peer_closed(id);
  drain();
}

void sim_world::kick(int id) {
  vconn& c = conns_.at(id);
  if (c.to_node_scheduled || c.server_closed || c.peer_gone || c.client->unsent().empty()) return;
  c.to_node_scheduled = true;
  schedule(random_delay(), [this, id] { deliver_to_node(id); });
}

void sim_world::deliver_to_node(int id) {
  vconn& c = conns_.at(id);
  c.to_node_scheduled = false;
  if (c.server_closed || c.peer_gone) return;
  if (c.paused) {
    if (!c.grace) return;  // kick() again on set_reading(true)
    c.grace = false;
  }
  const std::string_view pending = c.client->unsent();
  const std::string_view chunk = pending.substr(0, random_split(pending.size()));
  trace_.line(at() + "c" + std::to_string(id) + " -> " + escape(chunk, 60));
  trace_.mix(chunk);
  bytes_to_node_ += chunk.size();
  const std::uint64_t pubs_before = node_->stats().in_msgs;
  node_->on_bytes_received(server::bytes_received{base::conn_id{static_cast<std::uint64_t>(id)}, chunk});
  const std::uint64_t pubs = node_->stats().in_msgs - pubs_before;
  std::vector<client_op> done;
  c.client->consumed(chunk.size(), done);
  drain();  // schedules only: nothing reaches a client before the oracle learns of the ops
  // A node closes a connection in the middle of a read only as a slow consumer,
  // and only while processing a PUB: then the ops after that PUB are not processed.
  std::uint64_t pubs_seen = 0;
  for (const client_op& op : done) {
    if (c.server_closed && pubs_seen == pubs) break;
    if (op.type == op_type::pub) pubs_seen++;
    if (c.core != nullptr) oracle_.on_processed(id, op);
  }
  if (pubs_seen != pubs) verdict_.fail("c" + std::to_string(id) + ": the node counted " + std::to_string(pubs) +
                                       " PUBs in a read that carried " + std::to_string(pubs_seen));
  kick(id);
}

void sim_world::drain() {
  while (auto a = node_->next_action()) {
    if (const auto* sb = std::get_if<server::send_bytes>(&*a)) {
      on_send_bytes(static_cast<int>(sb->id.value), sb->data);
    } else if (const auto* cc = std::get_if<server::close_conn>(&*a)) {
      on_close_conn(static_cast<int>(cc->id.value), cc->flush);
    } else if (const auto* lg = std::get_if<server::emit_log>(&*a)) {
      trace_.line(at() + "log " + level_name(lg->level) + " " + lg->text);
    } else if (const auto* sr = std::get_if<server::set_reading>(&*a)) {
      on_set_reading(static_cast<int>(sr->id.value), sr->enabled);
    } else if (auto* ws = std::get_if<server::write_storage>(&*a)) {
      on_write_storage(std::move(*ws));
    } else {
      verdict_.fail("an action the simulator does not know");
    }
  }
}

void sim_world::on_send_bytes(int id, std::string_view data) {
  auto it = conns_.find(id);
  const std::string who = "c" + std::to_string(id);
  if (it == conns_.end() || it->second.peer_gone) return verdict_.fail("send_bytes for gone connection " + who);
  vconn& c = it->second;
  if (c.server_closed) return verdict_.fail("send_bytes after close_conn for " + who);
  if (c.writing) return verdict_.fail("a second send_bytes for " + who + " before the first was flushed");
  if (data.empty()) return verdict_.fail("empty send_bytes for " + who);
  trace_.line(at() + who + " <- " + escape(data, 60));
  trace_.mix(data);
  c.writing = true;
  c.in_flight.assign(data);
  const std::int64_t delay = c.slow_reader ? between(rng_, 1'000'000, net_.slow_flush_max_ns) : random_delay();
  schedule(delay, [this, id] { flush_done(id); });
}

void sim_world::flush_done(int id) {
  vconn& c = conns_.at(id);
  if (c.server_closed || c.peer_gone) return;  // the socket is gone: nothing more to report
  c.to_client += c.in_flight;
  const std::size_t n = c.in_flight.size();
  bytes_from_node_ += n;
  c.in_flight.clear();
  c.writing = false;
  node_->on_bytes_flushed(server::bytes_flushed{base::conn_id{static_cast<std::uint64_t>(id)}, n});
  drain();
  schedule_to_client(id);
}

void sim_world::on_close_conn(int id, bool flush) {
  auto it = conns_.find(id);
  const std::string who = "c" + std::to_string(id);
  trace_.line(at() + who + " close_conn flush=" + std::to_string(flush));
  if (it == conns_.end()) return verdict_.fail("close_conn for unknown connection " + who);
  vconn& c = it->second;
  if (c.peer_gone) return;  // we reported conn_closed already; the node echoes a close_conn (ignored)
  if (c.server_closed) return verdict_.fail("close_conn twice for " + who);
  if (flush && c.writing) return verdict_.fail("close_conn(flush) for " + who + " while a write is outstanding");
  if (!flush && !explain_abortive_close(id)) return;
  c.server_closed = true;
  c.writing = false;
  c.in_flight.clear();  // unflushed bytes of an abortive close are lost
  c.eof_due = true;
  schedule_to_client(id);
  schedule(random_delay(), [this, id] {
    set_time(now_ns_);
    node_->on_conn_closed(server::conn_closed{base::conn_id{static_cast<std::uint64_t>(id)}});
    drain();
  });
}

// The node closes a connection without flushing only as a slow consumer, and
// only runs with slow readers may have those; node_stats counts each one.
bool sim_world::explain_abortive_close(int id) {
  const std::uint64_t seen = node_->stats().slow_consumers;
  slow_budget_ += seen - slow_seen_;
  slow_seen_ = seen;
  const std::string who = "c" + std::to_string(id);
  if (net_.slow_reader_pct == 0) {
    verdict_.fail("abortive close_conn for " + who + " in a run without slow readers");
    return false;
  }
  if (slow_budget_ == 0) {
    verdict_.fail("abortive close_conn for " + who + " without a slow consumer counted");
    return false;
  }
  slow_budget_--;
  slow_closes_++;
  conns_.at(id).client->on_dropped();
  if (conns_.at(id).core != nullptr) oracle_.on_dropped(id);
  return true;
}

// Flow control: a paused connection gets no more bytes delivered to the node
// (but one read already under way may still arrive) until it is resumed, which
// must happen within the longest stall (1 s).
void sim_world::on_set_reading(int id, bool enabled) {
  auto it = conns_.find(id);
  const std::string who = "c" + std::to_string(id);
  trace_.line(at() + who + " set_reading " + std::to_string(enabled));
  if (it == conns_.end() || it->second.peer_gone) return verdict_.fail("set_reading for gone connection " + who);
  vconn& c = it->second;
  if (c.server_closed) return verdict_.fail("set_reading after close_conn for " + who);
  if (enabled) {
    c.paused = false;
    c.grace = false;
    kick(id);
    return;
  }
  if (c.paused) return verdict_.fail("set_reading(false) twice for " + who);
  pauses_++;
  c.paused = true;
  c.grace = chance(rng_, 30);
  const std::uint64_t serial = ++c.pause_serial;
  schedule(1'000'000'001, [this, id, serial] {
    const vconn& v = conns_.at(id);
    if (v.paused && v.pause_serial == serial && !v.server_closed && !v.peer_gone) {
      verdict_.fail("c" + std::to_string(id) + ": reads paused for more than 1 s");
    }
  });
}

void sim_world::schedule_to_client(int id) {
  vconn& c = conns_.at(id);
  if (c.to_client_scheduled || c.peer_gone) return;
  if (c.to_client.empty() && !c.eof_due) return;
  c.to_client_scheduled = true;
  schedule(random_delay(), [this, id] { deliver_to_client(id); });
}

void sim_world::deliver_to_client(int id) {
  vconn& c = conns_.at(id);
  c.to_client_scheduled = false;
  if (c.peer_gone) return;
  if (c.to_client.empty()) {
    if (c.eof_due) {
      c.eof_due = false;
      trace_.line(at() + "c" + std::to_string(id) + " reads EOF");
      c.client->on_eof();
    }
    return;
  }
  const std::string chunk = c.to_client.substr(0, random_split(c.to_client.size()));
  c.to_client.erase(0, chunk.size());
  c.client->on_received(chunk);
  kick(id);
  schedule_to_client(id);
}

}  // namespace natrium::sim

namespace natrium::sim {

// The disk: a batch becomes durable after 0 to 5 ms (an fsync; JetStream
// workloads may choose a slower disk), never before
// an earlier one; only then is it applied to the store and reported.
void sim_world::on_write_storage(server::write_storage w) {
  if (w.ticket <= storage_last_ticket_) {
    return verdict_.fail("write_storage ticket " + std::to_string(w.ticket) + " after ticket " +
                         std::to_string(storage_last_ticket_));
  }
  storage_last_ticket_ = w.ticket;
  storage_batches_++;
  if (disk_faults_.drop_consumer_state) {
    std::erase_if(w.batch.ops, [](const store::store_op& op) { return std::holds_alternative<store::op_save_consumer>(op); });
  }
  trace_.line(at() + "storage write ticket=" + std::to_string(w.ticket) + " ops=" + std::to_string(w.batch.ops.size()));
  const std::int64_t latency = chance(rng_, 20) ? 0 : between(rng_, 20'000, storage_latency_max_ns_);
  const std::int64_t due = std::max(now_ns_ + latency, storage_last_done_ns_);
  storage_last_done_ns_ = due;
  if (disk_faults_.early_done) {  // the bug: visible and reported at once, durable only later
    apply_batch(store_, w, "cached");
    const std::uint64_t ticket = w.ticket;
    schedule(0, [this, ticket] { report_storage_done(ticket); });
  }
  storage_queue_.push_back(std::move(w));
  schedule(due - now_ns_, [this] { storage_done(); });
}

void sim_world::apply_batch(store::memory_store& target, const server::write_storage& w, const char* how) {
  auto applied = target.apply(w.batch);
  trace_.line(at() + "storage " + how + " ticket=" + std::to_string(w.ticket) + (applied.ok() ? " ok" : " failed"));
  if (!applied.ok()) {
    // memory_store rejects only a batch the core should never have built.
    verdict_.fail("the store rejected batch ticket " + std::to_string(w.ticket) + ": " + applied.err().text);
  }
}

void sim_world::storage_done() {
  if (storage_queue_.empty()) return verdict_.fail("a storage completion without a pending batch");
  server::write_storage w = std::move(storage_queue_.front());
  storage_queue_.pop_front();
  apply_batch(disk_faults_.early_done ? *early_disk_ : store_, w, "done");
  if (verdict_.failed() || disk_faults_.early_done) return;
  report_storage_done(w.ticket);
}

void sim_world::set_disk_faults(const disk_faults& f) {
  disk_faults_ = f;
  if (f.early_done) early_disk_ = std::make_unique<store::memory_store>(store_);
}

void sim_world::report_storage_done(std::uint64_t ticket) {
  set_time(now_ns_);
  node_->on_storage_done(server::storage_done{ticket, true, std::string()});
  drain();
}

void sim_world::crash_and_restart(int keep_pct) {
  std::size_t kept = 0;
  while (kept < storage_queue_.size() && chance(rng_, static_cast<std::uint64_t>(keep_pct))) kept++;
  restarts_++;
  batches_lost_ += storage_queue_.size() - kept;
  trace_.line(at() + "CRASH " + std::to_string(restarts_) + ": " + std::to_string(storage_queue_.size()) +
              " batches unsynced, " + std::to_string(kept) + " survive");
  store::memory_store& disk = disk_faults_.early_done ? *early_disk_ : store_;
  for (std::size_t i = 0; i < kept && !verdict_.failed(); ++i) apply_batch(disk, storage_queue_[i], "survives");
  if (disk_faults_.early_done) store_ = *early_disk_;  // what the node saw but was not durable is gone
  storage_queue_.clear();
  events_.clear();  // every pending delivery, flush, close and completion belonged to the dead node
  for (auto& [id, c] : conns_) {
    if (c.peer_gone) continue;
    c.peer_gone = true;
    c.to_client.clear();
    c.in_flight.clear();
    c.client->on_gone();
    if (c.core != nullptr) oracle_.on_peer_closed(id);
  }
  node_.reset();
  // A new process: a fresh PRNG seed (native/main.cpp draws one per start),
  // ticket numbers from 1 again.
  cfg_.seed = cfg_.seed * 0x9e3779b97f4a7c15ULL + restarts_;
  storage_last_ticket_ = 0;
  storage_last_done_ns_ = now_ns_;
  slow_seen_ = 0;
  slow_budget_ = 0;
  start_node();
  trace_.line(at() + "restarted");
}

}  // namespace natrium::sim
