// kv_checker: checks of the KV workload's history (see kv_checker.h).
#include "tests/sim/kv_checker.h"

#include <algorithm>
#include <limits>

#include "tests/sim/matcher.h"

namespace natrium::sim {

namespace {
constexpr std::int64_t unbounded = std::numeric_limits<std::int64_t>::max();
std::string t_str(std::int64_t ns) { return ns < 0 || ns == unbounded ? "none" : std::to_string(ns); }
std::string rev_str(std::uint64_t r) { return "rev " + std::to_string(r); }
}  // namespace

const char* kv_op_name(kv_op op) noexcept {
  switch (op) {
    case kv_op::put: return "PUT";
    case kv_op::del: return "DEL";
    case kv_op::purge: return "PURGE";
  }
  return "?";
}

const char* kv_call_name(kv_call c) noexcept {
  switch (c) {
    case kv_call::put: return "put";
    case kv_call::create: return "create";
    case kv_call::update: return "update";
    case kv_call::del: return "delete";
    case kv_call::purge: return "purge";
    case kv_call::get: return "get";
  }
  return "?";
}

namespace {
bool is_write(kv_call c) { return c != kv_call::get; }
kv_op op_of(kv_call c) { return c == kv_call::del ? kv_op::del : c == kv_call::purge ? kv_op::purge : kv_op::put; }
std::string describe(const std::optional<kv_entry>& e) {
  if (!e) return "(content unknown)";
  return std::string(kv_op_name(e->op)) + (e->op == kv_op::put ? " '" + escape(e->value, 24) + "'" : "");
}
}  // namespace

std::string kv_checker::who(int id) const {
  const call& c = calls_.at(static_cast<std::size_t>(id));
  std::string s = "c" + std::to_string(c.client) + " " + kv_call_name(c.kind) + " " + c.key;
  if (c.kind == kv_call::update) s += " (expected " + rev_str(c.expected) + ")";
  if (!c.value.empty()) s += " '" + escape(c.value, 24) + "'";
  return s + " [" + t_str(c.invoke_ns) + ", " + t_str(c.response_ns) + "]";
}

int kv_checker::invoke(int client, kv_call kind, const std::string& key, const std::string& value,
                       std::uint64_t expected, std::int64_t now_ns) {
  const int id = static_cast<int>(calls_.size());
  call c;
  c.client = client;
  c.kind = kind;
  c.key = key;
  c.value = value;
  c.expected = expected;
  c.invoke_ns = now_ns;
  calls_.push_back(std::move(c));
  open_.insert(id);
  stats_.calls++;
  if (op_of(kind) == kv_op::put && kind != kv_call::get) {
    if (!value_call_.emplace(value, id).second) fail("the workload wrote value '" + value + "' twice");
  }
  return id;
}

void kv_checker::respond(int id, std::int64_t now_ns) {
  if (open_.erase(id) == 0) return fail("a second response, or one after a crash, to " + who(id));
  calls_.at(static_cast<std::size_t>(id)).response_ns = now_ns;
}

void kv_checker::write_acked(int id, std::uint64_t rev, std::int64_t now_ns) {
  respond(id, now_ns);
  call& c = calls_.at(static_cast<std::size_t>(id));
  if (!is_write(c.kind)) return fail("a PubAck for " + who(id));
  if (rev == 0) return fail("a PubAck without a revision for " + who(id));
  c.acked = true;
  c.rev = rev;
  stats_.writes_acked++;
  observe(rev, c.key, kv_entry{c.key, op_of(c.kind), c.value}, "the PubAck of " + who(id));
}

void kv_checker::write_refused(int id, std::uint64_t last, std::int64_t now_ns) {
  respond(id, now_ns);
  call& c = calls_.at(static_cast<std::size_t>(id));
  c.refused = true;
  c.rev = last;
  stats_.conditional_refused++;
  if (c.kind != kv_call::create && c.kind != kv_call::update) return fail("error 10071 for " + who(id));
  if (c.kind == kv_call::create && last == 0) return fail(who(id) + " refused, yet the key has no revision");
  if (c.kind == kv_call::update && last == c.expected) {
    return fail(who(id) + " refused although its expected revision is the key's last");
  }
  if (last > 0) observe(last, c.key, std::nullopt, "the 10071 error of " + who(id));
}

void kv_checker::get_found(int id, std::uint64_t rev, const kv_entry& e, std::int64_t now_ns) {
  respond(id, now_ns);
  call& c = calls_.at(static_cast<std::size_t>(id));
  stats_.gets++;
  if (c.kind != kv_call::get) return fail("a get reply for " + who(id));
  if (e.key != c.key) return fail(who(id) + " returned " + rev_str(rev) + " of key " + e.key);
  if (rev == 0) return fail(who(id) + " returned a message without a revision");
  c.rev = rev;
  observe(rev, c.key, e, "the reply to " + who(id));
}

void kv_checker::get_missing(int id, std::int64_t now_ns) {
  respond(id, now_ns);
  stats_.gets++;
  stats_.gets_missing++;
  calls_.at(static_cast<std::size_t>(id)).rev = 0;
}

void kv_checker::crashed(std::int64_t) {
  stats_.unanswered += open_.size();
  open_.clear();
  for (auto& [id, w] : watchers_) w.initializing = false;  // the incarnation is gone
}

void kv_checker::observe(std::uint64_t rev, const std::string& key, const std::optional<kv_entry>& e,
                         const std::string& source) {
  auto [it, fresh] = obs_.emplace(rev, observation{key, e, source});
  observation& o = it->second;
  if (!fresh) {
    if (o.key != key) {
      return fail(rev_str(rev) + " is key " + o.key + " for " + o.source + " and key " + key + " for " + source);
    }
    if (o.entry && e && !(*o.entry == *e)) {
      return fail(rev_str(rev) + " of " + key + " is " + describe(o.entry) + " for " + o.source + " and " +
                  describe(e) + " for " + source);
    }
    if (!o.entry && e) {
      o.entry = e;
      o.source = source;
    }
  }
  if (!e || e->op != kv_op::put) return;
  auto w = value_call_.find(e->value);
  if (w == value_call_.end()) return fail(source + " shows value '" + escape(e->value, 24) + "', never written");
  if (calls_.at(static_cast<std::size_t>(w->second)).key != key) {
    return fail(source + " shows value '" + escape(e->value, 24) + "' under key " + key + ", written to " +
                calls_.at(static_cast<std::size_t>(w->second)).key);
  }
  auto [v, vfresh] = value_rev_.emplace(e->value, rev);
  if (!vfresh && v->second != rev) {
    fail("value '" + escape(e->value, 24) + "' of " + key + " is at " + rev_str(v->second) + " and at " +
         rev_str(rev) + " (" + source + ")");
  }
}

bool kv_checker::matches(const std::string& filter, const std::string& key) const {
  return subject_matches(filter, prefix_ + key);
}

// --- watchers -------------------------------------------------------------------

void kv_checker::watch_begin(int id, const std::string& filter, bool last_per_subject, std::int64_t now_ns) {
  watcher& w = watchers_[id];
  if (w.incarnations > 0 && w.filter != filter) return fail("watcher w" + std::to_string(id) + " changed its filter");
  w.filter = filter;
  w.last_per_subject = last_per_subject;
  w.initializing = true;
  w.last_cseq = 0;
  w.begun_ns = now_ns;
  w.incarnations++;
  stats_.watch_incarnations++;
}

void kv_checker::watch_initialized(int id, std::int64_t) {
  watcher& w = watchers_.at(id);
  if (!w.initializing) return;
  w.initializing = false;
  check_watch_init(id, w);
}

// Every write acknowledged before the incarnation was created is in what the
// watcher has when its initial data ends.
void kv_checker::check_watch_init(int id, const watcher& w) {
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const call& c = calls_[i];
    if (!c.acked || c.response_ns >= w.begun_ns || !matches(w.filter, c.key)) continue;
    auto k = w.per_key.find(c.key);
    const std::uint64_t have = k == w.per_key.end() ? 0 : k->second;
    if (have < c.rev) {
      return fail("watcher w" + std::to_string(id) + " (" + w.filter + ", incarnation " +
                  std::to_string(w.incarnations) + " created at t=" + std::to_string(w.begun_ns) +
                  ") reached num_pending 0 at " + rev_str(have) + " of " + c.key + ", missing " + rev_str(c.rev) +
                  " of " + who(static_cast<int>(i)));
    }
  }
}

void kv_checker::watch_delivery(int id, std::uint64_t rev, std::uint64_t cseq, std::uint64_t pending,
                                const kv_entry& e, const std::string& subject, const kv_store_view& disk,
                                std::int64_t now_ns) {
  stats_.watch_deliveries++;
  auto it = watchers_.find(id);
  const std::string name = "watcher w" + std::to_string(id);
  if (it == watchers_.end()) return fail(name + " received " + rev_str(rev) + " before it began");
  watcher& w = it->second;
  const std::string what = name + " (" + w.filter + ") received " + rev_str(rev) + " " + subject;
  if (subject != prefix_ + e.key || !matches(w.filter, e.key)) return fail(what + ": outside its filter");
  if (cseq != w.last_cseq + 1) {
    return fail(what + " as consumer seq " + std::to_string(cseq) + " after " + std::to_string(w.last_cseq));
  }
  if (rev <= w.last_rev) return fail(what + " after " + rev_str(w.last_rev) + " (duplicate or out of order)");
  const bool lps_phase = w.last_per_subject && w.initializing;
  for (std::uint64_t q = w.last_rev + 1; q < rev; ++q) {
    const auto d = disk.load(q);
    if (!d || !matches(w.filter, d->key)) continue;
    bool replaced = false;
    for (std::uint64_t later = q + 1; lps_phase && !replaced && later <= disk.last_seq(); ++later) {
      const auto l = disk.load(later);
      replaced = l && l->key == d->key;
    }
    if (!replaced) w.skips.emplace_back(q, d->key, rev);
  }
  observe(rev, e.key, e, name);
  w.last_rev = rev;
  w.last_cseq = cseq;
  w.per_key[e.key] = rev;
  if (pending == 0) watch_initialized(id, now_ns);
}

std::uint64_t kv_checker::watch_last_rev(int id) const {
  auto it = watchers_.find(id);
  return it == watchers_.end() ? 0 : it->second.last_rev;
}

bool kv_checker::watch_caught_up(int id, const kv_store_view& disk) const {
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return false;
  for (std::uint64_t q = it->second.last_rev + 1; q <= disk.last_seq(); ++q) {
    const auto d = disk.load(q);
    if (d && matches(it->second.filter, d->key)) return false;
  }
  return true;
}

// --- the disk -----------------------------------------------------------------

struct kv_checker::disk_keys {
  std::map<std::string, std::vector<std::pair<std::uint64_t, kv_op>>> keys;  // key -> (rev, op), ascending
  std::map<std::uint64_t, kv_entry> at;
};

std::string kv_checker::explain_missing(const disk_keys& dk, const std::string& key, std::uint64_t rev) const {
  auto k = dk.keys.find(key);
  int later = 0;
  if (k != dk.keys.end()) {
    for (const auto& [r, op] : k->second) {
      if (r <= rev) continue;
      if (op == kv_op::purge) return "";
      later++;
    }
  }
  if (later >= history_) return "";
  return "the disk holds " + std::to_string(later) + " later revisions of " + key + " (history " +
         std::to_string(history_) + ") and no later PURGE";
}

void kv_checker::check_disk(const kv_store_view& disk, const std::string& when) {
  stats_.disk_checks++;
  const std::string at = " (" + when + ")";
  const std::uint64_t last = disk.last_seq();
  disk_keys dk;
  for (std::uint64_t q = 1; q <= last; ++q) {
    auto e = disk.load(q);
    if (!e) continue;
    dk.keys[e->key].emplace_back(q, e->op);
    if (e->op == kv_op::put) {
      auto w = value_call_.find(e->value);
      if (w == value_call_.end() || calls_.at(static_cast<std::size_t>(w->second)).key != e->key) {
        return fail("the disk holds " + rev_str(q) + " of " + e->key + " = '" + escape(e->value, 24) +
                    "', which no call wrote to it" + at);
      }
    } else {
      bool sent = false;
      for (const call& c : calls_) sent = sent || (c.key == e->key && op_of(c.kind) == e->op && is_write(c.kind));
      if (!sent) return fail("the disk holds a " + std::string(kv_op_name(e->op)) + " of " + e->key + " at " +
                             rev_str(q) + " that no call sent" + at);
    }
    dk.at.emplace(q, std::move(*e));
  }
  for (const auto& [key, revs] : dk.keys) {
    if (static_cast<int>(revs.size()) > history_) {
      return fail("the disk holds " + std::to_string(revs.size()) + " revisions of " + key + ", history is " +
                  std::to_string(history_) + at);
    }
  }
  for (const auto& [rev, o] : obs_) {
    const std::string what = rev_str(rev) + " of " + o.key + " " + describe(o.entry) + " (seen by " + o.source + ")";
    if (rev > last) return fail(what + " is lost: the stream ends at seq " + std::to_string(last) + at);
    auto d = dk.at.find(rev);
    if (d == dk.at.end()) {
      const std::string why = explain_missing(dk, o.key, rev);
      if (!why.empty()) return fail(what + " is lost: " + why + at);
      continue;
    }
    if (d->second.key != o.key || (o.entry && !(d->second == *o.entry))) {
      return fail(what + " is lost: the disk holds " + d->second.key + " " + describe(d->second) + " there" + at);
    }
  }
}

// --- linearizability ------------------------------------------------------------

// A create or update that took effect at `rev`: its key's previous known
// revision is the expected one (none for a create).
void kv_checker::check_conditional(const call& c, std::uint64_t rev) {
  if (c.kind != kv_call::create && c.kind != kv_call::update) return;
  std::uint64_t prev = 0;
  for (auto it = obs_.begin(); it != obs_.end() && it->first < rev; ++it) {
    if (it->second.key == c.key) prev = it->first;
  }
  // prev < expected < rev: the expected revision (a guess, or a stale one)
  // may be a write of the key nobody observed, lying between them.
  auto e = obs_.find(c.expected);
  const bool hidden = prev < c.expected && c.expected < rev && (e == obs_.end() || e->second.key == c.key);
  if (prev != c.expected && !hidden) {
    fail(std::string(kv_call_name(c.kind)) + " of " + c.key + " took effect at " + rev_str(rev) + " expecting " +
         rev_str(c.expected) + ", but the key's previous revision is " + rev_str(prev) + " (c" +
         std::to_string(c.client) + " [" + t_str(c.invoke_ns) + ", " + t_str(c.response_ns) + "])");
  }
}

void kv_checker::check_linearizable() {
  // Reads, per (key, revision): gets, and refused conditional writes.
  std::map<std::pair<std::string, std::uint64_t>, std::vector<int>> reads;
  std::map<std::uint64_t, int> acked_at;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const call& c = calls_[i];
    if (c.response_ns < 0) continue;
    if (c.kind == kv_call::get || c.refused) reads[{c.key, c.rev}].push_back(static_cast<int>(i));
    if (c.acked) acked_at[c.rev] = static_cast<int>(i);
  }
  struct key_state {
    std::uint64_t rev = 0;
    std::int64_t floor = std::numeric_limits<std::int64_t>::min();  // latest invocation of a read of rev
    int reader = -1;
  };
  std::map<std::string, key_state> prev;
  auto floor_of = [&](const std::string& key, std::uint64_t rev) {
    key_state k{rev};
    if (auto r = reads.find({key, rev}); r != reads.end()) {
      for (int id : r->second) {
        if (calls_[static_cast<std::size_t>(id)].invoke_ns < k.floor) continue;
        k.floor = calls_[static_cast<std::size_t>(id)].invoke_ns;
        k.reader = id;
      }
    }
    return k;
  };
  std::int64_t lo_global = std::numeric_limits<std::int64_t>::min();
  std::uint64_t lo_rev = 0;
  for (const auto& [rev, o] : obs_) {
    // The call that wrote it.
    int id = -1;
    if (auto a = acked_at.find(rev); a != acked_at.end()) id = a->second;
    else if (o.entry && o.entry->op == kv_op::put) id = value_call_.at(o.entry->value);
    std::int64_t inv = unbounded, resp = unbounded;
    std::string by;
    if (id >= 0) {
      const call& c = calls_[static_cast<std::size_t>(id)];
      if (c.refused) return fail(who(id) + " was refused, yet " + rev_str(rev) + " holds it (seen by " + o.source + ")");
      if (c.acked && c.rev != rev) return fail(who(id) + " was acknowledged as " + rev_str(c.rev) + " but is " + rev_str(rev));
      inv = c.invoke_ns;
      resp = c.response_ns < 0 ? unbounded : c.response_ns;
      by = who(id);
      check_conditional(c, rev);
    } else {
      // An unacknowledged DEL or PURGE (or a write only a 10071 named): the
      // earliest call that could have written it.
      for (std::size_t i = 0; i < calls_.size(); ++i) {
        const call& c = calls_[i];
        if (!is_write(c.kind) || c.response_ns >= 0 || c.key != o.key) continue;
        if (o.entry && op_of(c.kind) != o.entry->op) continue;
        inv = std::min(inv, c.invoke_ns);
      }
      if (inv == unbounded) return fail(rev_str(rev) + " of " + o.key + " " + describe(o.entry) + " (seen by " + o.source + ") was written by no unanswered call");
      by = "an unanswered write of " + o.key + " invoked at t>=" + std::to_string(inv);
    }
    if (verdict_.failed()) return;
    key_state& ks = prev.try_emplace(o.key, floor_of(o.key, 0)).first->second;
    const std::int64_t lo = std::max({inv, lo_global, ks.floor});
    if (lo > resp) {
      std::string why = lo == inv ? "its own invocation"
                        : lo == ks.floor ? "a read of " + rev_str(ks.rev) + " of " + o.key + ": " + who(ks.reader)
                                         : rev_str(lo_rev) + ", which cannot be earlier than t=" + std::to_string(lo);
      return fail("not linearizable: " + rev_str(rev) + " of " + o.key + " by " + by + " must follow " + why);
    }
    stats_.linearized_writes++;
    if (auto r = reads.find({o.key, rev}); r != reads.end()) {
      for (int rid : r->second) {
        stats_.reads_checked++;
        const call& g = calls_[static_cast<std::size_t>(rid)];
        if (lo > g.response_ns) {
          return fail("not linearizable: " + who(rid) + " saw " + rev_str(rev) + " of " + o.key + " by " + by +
                      ", which cannot take effect before t=" + std::to_string(lo));
        }
      }
    }
    lo_global = lo;
    lo_rev = rev;
    ks = floor_of(o.key, rev);
  }
  // Reads of a revision nobody else saw are in obs_ (observe), so each read
  // was checked above; gets that found nothing constrain the key's first write.
}

// Each skip of a revision the disk held: by the end, a later PURGE of its key
// or `history` later revisions of it are known (observed, or on disk).
void kv_checker::check_skips(const kv_store_view& disk) {
  std::map<std::string, std::map<std::uint64_t, kv_op>> known;  // key -> rev -> op (kv_op::put if unknown)
  for (const auto& [rev, o] : obs_) known[o.key][rev] = o.entry ? o.entry->op : kv_op::put;
  for (std::uint64_t q = 1; q <= disk.last_seq(); ++q) {
    if (auto e = disk.load(q)) known[e->key][q] = e->op;
  }
  for (const auto& [id, w] : watchers_) {
    for (const auto& [q, key, got] : w.skips) {
      int later = 0;
      bool purged = false;
      for (auto it = known[key].upper_bound(q); it != known[key].end(); ++it) {
        later++;
        purged = purged || it->second == kv_op::purge;
      }
      if (purged || later >= history_) continue;
      return fail("watcher w" + std::to_string(id) + " (" + w.filter + ") received " + rev_str(got) + ", skipping " +
                  rev_str(q) + " of " + key + " that the stream held, and only " + std::to_string(later) +
                  " later revisions of it (history " + std::to_string(history_) + ") and no PURGE are known");
    }
  }
}

void kv_checker::check_end(const kv_store_view& disk) {
  check_disk(disk, "at the end");
  if (verdict_.failed()) return;
  check_skips(disk);
  if (verdict_.failed()) return;
  if (!open_.empty()) return fail(std::to_string(open_.size()) + " calls still open at the end, e.g. " + who(*open_.begin()));
  check_linearizable();
  if (verdict_.failed()) return;
  std::map<std::string, std::uint64_t> last_of;
  for (std::uint64_t q = 1; q <= disk.last_seq(); ++q) {
    if (auto e = disk.load(q)) last_of[e->key] = q;
  }
  for (const auto& [id, w] : watchers_) {
    const std::string name = "watcher w" + std::to_string(id) + " (" + w.filter + ")";
    if (!watch_caught_up(id, disk)) return fail(name + " ended at " + rev_str(w.last_rev) + ", behind the stream");
    for (const auto& [key, rev] : last_of) {
      if (!matches(w.filter, key)) continue;
      auto k = w.per_key.find(key);
      const std::uint64_t have = k == w.per_key.end() ? 0 : k->second;
      if (have != rev) return fail(name + " last saw " + rev_str(have) + " of " + key + ", the stream's last is " + rev_str(rev));
    }
  }
}

}  // namespace natrium::sim
