// natrium-sim --kv-selftest: hand-made histories fed to kv_checker. Each bad
// one must be reported with the expected reason, each good one must pass:
// the proof that the checker can fail, and that it does not fail on
// histories that are fine (concurrent calls, unanswered writes at a crash,
// history limits, purges).
#include <cstdio>
#include <functional>

#include "tests/sim/kv_workload.h"

namespace natrium::sim {

namespace {

class map_view final : public kv_store_view {
 public:
  std::map<std::uint64_t, kv_entry> msgs;
  std::uint64_t last = 0;
  std::optional<kv_entry> load(std::uint64_t rev) const override {
    auto it = msgs.find(rev);
    if (it == msgs.end()) return std::nullopt;
    return it->second;
  }
  std::uint64_t last_seq() const override { return last; }
  void put(std::uint64_t rev, const std::string& key, kv_op op, const std::string& value) {
    msgs[rev] = kv_entry{key, op, value};
    last = std::max(last, rev);
  }
};

kv_entry val(const std::string& key, const std::string& v) { return kv_entry{key, kv_op::put, v}; }

struct scenario {
  const char* name;
  const char* expect;  // a part of the violation; empty: the history is fine
  std::function<void(kv_checker&, map_view&)> run;
};

// A put acknowledged at revision rev, called in [inv, resp].
int acked_put(kv_checker& k, const std::string& key, const std::string& v, std::uint64_t rev, std::int64_t inv,
              std::int64_t resp) {
  const int id = k.invoke(1, kv_call::put, key, v, 0, inv);
  k.write_acked(id, rev, resp);
  return id;
}

const scenario scenarios[] = {
    {"fine: concurrent writes and reads, an unanswered write seen after a crash, history 2", "",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 10);
       const int w2 = k.invoke(2, kv_call::put, "a", "v2", 0, 5);
       const int g = k.invoke(3, kv_call::get, "a", "", 0, 6);
       k.get_found(g, 1, val("a", "v1"), 12);  // concurrent with v2: the old value is fine
       k.write_acked(w2, 2, 20);
       const int g2 = k.invoke(3, kv_call::get, "a", "", 0, 21);
       k.get_found(g2, 2, val("a", "v2"), 22);
       k.invoke(1, kv_call::put, "a", "v3", 0, 30);  // no reply: the node crashed
       k.crashed(40);
       const int g3 = k.invoke(3, kv_call::get, "a", "", 0, 50);
       k.get_found(g3, 3, val("a", "v3"), 51);
       const int u = k.invoke(2, kv_call::update, "a", "v4", 2, 60);
       k.write_refused(u, 3, 61);
       const int c = k.invoke(2, kv_call::create, "b", "v5", 0, 62);
       k.write_acked(c, 4, 63);
       d.put(2, "a", kv_op::put, "v2");
       d.put(3, "a", kv_op::put, "v3");
       d.put(4, "b", kv_op::put, "v5");
       k.watch_begin(0, "$KV.b.>", true, 55);
       k.watch_delivery(0, 3, 1, 1, val("a", "v3"), "$KV.b.a", d, 56);
       k.watch_delivery(0, 4, 2, 0, val("b", "v5"), "$KV.b.b", d, 64);
       k.check_end(d);
     }},
    {"fine: a purge removes older revisions", "",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       const int p = k.invoke(1, kv_call::purge, "a", "", 0, 2);
       k.write_acked(p, 2, 3);
       const int g = k.invoke(1, kv_call::get, "a", "", 0, 4);
       k.get_found(g, 2, kv_entry{"a", kv_op::purge, ""}, 5);
       d.put(2, "a", kv_op::purge, "");
       k.check_end(d);
     }},
    {"stale read: a get returns a value overwritten before it began", "not linearizable",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 10);
       acked_put(k, "a", "v2", 2, 20, 30);
       const int g = k.invoke(2, kv_call::get, "a", "", 0, 40);
       k.get_found(g, 1, val("a", "v1"), 50);
       d.put(1, "a", kv_op::put, "v1");
       d.put(2, "a", kv_op::put, "v2");
       k.check_end(d);
     }},
    {"stale read: a get finds nothing after an acknowledged put", "not linearizable",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 10);
       const int g = k.invoke(2, kv_call::get, "a", "", 0, 11);
       k.get_missing(g, 12);
       d.put(1, "a", kv_op::put, "v1");
       k.check_end(d);
     }},
    {"lost write: an acknowledged put is gone after a restart", "is lost",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 10);
       k.crashed(20);
       k.check_disk(d, "after restart 1");
     }},
    {"lost write: its revision now holds another value", "is lost",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 10);
       k.invoke(2, kv_call::put, "a", "v2", 0, 11);
       k.crashed(20);
       d.put(1, "a", kv_op::put, "v2");
       k.check_disk(d, "after restart 1");
     }},
    {"dirty read: a get saw a write that the crash then took back", "is lost",
     [](kv_checker& k, map_view& d) {
       k.invoke(1, kv_call::put, "a", "v1", 0, 0);
       const int g = k.invoke(2, kv_call::get, "a", "", 0, 1);
       k.get_found(g, 1, val("a", "v1"), 2);
       k.crashed(3);
       k.check_disk(d, "after restart 1");
     }},
    {"reordered watch", "out of order",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       acked_put(k, "a", "v2", 2, 2, 3);
       d.put(1, "a", kv_op::put, "v1");
       d.put(2, "a", kv_op::put, "v2");
       k.watch_begin(0, "$KV.b.>", true, 0);  // last per subject: skipping rev 1 is fine
       k.watch_delivery(0, 2, 1, 1, val("a", "v2"), "$KV.b.a", d, 4);
       k.watch_delivery(0, 1, 2, 0, val("a", "v1"), "$KV.b.a", d, 5);
     }},
    {"watch skips a revision the stream holds", "skipping rev 2",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       acked_put(k, "b", "v2", 2, 2, 3);
       acked_put(k, "a", "v3", 3, 4, 5);
       d.put(1, "a", kv_op::put, "v1");
       d.put(2, "b", kv_op::put, "v2");
       d.put(3, "a", kv_op::put, "v3");
       k.watch_begin(0, "$KV.b.>", false, 6);
       k.watch_delivery(0, 1, 1, 2, val("a", "v1"), "$KV.b.a", d, 7);
       k.watch_delivery(0, 3, 2, 1, val("a", "v3"), "$KV.b.a", d, 8);
       k.check_end(d);
     }},
    {"watch sees a revision twice after a resubscribe", "duplicate",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       d.put(1, "a", kv_op::put, "v1");
       k.watch_begin(0, "$KV.b.>", true, 2);
       k.watch_delivery(0, 1, 1, 0, val("a", "v1"), "$KV.b.a", d, 3);
       k.crashed(4);
       k.watch_begin(0, "$KV.b.>", false, 5);
       k.watch_delivery(0, 1, 1, 0, val("a", "v1"), "$KV.b.a", d, 6);
     }},
    {"watch initial data misses an acknowledged write", "reached num_pending 0",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       acked_put(k, "b", "v2", 2, 2, 3);
       d.put(1, "a", kv_op::put, "v1");
       d.put(2, "b", kv_op::put, "v2");
       k.watch_begin(0, "$KV.b.>", true, 10);
       k.watch_delivery(0, 1, 1, 0, val("a", "v1"), "$KV.b.a", d, 11);
     }},
    {"update succeeds with a stale expected revision", "previous revision is rev 2",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       acked_put(k, "a", "v2", 2, 2, 3);
       const int u = k.invoke(2, kv_call::update, "a", "v3", 1, 4);
       k.write_acked(u, 3, 5);
       d.put(2, "a", kv_op::put, "v2");
       d.put(3, "a", kv_op::put, "v3");
       k.check_end(d);
     }},
    {"create succeeds although the key has a value", "create of a took effect",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 1, 0, 1);
       const int c = k.invoke(2, kv_call::create, "a", "v2", 0, 2);
       k.write_acked(c, 2, 3);
       d.put(1, "a", kv_op::put, "v1");
       d.put(2, "a", kv_op::put, "v2");
       k.check_end(d);
     }},
    {"revisions out of real-time order", "not linearizable",
     [](kv_checker& k, map_view& d) {
       acked_put(k, "a", "v1", 2, 0, 10);
       acked_put(k, "b", "v2", 1, 20, 30);
       d.put(1, "b", kv_op::put, "v2");
       d.put(2, "a", kv_op::put, "v1");
       k.check_end(d);
     }},
    {"a get returns a value never written", "never written",
     [](kv_checker& k, map_view&) {
       const int g = k.invoke(2, kv_call::get, "a", "", 0, 0);
       k.get_found(g, 1, val("a", "ghost"), 1);
     }},
    {"two values at one revision", "rev 1 of a is",
     [](kv_checker& k, map_view&) {
       acked_put(k, "a", "v1", 1, 0, 1);
       acked_put(k, "a", "v2", 1, 2, 3);
     }},
};

}  // namespace

int run_kv_selftest() {
  int wrong = 0;
  for (const scenario& s : scenarios) {
    verdict v;
    kv_checker k(v, 2);
    k.set_bucket_prefix("$KV.b.");
    map_view d;
    s.run(k, d);
    const std::string expect = s.expect;
    const bool ok = expect.empty() ? !v.failed() : v.failed() && v.reason().find(expect) != std::string::npos;
    std::printf("%s %s: %s\n", ok ? "ok" : "WRONG", s.name, v.failed() ? v.reason().c_str() : "no violation");
    if (!ok) wrong++;
  }
  std::printf("%d of %zu kv_checker self-tests went wrong\n", wrong, std::size(scenarios));
  return wrong;
}

}  // namespace natrium::sim
