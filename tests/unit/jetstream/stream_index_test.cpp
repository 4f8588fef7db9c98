// stream_index: per-stream message index (seqs, subjects, timestamps, sizes),
// checked case by case and against a naive std::map oracle.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/jetstream/stream_index.h"
#include "core/store/memory_store.h"

using natrium::jetstream::msg_meta;
using natrium::jetstream::stream_index;
using seqs = std::vector<std::uint64_t>;

namespace {

// Appends seq with ts = seq * 10 and size = 100 + seq.
void add(stream_index& x, std::uint64_t seq, std::string_view subj) {
  x.append(seq, subj, static_cast<std::int64_t>(seq) * 10, 100 + seq);
}

void add_range(stream_index& x, std::uint64_t from, std::uint64_t to, std::string_view subj) {
  for (std::uint64_t s = from; s <= to; ++s) add(x, s, subj);
}

}  // namespace

TEST_CASE("empty index: first_seq == last_seq + 1") {
  stream_index x;
  CHECK(x.msgs() == 0);
  CHECK(x.bytes() == 0);
  CHECK(x.first_seq() == 1);
  CHECK(x.last_seq() == 0);
  CHECK(x.first_ts() == 0);
  CHECK(x.last_ts() == 0);
  CHECK(x.num_subjects() == 0);
  CHECK(x.num_deleted() == 0);
  CHECK(x.deleted().empty());
  CHECK_FALSE(x.first().has_value());
  CHECK_FALSE(x.get(1).has_value());
  CHECK_FALSE(x.contains(0));
  CHECK_FALSE(x.remove(1));
  CHECK(x.next_matching(">", 0) == 0);
  CHECK(x.next_matching("a.*", 1) == 0);
  CHECK(x.last_matching("") == 0);
  CHECK(x.count_matching("", 0) == 0);
  CHECK(x.count_matching("a.*", 5) == 0);
  CHECK(x.subjects_filter(">").empty());
  CHECK(x.last_per_subject(">", 0).empty());
  CHECK(x.select_purge("", 0, 0).empty());
  CHECK(x.subject_msgs("a") == 0);
  CHECK(x.subject_first_seq("a") == 0);
  CHECK(x.subject_last_seq("a") == 0);
}

TEST_CASE("appends and removals move first_seq like memstore") {
  stream_index x;
  add_range(x, 1, 5, "a");
  CHECK(x.msgs() == 5);
  CHECK(x.bytes() == 101 + 102 + 103 + 104 + 105);
  CHECK(x.first_seq() == 1);
  CHECK(x.last_seq() == 5);
  CHECK(x.first_ts() == 10);
  CHECK(x.last_ts() == 50);

  CHECK(x.remove(1));
  CHECK_FALSE(x.remove(1));
  CHECK(x.first_seq() == 2);
  CHECK(x.first_ts() == 20);
  CHECK(x.num_deleted() == 0);

  CHECK(x.remove(3));  // interior
  CHECK(x.first_seq() == 2);
  CHECK(x.num_deleted() == 1);
  CHECK(x.deleted() == seqs{3});

  CHECK(x.remove(2));  // first jumps over the hole
  CHECK(x.first_seq() == 4);
  CHECK(x.first_ts() == 40);
  CHECK(x.num_deleted() == 0);

  CHECK(x.remove(5));  // the last one: last_seq and last_ts stay
  CHECK(x.last_seq() == 5);
  CHECK(x.last_ts() == 50);
  CHECK(x.num_deleted() == 1);
  CHECK(x.deleted() == seqs{5});

  CHECK(x.remove(4));
  CHECK(x.msgs() == 0);
  CHECK(x.bytes() == 0);
  CHECK(x.first_seq() == 6);
  CHECK(x.last_seq() == 5);
  CHECK(x.first_ts() == 0);
  CHECK(x.last_ts() == 50);
  CHECK(x.num_deleted() == 0);
  CHECK(x.num_subjects() == 0);

  add(x, 6, "b");
  CHECK(x.first_seq() == 6);
  CHECK(x.first_ts() == 60);
}

TEST_CASE("append past last + 1 leaves deleted seqs") {
  stream_index x;
  add(x, 1, "a");
  add(x, 5, "a");
  CHECK(x.first_seq() == 1);
  CHECK(x.last_seq() == 5);
  CHECK(x.num_deleted() == 3);
  CHECK(x.deleted() == seqs{2, 3, 4});
  CHECK_FALSE(x.contains(3));
  CHECK(x.next_matching(">", 2) == 5);
  CHECK(x.count_matching(">", 2) == 1);

  stream_index y;  // an empty stream starts wherever its first message is
  add(y, 10, "a");
  CHECK(y.first_seq() == 10);
  CHECK(y.num_deleted() == 0);
  CHECK(y.deleted().empty());
}

TEST_CASE("clear(next_seq) empties the index and moves the seqs") {
  stream_index x;
  add_range(x, 1, 4, "a");
  add(x, 5, "b");
  x.clear(6);  // purge all
  CHECK(x.msgs() == 0);
  CHECK(x.bytes() == 0);
  CHECK(x.first_seq() == 6);
  CHECK(x.last_seq() == 5);
  CHECK(x.last_ts() == 50);
  CHECK(x.first_ts() == 0);
  CHECK(x.num_subjects() == 0);
  CHECK(x.subject_msgs("a") == 0);
  CHECK(x.next_matching(">", 0) == 0);

  x.clear(100);  // purge with a seq past the end
  CHECK(x.first_seq() == 100);
  CHECK(x.last_seq() == 99);
  CHECK(x.num_deleted() == 0);
  add(x, 100, "a");
  CHECK(x.first_seq() == 100);
  CHECK(x.subject_first_seq("a") == 100);
  CHECK(x.num_subjects() == 1);
}

TEST_CASE("get, contains and first report metadata") {
  stream_index x;
  x.append(7, "orders.new", 1234, 99);
  x.append(8, "orders.old", 1240, 50);
  const auto m = x.get(7);
  REQUIRE(m.has_value());
  CHECK(m->seq == 7);
  CHECK(m->timestamp_ns == 1234);
  CHECK(m->size == 99);
  CHECK(m->subject == "orders.new");
  CHECK(x.contains(8));
  CHECK_FALSE(x.contains(6));
  CHECK_FALSE(x.contains(9));
  CHECK_FALSE(x.get(9).has_value());
  const auto f = x.first();
  REQUIRE(f.has_value());
  CHECK(f->seq == 7);
  CHECK(x.remove(7));
  CHECK(x.first()->subject == "orders.old");
  CHECK(x.first()->size == 50);
}

TEST_CASE("per-subject counts and seqs") {
  stream_index x;
  add(x, 1, "a");
  add(x, 2, "b");
  add(x, 3, "a");
  add(x, 4, "c.d");
  add(x, 5, "a");
  CHECK(x.num_subjects() == 3);
  CHECK(x.subject_msgs("a") == 3);
  CHECK(x.subject_first_seq("a") == 1);
  CHECK(x.subject_last_seq("a") == 5);
  CHECK(x.subject_msgs("c") == 0);
  CHECK(x.subject_msgs("c.*") == 0);
  CHECK(x.remove(3));
  CHECK(x.subject_msgs("a") == 2);
  CHECK(x.remove(5));
  CHECK(x.subject_last_seq("a") == 1);
  CHECK(x.remove(2));
  CHECK(x.num_subjects() == 2);
  CHECK(x.subject_msgs("b") == 0);
  add(x, 6, "b");  // a released subject comes back
  CHECK(x.num_subjects() == 3);
  CHECK(x.subject_first_seq("b") == 6);
  CHECK(x.get(4)->subject == "c.d");
  CHECK(x.get(6)->subject == "b");
}

TEST_CASE("filters: next, last and count") {
  stream_index x;
  add(x, 1, "a.b");
  add(x, 2, "a.c");
  add(x, 3, "x.y.z");
  add(x, 4, "a.b");
  add(x, 5, "x");
  for (const char* all : {"", ">"}) {
    CHECK(x.next_matching(all, 0) == 1);
    CHECK(x.next_matching(all, 3) == 3);
    CHECK(x.next_matching(all, 6) == 0);
    CHECK(x.last_matching(all) == 5);
    CHECK(x.count_matching(all, 0) == 5);
    CHECK(x.count_matching(all, 4) == 2);
    CHECK(x.count_matching(all, 6) == 0);
  }
  CHECK(x.next_matching("a.b", 2) == 4);
  CHECK(x.next_matching("a.b", 5) == 0);
  CHECK(x.last_matching("a.b") == 4);
  CHECK(x.count_matching("a.b", 2) == 1);
  CHECK(x.next_matching("a.*", 3) == 4);
  CHECK(x.next_matching("*.y.>", 0) == 3);
  CHECK(x.next_matching("x.>", 4) == 0);
  CHECK(x.next_matching("*", 0) == 5);
  CHECK(x.last_matching("a.*") == 4);
  CHECK(x.last_matching("a.>") == 4);
  CHECK(x.last_matching("q.*") == 0);
  CHECK(x.count_matching("a.*", 0) == 3);
  CHECK(x.count_matching("a.*", 2) == 2);
  CHECK(x.count_matching("*.*", 3) == 1);
  CHECK(x.count_matching("x.>", 0) == 1);
  CHECK(x.remove(4));
  CHECK(x.last_matching("a.*") == 2);
  CHECK(x.next_matching("a.b", 2) == 0);
}

TEST_CASE("subjects_filter and last_per_subject") {
  stream_index x;
  add(x, 1, "kv.b");
  add(x, 2, "kv.a");
  add(x, 3, "kv.b");
  add(x, 4, "other");
  add(x, 5, "kv.c.d");
  using counts = std::map<std::string, std::uint64_t>;
  CHECK(x.subjects_filter(">") == counts{{"kv.a", 1}, {"kv.b", 2}, {"kv.c.d", 1}, {"other", 1}});
  CHECK(x.subjects_filter("kv.*") == counts{{"kv.a", 1}, {"kv.b", 2}});
  CHECK(x.subjects_filter("kv.b") == counts{{"kv.b", 2}});
  CHECK(x.subjects_filter("kv.z").empty());
  CHECK(x.last_per_subject("kv.>", 0) == seqs{2, 3, 5});
  CHECK(x.last_per_subject("", 3) == seqs{3, 4, 5});
  CHECK(x.last_per_subject("kv.b", 0) == seqs{3});
  CHECK(x.last_per_subject("kv.b", 4).empty());
}

TEST_CASE("select_purge follows ADR-10 PurgeEx") {
  stream_index x;
  // 1 a, 2 b, 3 a, 4 c.x, 5 a, 6 b, 7 c.y, 8 a
  const char* subs[] = {"a", "b", "a", "c.x", "a", "b", "c.y", "a"};
  for (std::uint64_t s = 1; s <= 8; ++s) add(x, s, subs[s - 1]);
  CHECK(x.select_purge("", 0, 0) == seqs{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(x.select_purge(">", 1, 0) == seqs{1, 2, 3, 4, 5, 6, 7, 8});  // seq 1 is no bound, as in PurgeEx
  CHECK(x.select_purge(">", 4, 0) == seqs{1, 2, 3});
  CHECK(x.select_purge(">", 0, 3) == seqs{1, 2, 3, 4, 5});
  CHECK(x.select_purge(">", 1, 3) == seqs{1, 2, 3, 4, 5});
  CHECK(x.select_purge(">", 0, 8).empty());
  CHECK(x.select_purge(">", 0, 9).empty());
  CHECK(x.select_purge("a", 0, 0) == seqs{1, 3, 5, 8});
  CHECK(x.select_purge("a", 5, 0) == seqs{1, 3});
  CHECK(x.select_purge("a", 0, 1) == seqs{1, 3, 5});
  CHECK(x.select_purge("a", 0, 4).empty());
  CHECK(x.select_purge("c.*", 0, 0) == seqs{4, 7});
  CHECK(x.select_purge("c.*", 0, 1) == seqs{4});  // keep counts across every matching subject
  CHECK(x.select_purge("*", 7, 0) == seqs{1, 2, 3, 5, 6});
  CHECK(x.select_purge("*", 0, 2) == seqs{1, 2, 3, 5});
  CHECK(x.select_purge("zzz", 0, 0).empty());
  CHECK(x.select_purge("zzz.*", 0, 0).empty());
  CHECK(x.remove(1));
  CHECK(x.remove(5));
  CHECK(x.select_purge(">", 0, 2) == seqs{2, 3, 4, 6});  // newest 2 messages kept (not the last 2 seqs)
  CHECK(x.select_purge("a", 0, 1) == seqs{3});
}

TEST_CASE("select_purge on a wildcard that matches few of many messages") {
  stream_index x;
  for (std::uint64_t s = 1; s <= 2000; ++s) add(x, s, s % 100 == 0 ? (s % 200 == 0 ? "rare.b" : "rare.a") : "hot");
  CHECK(x.select_purge("rare.*", 0, 0).size() == 20);
  CHECK(x.select_purge("rare.*", 0, 18) == seqs{100, 200});
  CHECK(x.select_purge("rare.*", 450, 0) == seqs{100, 200, 300, 400});
  CHECK(x.select_purge("*", 0, 1975).size() == 5);  // "*" matches only "hot"
  CHECK(x.select_purge("*", 0, 1980).empty());
}

TEST_CASE("many messages across blocks: interior removals and merges") {
  stream_index x;
  const std::uint64_t n = 5000;
  for (std::uint64_t s = 1; s <= n; ++s) add(x, s, s % 2 == 0 ? "even" : "odd");
  // Remove everything but every 50th message, from the middle out.
  std::uint64_t kept = 0;
  for (std::uint64_t s = 1; s <= n; ++s) {
    const std::uint64_t seq = s % 2 == 0 ? s / 2 : n - s / 2;
    if (seq % 50 == 0) continue;
    CHECK(x.remove(seq));
  }
  for (std::uint64_t s = 50; s <= n; s += 50) {
    CHECK(x.contains(s));
    ++kept;
  }
  CHECK(x.msgs() == kept);
  CHECK(x.first_seq() == 50);
  CHECK(x.last_seq() == n);
  CHECK(x.num_deleted() == n - 50 + 1 - kept);
  CHECK(x.next_matching(">", 51) == 100);
  CHECK(x.next_matching("odd", 0) == 0);
  CHECK(x.count_matching(">", 2501) == 50);
  CHECK(x.count_matching("even", 2501) == 50);
  CHECK(x.subject_msgs("even") == kept);
  CHECK(x.deleted().size() == x.num_deleted());
}

TEST_CASE("a stale key next to a hot one costs two entries") {
  stream_index x;
  add(x, 1, "kv.stale");
  std::uint64_t removed = 0;
  for (std::uint64_t s = 2; s <= 100000; ++s) {
    add(x, s, "kv.hot");
    if (s > 2) removed += x.remove(s - 1) ? 1 : 0;
  }
  CHECK(removed == 100000 - 2);
  CHECK(x.msgs() == 2);
  CHECK(x.first_seq() == 1);
  CHECK(x.num_deleted() == 100000 - 2);
  CHECK(x.next_matching(">", 2) == 100000);
  CHECK(x.count_matching(">", 2) == 1);
  CHECK(x.last_per_subject("kv.*", 0) == seqs{1, 100000});
}

TEST_CASE("subjects come and go: the subject table stays consistent") {
  stream_index x;
  const std::uint64_t n = 3000;
  const auto name = [](std::uint64_t i) { return "k." + std::to_string(i * 7919 % 3001); };
  for (std::uint64_t s = 1; s <= n; ++s) add(x, s, name(s));
  CHECK(x.num_subjects() == n);
  natrium::base::prng rng(11);
  std::vector<std::uint64_t> order;
  for (std::uint64_t s = 1; s <= n; ++s) order.push_back(s);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<bool> live(n + 1, true);
  std::uint64_t bad = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    REQUIRE(x.remove(order[i]));
    live[order[i]] = false;
    for (int probe = 0; probe < 4; ++probe) {
      const std::uint64_t s = 1 + rng.below(n);
      bad += x.subject_msgs(name(s)) != (live[s] ? 1u : 0u) ? 1 : 0;
      bad += x.subject_last_seq(name(s)) != (live[s] ? s : 0) ? 1 : 0;
    }
  }
  CHECK(bad == 0);
  CHECK(x.num_subjects() == 0);
  for (std::uint64_t s = n + 1; s <= 2 * n; ++s) add(x, s, name(s - n));  // ids are reused
  CHECK(x.num_subjects() == n);
  for (std::uint64_t s = n + 1; s <= 2 * n; ++s) bad += x.subject_first_seq(name(s - n)) != s ? 1 : 0;
  CHECK(bad == 0);
  CHECK(x.subjects_filter("k.*").size() == n);
}

TEST_CASE("move construction and assignment carry the state") {
  stream_index x;
  add(x, 1, "a");
  add(x, 2, "b");
  stream_index y(std::move(x));
  CHECK(y.msgs() == 2);
  CHECK(y.get(2)->subject == "b");
  stream_index z;
  add(z, 1, "z");
  z = std::move(y);
  CHECK(z.msgs() == 2);
  CHECK(z.subject_msgs("a") == 1);
  CHECK(z.subject_msgs("z") == 0);
}

// ---------------------------------------------------------------------------
// Differential test against a naive oracle.

namespace {

struct oracle {
  struct rec {
    std::string subject;
    std::int64_t ts = 0;
    std::uint64_t size = 0;
  };
  std::map<std::uint64_t, rec> msgs;
  std::map<std::string, std::uint64_t> per_subject;  // live count
  std::uint64_t bytes = 0;
  std::uint64_t last = 0;
  std::int64_t last_ts = 0;

  void insert(std::uint64_t seq, rec r) {
    ++per_subject[r.subject];
    bytes += r.size;
    msgs[seq] = std::move(r);
    last = seq;
    last_ts = msgs[seq].ts;
  }
  bool erase(std::uint64_t seq) {
    const auto it = msgs.find(seq);
    if (it == msgs.end()) return false;
    if (--per_subject[it->second.subject] == 0) per_subject.erase(it->second.subject);
    bytes -= it->second.size;
    msgs.erase(it);
    return true;
  }
  void clear(std::uint64_t next_seq) {
    msgs.clear();
    per_subject.clear();
    bytes = 0;
    last = next_seq - 1;
  }

  static bool match(std::string_view filter, std::string_view subj) {
    return natrium::store::filter_matches(filter, subj);
  }
  std::uint64_t first_seq() const { return msgs.empty() ? last + 1 : msgs.begin()->first; }
  std::uint64_t next_matching(std::string_view f, std::uint64_t from) const {
    for (auto it = msgs.lower_bound(from); it != msgs.end(); ++it)
      if (match(f, it->second.subject)) return it->first;
    return 0;
  }
  std::uint64_t last_matching(std::string_view f) const {
    for (auto it = msgs.rbegin(); it != msgs.rend(); ++it)
      if (match(f, it->second.subject)) return it->first;
    return 0;
  }
  std::uint64_t count_matching(std::string_view f, std::uint64_t from) const {
    std::uint64_t n = 0;
    for (auto it = msgs.lower_bound(from); it != msgs.end(); ++it) n += match(f, it->second.subject) ? 1 : 0;
    return n;
  }
  std::map<std::string, std::uint64_t> subjects_filter(std::string_view f) const {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [subj, n] : per_subject)
      if (match(f, subj)) out.emplace(subj, n);
    return out;
  }
  seqs last_per_subject(std::string_view f, std::uint64_t from) const {
    std::map<std::string, std::uint64_t> last_of;
    for (const auto& [s, r] : msgs)
      if (match(f, r.subject)) last_of[r.subject] = s;
    seqs out;
    for (const auto& [subj, s] : last_of)
      if (s >= from) out.push_back(s);
    std::sort(out.begin(), out.end());
    return out;
  }
  seqs select_purge(std::string_view f, std::uint64_t below, std::uint64_t keep) const {
    seqs all;
    for (const auto& [s, r] : msgs)
      if (match(f, r.subject)) all.push_back(s);
    if (keep > 0) {
      if (keep >= all.size()) return {};
      all.resize(all.size() - keep);
    }
    seqs out;
    for (const std::uint64_t s : all)
      if (below <= 1 || s < below) out.push_back(s);
    return out;
  }
  seqs deleted() const {
    seqs out;
    if (msgs.empty()) return out;
    for (std::uint64_t s = first_seq(); s <= last; ++s)
      if (msgs.count(s) == 0) out.push_back(s);
    return out;
  }
};

const char* const filters[] = {"",     ">",     "a",    "a.b",  "a.*",   "a.>",   "*.b",  "*.*.c",
                               "*",    "b.>",   "hot",  "h.*",  "*.>",   "no.>",  "s.*.1", "s.>",
                               "s.3.*", "a.b.c", "*.*", "*.*.*"};

struct harness {
  stream_index idx;
  oracle ref;
  natrium::base::prng rng;
  std::vector<std::string> pool;

  explicit harness(std::uint64_t seed) : rng(seed) {}

  std::uint64_t pick(std::uint64_t bound) { return rng.below(bound); }
  std::string subject() {
    if (pick(4) != 0) return pool[pick(std::min<std::uint64_t>(pool.size(), 3))];  // skewed: a few hot ones
    return pool[pick(pool.size())];
  }
  std::uint64_t some_seq() {
    const std::uint64_t lo = ref.first_seq() > 2 ? ref.first_seq() - 2 : 0;
    return lo + pick(ref.last + 4 - lo);
  }

  void append() {
    const std::uint64_t seq = ref.last + 1 + (pick(20) == 0 ? pick(5) : 0);
    const std::string subj = subject();
    const auto ts = static_cast<std::int64_t>(pick(1'000'000));
    const std::uint64_t size = 16 + pick(1000);
    idx.append(seq, subj, ts, size);
    ref.insert(seq, oracle::rec{subj, ts, size});
  }
  void remove(std::uint64_t seq) {
    const bool live = ref.erase(seq);
    REQUIRE(idx.remove(seq) == live);
  }
  void purge() {
    const char* f = filters[pick(std::size(filters))];
    const std::uint64_t below = pick(2) == 0 ? 0 : some_seq();
    const std::uint64_t keep = below > 1 || pick(2) == 0 ? 0 : pick(ref.msgs.size() + 2);
    const seqs got = idx.select_purge(f, below, keep);
    REQUIRE(got == ref.select_purge(f, below, keep));
    for (const std::uint64_t s : got) remove(s);
  }
  void clear() {
    const std::uint64_t next = ref.last + 1 + (pick(2) == 0 ? 0 : pick(1000));
    idx.clear(next);
    ref.clear(next);
  }

  void step() {
    const std::uint64_t r = pick(1000);
    if (r < 550) {
      append();
    } else if (r < 750) {
      remove(some_seq());
    } else if (r < 900) {
      if (!ref.msgs.empty()) remove(ref.msgs.begin()->first);
    } else if (r < 996) {
      purge();
    } else {
      clear();
    }
  }

  void check_state() {
    REQUIRE(idx.msgs() == ref.msgs.size());
    REQUIRE(idx.first_seq() == ref.first_seq());
    REQUIRE(idx.last_seq() == ref.last);
    REQUIRE(idx.bytes() == ref.bytes);
    REQUIRE(idx.first_ts() == (ref.msgs.empty() ? 0 : ref.msgs.begin()->second.ts));
    REQUIRE(idx.last_ts() == ref.last_ts);
    REQUIRE(idx.num_subjects() == ref.per_subject.size());
    const std::uint64_t span = ref.last + 1 - ref.first_seq();
    REQUIRE(idx.num_deleted() == (ref.msgs.empty() ? 0 : span - ref.msgs.size()));
    const auto f = idx.first();
    REQUIRE(f.has_value() == !ref.msgs.empty());
    if (f) REQUIRE(f->seq == ref.msgs.begin()->first);
  }

  void check_lookups() {
    REQUIRE(idx.deleted() == ref.deleted());
    for (int i = 0; i < 8; ++i) {
      const std::uint64_t s = some_seq();
      const auto m = idx.get(s);
      const auto it = ref.msgs.find(s);
      REQUIRE(idx.contains(s) == (it != ref.msgs.end()));
      REQUIRE(m.has_value() == (it != ref.msgs.end()));
      if (!m) continue;
      REQUIRE(m->seq == s);
      REQUIRE(m->subject == it->second.subject);
      REQUIRE(m->timestamp_ns == it->second.ts);
      REQUIRE(m->size == it->second.size);
    }
    for (const std::string& subj : pool) {
      const auto it = ref.per_subject.find(subj);
      REQUIRE(idx.subject_msgs(subj) == (it == ref.per_subject.end() ? 0 : it->second));
      REQUIRE(idx.subject_first_seq(subj) == ref.next_matching(subj, 0));
      REQUIRE(idx.subject_last_seq(subj) == ref.last_matching(subj));
    }
  }

  void check_filters() {
    for (const char* f : filters) {
      INFO("filter '" << f << "'");
      REQUIRE(idx.last_matching(f) == ref.last_matching(f));
      REQUIRE(idx.subjects_filter(f) == ref.subjects_filter(f));
      REQUIRE(idx.count_matching(f, 0) == ref.count_matching(f, 0));
      for (int i = 0; i < 3; ++i) {
        const std::uint64_t from = some_seq();
        INFO("from " << from);
        REQUIRE(idx.next_matching(f, from) == ref.next_matching(f, from));
        REQUIRE(idx.count_matching(f, from) == ref.count_matching(f, from));
        REQUIRE(idx.last_per_subject(f, from) == ref.last_per_subject(f, from));
      }
      const std::uint64_t below = some_seq();
      REQUIRE(idx.select_purge(f, below, 0) == ref.select_purge(f, below, 0));
      const std::uint64_t keep = pick(ref.msgs.size() + 2);
      REQUIRE(idx.select_purge(f, 0, keep) == ref.select_purge(f, 0, keep));
    }
  }

  void run(std::size_t steps, std::size_t check_every) {
    for (std::size_t i = 0; i < steps; ++i) {
      step();
      check_state();
      if (i % check_every == 0) {
        check_lookups();
        check_filters();
      }
    }
    check_lookups();
    check_filters();
  }
};

std::vector<std::string> small_pool() { return {"a.b", "hot", "a.c", "b.x", "a.b.c", "x.b", "h.q", "a"}; }

std::vector<std::string> large_pool() {
  std::vector<std::string> p = small_pool();
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 30; ++j) p.push_back("s." + std::to_string(i) + "." + std::to_string(j));
  return p;
}

}  // namespace

TEST_CASE("differential: few subjects, small stream") {
  harness h(1);
  h.pool = small_pool();
  h.run(6000, 7);
}

TEST_CASE("differential: many subjects") {
  harness h(2);
  h.pool = large_pool();
  h.run(6000, 11);
}

TEST_CASE("differential: a long stream across many blocks") {
  harness h(3);
  h.pool = small_pool();
  for (int i = 0; i < 4000; ++i) h.append();  // then mixed operations on top
  h.check_state();
  h.check_filters();
  h.run(4000, 97);
  h.pool = large_pool();
  for (int i = 0; i < 3000; ++i) h.append();
  h.run(3000, 97);
}

TEST_CASE("differential: interior removals drain and merge blocks") {
  harness h(4);
  h.pool = small_pool();
  for (int i = 0; i < 6000; ++i) h.append();
  for (int i = 0; i < 5000; ++i) {
    h.remove(h.some_seq());
    h.check_state();
    if (i % 500 == 0) h.check_filters();
  }
  h.check_lookups();
  h.check_filters();
}

// ---------------------------------------------------------------------------
// Timings (hidden: run with `jetstream_stream_index_test [.bench]` on a
// release build). They print, and assert nothing about time.

namespace {

template <class F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("bench: 1M messages", "[.bench]") {
  constexpr std::uint64_t n = 1'000'000;
  std::vector<std::string> subs;
  for (int i = 0; i < 16; ++i) subs.push_back("orders.eu." + std::to_string(i));
  stream_index x;
  std::printf("append 1M (16 subjects):        %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) x.append(s, subs[s % 16], static_cast<std::int64_t>(s), 100);
              }));
  std::uint64_t sum = 0;
  std::printf("1M next_matching(\">\", s):      %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) sum += x.next_matching(">", s);
              }));
  std::printf("1M next_matching(literal, s):  %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) sum += x.next_matching("orders.eu.3", s);
              }));
  std::printf("1M next_matching(\"orders.*.3\"): %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) sum += x.next_matching("orders.*.3", s);
              }));
  std::printf("1M get(s):                     %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) sum += x.get(s)->size;
              }));
  std::printf("10k count_matching(\">\", s):    %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; s += 100) sum += x.count_matching(">", s);
              }));
  std::printf("10k count_matching(\"orders.>\"): %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; s += 100) sum += x.count_matching("orders.>", s);
              }));
  natrium::base::prng rng(7);
  std::printf("100k random interior removes:  %.3f s\n", seconds([&] {
                for (int i = 0; i < 100'000; ++i) sum += x.remove(1 + rng.below(n)) ? 1 : 0;
              }));
  std::printf("remove all from the front:     %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) sum += x.remove(s) ? 1 : 0;
              }));
  CHECK(x.msgs() == 0);

  stream_index y;
  std::vector<std::string> keys;
  keys.reserve(n);
  for (std::uint64_t s = 1; s <= n; ++s) keys.push_back("kv.bucket.key" + std::to_string(s));
  std::printf("append 1M (1M subjects):       %.3f s\n", seconds([&] {
                for (std::uint64_t s = 1; s <= n; ++s) y.append(s, keys[s - 1], static_cast<std::int64_t>(s), 100);
              }));
  std::printf("(checksum %llu)\n", static_cast<unsigned long long>(sum));
  CHECK(y.num_subjects() == n);
}
