// oracle: replays the processed ops in order against the model and checks each
// PUB once every delivery it caused has been observed.
#include "tests/sim/matcher.h"
#include "tests/sim/oracle.h"

namespace natrium::sim {

namespace {
std::string key_name(const std::pair<int, std::string>& k) {
  return "c" + std::to_string(k.first) + "/sid " + k.second;
}
}  // namespace

void oracle::resolve() {
  while (!log_.empty() && !verdict_.failed()) {
    const entry& e = log_.front();
    if (!e.closed && e.op.type == op_type::pub) {
      const targets t = targets_of(e);
      bool ready = true;
      for (int c : t.clients) ready = ready && settled(c, e.g);
      if (!ready) return;
      check_pub(e);
    } else {
      apply(e);
    }
    observed_.erase(e.g);
    log_.pop_front();
  }
}

void oracle::apply(const entry& e) {
  if (e.closed) {
    std::erase_if(subs_, [&](const auto& kv) { return kv.first.first == e.client; });
    return;
  }
  const client_op& op = e.op;
  if (op.type == op_type::sub) {
    subs_.emplace(sub_key{e.client, op.sid}, model_sub{op.subject, op.queue, 0, 0});  // a duplicate sid keeps the first
  } else if (op.type == op_type::unsub) {
    auto it = subs_.find({e.client, op.sid});
    if (it == subs_.end()) return;
    if (op.max > 0 && op.max > it->second.delivered) it->second.max = op.max;
    else subs_.erase(it);
  }
}

// Who may receive PUB e, from the model as of e's processing.
oracle::targets oracle::targets_of(const entry& e) const {
  targets t;
  const bool echo = clients_.at(e.client).opts.echo;
  for (const auto& [key, sub] : subs_) {
    if (key.first == e.client && !echo) continue;
    if (!subject_matches(sub.subject, e.op.subject)) continue;
    if (sub.queue.empty()) t.plain.insert(key);
    else t.groups[sub.queue].insert(key);
    t.clients.insert(key.first);
  }
  const client_state& pub = clients_.at(e.client);
  if (!e.op.reply.empty() && pub.opts.no_responders) t.clients.insert(e.client);
  return t;
}

// Has the client seen all the output that ops up to g gave it?
bool oracle::settled(int client, std::uint64_t g) const {
  const client_state& cs = clients_.at(client);
  return cs.barrier > g || cs.lost || cs.eof;
}

// May output for op g to this client have been lost (it went away first)?
bool oracle::lossy(int client, std::uint64_t g) const {
  const client_state& cs = clients_.at(client);
  return cs.lost && cs.barrier <= g;
}

bool oracle::owns_reply_sub(int client, const std::string& reply, const std::string* sid) const {
  for (const auto& [key, sub] : subs_) {
    if (key.first != client || !sub.queue.empty()) continue;
    if (sid != nullptr && key.second != *sid) continue;
    if (subject_matches(sub.subject, reply)) return true;
  }
  return false;
}

void oracle::check_pub(const entry& e) {
  stats_.pubs++;
  const targets t = targets_of(e);
  static const std::vector<observed> none;
  auto oit = observed_.find(e.g);
  const std::vector<observed>& obs = oit == observed_.end() ? none : oit->second;
  const std::string name = "message " + std::to_string(e.client) + "." + std::to_string(e.op.seq) + " (g=" +
                           std::to_string(e.g) + ", subject " + e.op.subject + ")";
  std::set<sub_key> got;
  for (const observed& o : obs) {
    if (o.no_responders) continue;
    const sub_key k{o.client, o.sid};
    if (!got.insert(k).second) return fail(name + " delivered twice to " + key_name(k));
    const auto g = subs_.find(k);
    const bool in_group = g != subs_.end() && t.groups.count(g->second.queue) && t.groups.at(g->second.queue).count(k);
    if (!t.plain.count(k) && !in_group) return fail(name + " delivered to non-matching or inactive " + key_name(k));
  }
  bool undecided = false;  // a delivery may have been lost with a client that went away
  for (const sub_key& k : t.plain) {
    if (got.count(k)) continue;
    if (!lossy(k.first, e.g)) return fail(name + " not delivered to matching " + key_name(k));
    undecided = true;
  }
  for (const auto& [queue, members] : t.groups) {
    std::size_t n = 0;
    bool may_lose = false;
    for (const sub_key& k : members) {
      n += got.count(k);
      may_lose = may_lose || lossy(k.first, e.g);
    }
    if (n > 1) return fail(name + " delivered to " + std::to_string(n) + " members of queue group " + queue);
    if (n == 0 && !may_lose) return fail(name + " delivered to no member of queue group " + queue);
    if (n == 0) undecided = true;
    stats_.queue_deliveries += n;
  }
  if (undecided) stats_.lossy_tolerated++;
  check_no_responders(e, obs, !got.empty(), undecided);
  std::string line = "check g=" + std::to_string(e.g) + " " + std::to_string(e.client) + "." +
                     std::to_string(e.op.seq) + " ->";
  for (const sub_key& k : got) line += " " + std::to_string(k.first) + "/" + k.second;
  trace_.line(line);
  for (const sub_key& k : got) count_delivery(k);
  stats_.deliveries += got.size();
}

void oracle::check_no_responders(const entry& e, const std::vector<observed>& obs, bool delivered, bool undecided) {
  const client_state& pub = clients_.at(e.client);
  std::size_t n = 0;
  for (const observed& o : obs) {
    if (!o.no_responders) continue;
    n++;
    if (!owns_reply_sub(e.client, e.op.reply, &o.sid)) {
      return fail("503 for " + e.op.reply + " came on sid " + o.sid + ", not the requester's subscription to it");
    }
  }
  const std::string name = "request " + std::to_string(e.client) + "." + std::to_string(e.op.seq) + " to " +
                           e.op.subject + " (g=" + std::to_string(e.g) + ")";
  if (n > 1) return fail(name + " got " + std::to_string(n) + " no-responders replies");
  stats_.no_responders += n;
  if (undecided && !delivered) return;  // the message may have gone to a client that went away
  const bool due = !delivered && !e.op.reply.empty() && pub.opts.no_responders &&
                   owns_reply_sub(e.client, e.op.reply, nullptr);
  if (due && n == 0 && !lossy(e.client, e.g)) return fail(name + " reached nobody but got no 503");
  if (!due && n == 1) return fail(name + " got a 503 it should not (delivered=" + std::to_string(delivered) + ")");
}

void oracle::count_delivery(const sub_key& k) {
  auto it = subs_.find(k);
  if (it == subs_.end()) return;
  it->second.delivered++;
  if (it->second.max > 0 && it->second.delivered >= it->second.max) subs_.erase(it);
}

}  // namespace natrium::sim
