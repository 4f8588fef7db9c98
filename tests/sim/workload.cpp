#include "tests/sim/workload.h"

namespace natrium::sim {

namespace {
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000'000'000;
}  // namespace

server::config make_config(std::uint64_t seed, base::prng& rng) {
  server::config cfg;
  cfg.server_name = "sim";
  cfg.seed = seed * 0x9e3779b97f4a7c15ULL + 0x5151;
  cfg.ping_interval_ns = between(rng, 1, 30) * sec;
  cfg.ping_max = pick(rng, 1, 3);
  if (chance(rng, 25)) {  // slow readers: flow control and slow-consumer closes
    cfg.max_pending = between(rng, 8 * 1024, 256 * 1024);
    cfg.write_deadline_ns = between(rng, 50 * ms, 2 * sec);
  }
  return cfg;
}

swarm make_swarm(base::prng& rng) {
  swarm s;
  s.alphabet = pick(rng, 2, 6);
  s.max_tokens = pick(rng, 1, 4);
  s.star_pct = pick(rng, 0, 40);
  s.tail_gt_pct = pick(rng, 0, 25);
  s.full_gt_pct = pick(rng, 0, 4);
  s.queue_pct = pick(rng, 0, 70);
  s.unique_pct = chance(rng, 25) ? pick(rng, 5, 40) : 0;
  s.hpub_pct = pick(rng, 0, 80);
  s.gone_pm = pick(rng, 0, 15);
  s.silent_pm = pick(rng, 0, 8);
  s.sub_pm = pick(rng, 80, 300);
  s.unsub_pm = pick(rng, 30, 150);
  s.pub_pm = pick(rng, 150, 400);
  s.request_pm = pick(rng, 0, 250);
  s.ping_pm = pick(rng, 20, 150);
  s.jump_pct = pick(rng, 0, 4);
  return s;
}

std::string describe(const swarm& s) {
  return "alphabet=" + std::to_string(s.alphabet) + " tokens=" + std::to_string(s.max_tokens) + " star=" +
         std::to_string(s.star_pct) + " tail_gt=" + std::to_string(s.tail_gt_pct) + " gt=" +
         std::to_string(s.full_gt_pct) + " queue=" + std::to_string(s.queue_pct) + " unique=" +
         std::to_string(s.unique_pct) + " hpub=" + std::to_string(s.hpub_pct) + " per_mille gone/silent/sub/" +
         "unsub/pub/req/ping=" + std::to_string(s.gone_pm) + "/" + std::to_string(s.silent_pm) + "/" +
         std::to_string(s.sub_pm) + "/" + std::to_string(s.unsub_pm) + "/" + std::to_string(s.pub_pm) + "/" +
         std::to_string(s.request_pm) + "/" + std::to_string(s.ping_pm) + " jump=" + std::to_string(s.jump_pct);
}

workload::workload(sim_world& w, oracle& o, verdict& v, base::prng& rng, const server::config& cfg,
                   const swarm& sw, const run_params& p)
    : world_(w), oracle_(o), verdict_(v), rng_(rng), cfg_(cfg), swarm_(sw), params_(p) {}

client_profile workload::random_profile() {
  client_profile p;
  p.verbose = chance(rng_, 20);
  p.pedantic = chance(rng_, 50);
  p.echo = !chance(rng_, 25);
  p.headers = chance(rng_, 60);
  p.no_responders = p.headers && chance(rng_, 70);
  p.responder = chance(rng_, 50);
  p.inbox = chance(rng_, 75);
  return p;
}

std::string workload::random_literal() {
  if (chance(rng_, static_cast<std::uint64_t>(swarm_.unique_pct))) return "u." + std::to_string(++unique_subject_);
  std::string s;
  const int n = pick(rng_, 1, swarm_.max_tokens);
  for (int i = 0; i < n; ++i) {
    s += i ? "." : "";
    s += static_cast<char>('a' + rng_.below(static_cast<std::uint64_t>(swarm_.alphabet)));
  }
  return s;
}

// Tokens from the same alphabet, '*' anywhere, '>' only last.
std::string workload::random_pattern() {
  if (chance(rng_, static_cast<std::uint64_t>(swarm_.full_gt_pct))) return ">";
  std::string s;
  const int n = pick(rng_, 1, swarm_.max_tokens);
  for (int i = 0; i < n; ++i) {
    s += i ? "." : "";
    if (i + 1 == n && chance(rng_, static_cast<std::uint64_t>(swarm_.tail_gt_pct))) s += ">";
    else if (chance(rng_, static_cast<std::uint64_t>(swarm_.star_pct))) s += "*";
    else s += static_cast<char>('a' + rng_.below(static_cast<std::uint64_t>(swarm_.alphabet)));
  }
  return s;
}

void workload::step(int n) {
  if (n == 0) {
    for (int i = 0; i < params_.clients; ++i) world_.open_client(random_profile());
  } else if (static_cast<int>(world_.ready_clients().size()) < params_.clients && chance(rng_, 10)) {
    world_.open_client(random_profile());  // replaces one that went away or went silent
  }
  const std::vector<int> ready = world_.ready_clients();
  if (!ready.empty()) {
    const int id = ready[rng_.below(ready.size())];
    act(*world_.client(id));
    world_.kick(id);
  }
  advance();
  oracle_.resolve();
}

void workload::act(sim_client& c) {
  int roll = static_cast<int>(rng_.below(1000));
  const swarm& s = swarm_;
  const auto take = [&roll](int pm) {
    if (roll < pm) return true;
    roll -= pm;
    return false;
  };
  if (take(s.gone_pm)) {
    peer_closes_++;
    world_.close_by_peer(c.id());
  } else if (take(s.silent_pm)) {
    if (silent_.size() < 2) {
      silent_.push_back({c.id(), world_.now_ns()});
      c.go_silent();
    }
  } else if (take(s.sub_pm)) {
    const bool queue = chance(rng_, static_cast<std::uint64_t>(s.queue_pct));
    if (c.live_subs() < 10) c.subscribe(random_pattern(), queue ? (chance(rng_, 50) ? "q1" : "q2") : "");
  } else if (take(s.unsub_pm)) {
    if (!c.unsubscribe_random(chance(rng_, 40) ? between(rng_, 1, 3) : 0)) c.subscribe(random_pattern(), "");
  } else if (take(s.pub_pm)) {
    c.publish(random_literal(), "", chance(rng_, static_cast<std::uint64_t>(s.hpub_pct)));
  } else if (take(s.request_pm)) {
    requests_++;
    std::string subject = random_literal();
    if (chance(rng_, 35)) subject = "none." + std::to_string(++none_subject_);  // likely no responder
    c.request(subject, chance(rng_, static_cast<std::uint64_t>(s.hpub_pct)));
  } else if (take(s.ping_pm)) {
    c.ping();
  }
  // else: idle this step
}

void workload::advance() {
  std::int64_t dt = between(rng_, 0, 3 * ms);
  if (chance(rng_, static_cast<std::uint64_t>(swarm_.jump_pct))) {  // ping timers fire; clients must PONG
    big_jumps_++;
    dt = between(rng_, 1 * sec, 2 * cfg_.ping_interval_ns + 2 * sec);
  }
  world_.run_until(world_.now_ns() + dt);
}

// Every ready client PINGs and the world runs until the PONGs are back; again
// while responders still answer requests (their replies need a later barrier).
bool workload::settle() {
  for (int round = 0; round < 200 && oracle_.unresolved() > 0 && !verdict_.failed(); ++round) {
    for (int id : world_.ready_clients()) {
      world_.client(id)->ping();
      world_.kick(id);
    }
    world_.run_until(world_.now_ns() + 50 * ms);
    oracle_.resolve();
  }
  return oracle_.unresolved() == 0;
}

// Silent clients answer no PING: after ping_max unanswered PINGs the server must
// close them with -ERR 'Stale Connection' (the client checks the count itself).
void workload::expire_silent() {
  if (silent_.empty()) return;
  const std::int64_t wait = (cfg_.ping_max + 2) * cfg_.ping_interval_ns + 3 * sec;
  world_.run_until(world_.now_ns() + wait);
  oracle_.resolve();
  for (const silent_client& s : silent_) {
    const sim_client* c = world_.client(s.id);
    if (c->closed() && (c->got_stale() || c->dropped())) continue;
    verdict_.fail("silent c" + std::to_string(s.id) + " (silent since t=" + std::to_string(s.since_ns) +
                  ") was not closed as stale within " + std::to_string(world_.now_ns() - s.since_ns) + "ns");
  }
}

void workload::finish() {
  if (!settle()) return verdict_.fail(std::to_string(oracle_.unresolved()) + " ops still unchecked after settling");
  expire_silent();
  if (verdict_.failed()) return;
  if (!settle()) return verdict_.fail(std::to_string(oracle_.unresolved()) + " ops still unchecked at the end");
}

std::string workload::summary() const {
  const oracle_stats& s = oracle_.stats();
  std::size_t stale = 0;
  for (const silent_client& c : silent_) stale += world_.client(c.id)->got_stale() ? 1 : 0;
  return "ops=" + std::to_string(s.ops) + " pubs=" + std::to_string(s.pubs) + " deliveries=" +
         std::to_string(s.deliveries) + " queue=" + std::to_string(s.queue_deliveries) + " no_responders=" +
         std::to_string(s.no_responders) + " requests=" + std::to_string(requests_) + " stale=" +
         std::to_string(stale) + " gone=" + std::to_string(peer_closes_) + " lossy=" +
         std::to_string(s.lossy_tolerated) + " jumps=" + std::to_string(big_jumps_) + " bytes_in=" +
         std::to_string(world_.bytes_to_node()) + " bytes_out=" + std::to_string(world_.bytes_from_node()) +
         " pauses=" + std::to_string(world_.pauses()) + " slow_consumers=" +
         std::to_string(world_.slow_consumer_closes()) + " virtual_ms=" + std::to_string(world_.now_ns() / ms);
}

}  // namespace natrium::sim
