// Sublist insert / match / remove. Scenarios follow the facts of nats-server
// 2.9.10 sublist_test.go; every case runs with the cache on and off.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <string>

#include "core/subject/sublist.h"
#include "tests/support/sublist_oracle.h"

using namespace natrium::subject;
using natrium::testing::make_sub;
using natrium::testing::naive_match;

namespace {


// Subscriptions must outlive the sublist entries: a deque keeps addresses stable.
struct subs_pool {
  std::deque<subscription> items;
  subscription* make(std::string subject, std::string queue = {}) {
    items.push_back(make_sub(std::move(subject), std::move(queue)));
    items.back().sid = std::to_string(items.size());
    return &items.back();
  }
};

const queue_group* group(const match_result& r, std::string_view name) {
  for (const auto& g : r.queues) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::size_t cache_max_for(bool cached) { return cached ? 1024 : 0; }

}  // namespace

TEST_CASE("sublist: empty and counting") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    CHECK(sl.count() == 0);
    CHECK(sl.insert(p.make("foo")));
    CHECK(sl.insert(p.make("bar")));
    CHECK(sl.insert(p.make("foo.bar")));
    CHECK(sl.count() == 3);
    CHECK(sl.stats().inserts == 3);
  }
}

TEST_CASE("sublist: literal matches") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    auto* a = p.make("foo");
    auto* b = p.make("foo.bar.baz");
    REQUIRE(sl.insert(a));
    REQUIRE(sl.insert(b));
    CHECK(sl.match("foo")->plain == std::vector<subscription*>{a});
    CHECK(sl.match("foo.bar.baz")->plain == std::vector<subscription*>{b});
    CHECK(sl.match("foo.bar")->plain.empty());
    CHECK(sl.match("foo.bar.baz.qux")->plain.empty());
    CHECK(sl.match("bar")->plain.empty());
  }
}

TEST_CASE("sublist: '*' and '>' wildcards") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    auto* lit = p.make("a.b.c");
    auto* mid = p.make("a.*.c");
    auto* end = p.make("a.b.*");
    auto* full = p.make("a.>");
    auto* all = p.make(">");
    auto* two = p.make("*.*");
    for (auto* s : {lit, mid, end, full, all, two}) REQUIRE(sl.insert(s));
    CHECK(sl.match("a.b.c")->plain == std::vector<subscription*>{lit, mid, end, full, all});
    CHECK(sl.match("a.x.c")->plain == std::vector<subscription*>{mid, full, all});
    CHECK(sl.match("a.b.x")->plain == std::vector<subscription*>{end, full, all});
    CHECK(sl.match("a.b")->plain == std::vector<subscription*>{full, all, two});
    CHECK(sl.match("a")->plain == std::vector<subscription*>{all});
    CHECK(sl.match("x.y")->plain == std::vector<subscription*>{all, two});
    CHECK(sl.match("a.b.c.d")->plain == std::vector<subscription*>{full, all});
    // A subject token ">" is text: only wildcard subscriptions cover it.
    CHECK(sl.match("a.>")->plain == std::vector<subscription*>{full, all, two});
  }
}

TEST_CASE("sublist: a two-token publish does not match a one-token sub") {
  sublist sl;
  subs_pool p;
  auto* s = p.make("foo");
  REQUIRE(sl.insert(s));
  CHECK(sl.match("foo")->plain.size() == 1);
  CHECK(sl.match("foo.bar")->plain.empty());
}

TEST_CASE("sublist: wildcard characters inside a token are literal") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    for (const char* subject : {"foo.*-", "foo.>-"}) {
      auto* s = p.make(subject);
      REQUIRE(sl.insert(s));
      CHECK(sl.match("foo.bar")->plain.empty());
      CHECK(sl.match(subject)->plain == std::vector<subscription*>{s});
      subscription other = make_sub("foo.bar");
      CHECK_FALSE(sl.remove(&other));
      CHECK(sl.count() == 1);
      CHECK(sl.remove(s));
      CHECK(sl.count() == 0);
    }
  }
}

TEST_CASE("sublist: invalid subjects are refused") {
  sublist sl;
  subs_pool p;
  for (const char* s : {"", ".foo", "foo.", "foo..bar", "foo.bar..baz", "foo.>.bar", "a.b..d", "foo bar", "\t"}) {
    INFO(s);
    CHECK_FALSE(sl.insert(p.make(s)));
    CHECK_FALSE(sl.remove(&p.items.back()));
  }
  CHECK(sl.count() == 0);
  CHECK(sl.trie_nodes() == 0);
  CHECK(sl.stats().inserts == 0);
}

TEST_CASE("sublist: a subscription is inserted once") {
  sublist sl;
  subs_pool p;
  auto* s = p.make("foo");
  CHECK(sl.insert(s));
  CHECK_FALSE(sl.insert(s));
  CHECK(sl.count() == 1);
  CHECK(sl.match("foo")->plain.size() == 1);
  CHECK(sl.remove(s));
  CHECK_FALSE(sl.remove(s));
}

TEST_CASE("sublist: remove") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    auto* s = p.make("a.b.c.d");
    auto* ps = p.make("a.b.*.d");
    auto* fs = p.make("a.b.>");
    for (auto* x : {s, ps, fs}) REQUIRE(sl.insert(x));
    CHECK(sl.match("a.b.c.d")->plain.size() == 3);
    subscription stranger = make_sub("a.b.c");
    CHECK_FALSE(sl.remove(&stranger));
    CHECK(sl.count() == 3);
    CHECK(sl.remove(s));
    CHECK(sl.match("a.b.c.d")->plain == std::vector<subscription*>{ps, fs});
    CHECK(sl.remove(fs));
    CHECK(sl.match("a.b.c.d")->plain == std::vector<subscription*>{ps});
    CHECK(sl.remove(ps));
    CHECK(sl.count() == 0);
    CHECK(sl.match("a.b.c.d")->plain.empty());
    CHECK(sl.stats().removes == 3);
  }
}

TEST_CASE("sublist: removal prunes the trie") {
  sublist sl;
  subs_pool p;
  auto* lit = p.make("a.b.c.d.e.f");
  auto* wild = p.make("a.b.*.d.e.>");
  REQUIRE(sl.insert(lit));
  CHECK(sl.trie_nodes() == 6);
  REQUIRE(sl.insert(wild));
  CHECK(sl.trie_nodes() == 10);
  CHECK(sl.remove(lit));
  CHECK(sl.trie_nodes() == 6);
  CHECK(sl.remove(wild));
  CHECK(sl.trie_nodes() == 0);

  // A node that still has children or subscriptions stays.
  auto* parent = p.make("x");
  auto* child = p.make("x.y");
  auto* q = p.make("x.y", "q");
  for (auto* s : {parent, child, q}) REQUIRE(sl.insert(s));
  CHECK(sl.trie_nodes() == 2);
  CHECK(sl.remove(parent));
  CHECK(sl.trie_nodes() == 2);
  CHECK(sl.remove(child));
  CHECK(sl.trie_nodes() == 2);
  CHECK(sl.remove(q));
  CHECK(sl.trie_nodes() == 0);
}

TEST_CASE("sublist: many subs on one subject, removed from the middle and ends") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    for (int i = 0; i < 200; ++i) REQUIRE(sl.insert(p.make("foo")));
    const auto r = sl.match("foo");
    REQUIRE(r->plain.size() == 200);
    CHECK(sl.remove(r->plain[100]));
    CHECK(sl.remove(r->plain[0]));
    CHECK(sl.remove(r->plain[199]));
    const auto r2 = sl.match("foo");
    CHECK(r2->plain.size() == 197);
    CHECK(r2->plain.front() == r->plain[1]);
    CHECK(r2->plain.back() == r->plain[198]);
    CHECK(r->plain.size() == 200);  // the earlier result is untouched
  }
}

TEST_CASE("sublist: plain results are in insertion order across trie nodes") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    auto* s1 = p.make(">");
    auto* s2 = p.make("foo.bar");
    auto* s3 = p.make("foo.*");
    auto* s4 = p.make("foo.bar");
    auto* s5 = p.make("*.bar");
    auto* s6 = p.make("foo.>");
    for (auto* s : {s1, s2, s3, s4, s5, s6}) REQUIRE(sl.insert(s));
    const std::vector<subscription*> want{s1, s2, s3, s4, s5, s6};
    CHECK(sl.match("foo.bar")->plain == want);
    CHECK(sl.match("foo.bar")->plain == want);  // cached (when on) and identical
  }
}

TEST_CASE("sublist: queue groups") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    auto* plain = p.make("foo");
    auto* q1 = p.make("foo", "bar");
    auto* q2 = p.make("foo", "baz");
    REQUIRE(sl.insert(q1));
    auto r = sl.match("foo");
    CHECK(r->plain.empty());
    REQUIRE(r->queues.size() == 1);
    CHECK(r->queues[0].name == "bar");
    CHECK(r->queues[0].members == std::vector<subscription*>{q1});

    REQUIRE(sl.insert(q2));
    REQUIRE(sl.insert(plain));
    r = sl.match("foo");
    CHECK(r->plain == std::vector<subscription*>{plain});
    REQUIRE(r->queues.size() == 2);
    CHECK(r->queues[0].name == "bar");
    CHECK(r->queues[1].name == "baz");

    auto* q3 = p.make("foo", "bar");
    auto* q4 = p.make("foo", "baz");
    REQUIRE(sl.insert(q3));
    REQUIRE(sl.insert(q4));
    r = sl.match("foo");
    CHECK(group(*r, "bar")->members == std::vector<subscription*>{q1, q3});
    CHECK(group(*r, "baz")->members == std::vector<subscription*>{q2, q4});

    CHECK(sl.remove(plain));
    CHECK(sl.remove(q1));
    r = sl.match("foo");
    CHECK(r->plain.empty());
    CHECK(group(*r, "bar")->members == std::vector<subscription*>{q3});
    CHECK(group(*r, "bar")->name.data() == q3->queue.data());  // the name views a live member
    CHECK(group(*r, "baz")->members == std::vector<subscription*>{q2, q4});

    CHECK(sl.remove(q3));
    r = sl.match("foo");
    REQUIRE(r->queues.size() == 1);
    CHECK(r->queues[0].name == "baz");
    CHECK(sl.remove(q2));
    CHECK(sl.remove(q4));
    r = sl.match("foo");
    CHECK(r->plain.empty());
    CHECK(r->queues.empty());
  }
}

TEST_CASE("sublist: queue groups gather members across wildcard nodes, sorted by name") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    auto* b1 = p.make("foo.bar", "b");
    auto* a1 = p.make("foo.*", "a");
    auto* b2 = p.make(">", "b");
    auto* a2 = p.make("foo.bar", "a");
    auto* c1 = p.make("*.bar", "c");
    auto* pl = p.make("foo.>");
    for (auto* s : {b1, a1, b2, a2, c1, pl}) REQUIRE(sl.insert(s));
    const auto r = sl.match("foo.bar");
    CHECK(r->plain == std::vector<subscription*>{pl});
    REQUIRE(r->queues.size() == 3);
    CHECK(r->queues[0].name == "a");
    CHECK(r->queues[0].members == std::vector<subscription*>{a1, a2});
    CHECK(r->queues[1].name == "b");
    CHECK(r->queues[1].members == std::vector<subscription*>{b1, b2});
    CHECK(r->queues[2].name == "c");
    CHECK(r->queues[2].members == std::vector<subscription*>{c1});
    for (const auto& g : r->queues) CHECK(g.name.data() == g.members.front()->queue.data());
    const auto other = sl.match("foo.baz");
    REQUIRE(other->queues.size() == 2);
    CHECK(other->queues[0].members == std::vector<subscription*>{a1});
    CHECK(other->queues[1].members == std::vector<subscription*>{b2});
  }
}

TEST_CASE("sublist: the cache follows inserts and removes") {
  sublist sl;
  subs_pool p;
  auto* s = p.make("a.b.c.d");
  auto* ps = p.make("a.b.*.d");
  auto* fs = p.make("a.b.>");
  REQUIRE(sl.insert(s));
  CHECK(sl.match("a.b.c.d")->plain.size() == 1);
  REQUIRE(sl.insert(ps));
  REQUIRE(sl.insert(fs));
  CHECK(sl.match("a.b.c.d")->plain.size() == 3);
  CHECK(sl.stats().cache_hits == 1);
  CHECK(sl.remove(s));
  CHECK(sl.remove(fs));
  CHECK(sl.remove(ps));
  CHECK(sl.match("a.b.c.d")->plain.empty());

  sublist sl2;
  REQUIRE(sl2.insert(p.make("foo.*")));
  REQUIRE(sl2.insert(p.make("foo.bar")));
  CHECK(sl2.match("foo.baz")->plain.size() == 1);
  CHECK(sl2.match("foo.bar")->plain.size() == 2);
  REQUIRE(sl2.insert(p.make("foo.>")));
  CHECK(sl2.match("foo.bar")->plain.size() == 3);
  CHECK(sl2.match("foo.baz")->plain.size() == 2);
  CHECK(sl2.stats().cache_hits == 2);
}

TEST_CASE("sublist: results handed out never change") {
  sublist sl;
  subs_pool p;
  auto* a = p.make("foo");
  auto* q = p.make("foo", "q");
  REQUIRE(sl.insert(a));
  REQUIRE(sl.insert(q));
  const auto before = sl.match("foo");
  const match_result copy = *before;
  auto* b = p.make("*");
  auto* q2 = p.make(">", "q");
  REQUIRE(sl.insert(b));
  REQUIRE(sl.insert(q2));
  CHECK(sl.remove(a));
  CHECK(before->plain == copy.plain);
  REQUIRE(before->queues.size() == 1);
  CHECK(before->queues[0].members == copy.queues[0].members);
  const auto after = sl.match("foo");
  CHECK(after->plain == std::vector<subscription*>{b});
  CHECK(after->queues[0].members == std::vector<subscription*>{q, q2});
}

TEST_CASE("sublist: subjects with empty tokens match nothing and are not cached") {
  for (const bool cached : {true, false}) {
    sublist sl(cache_max_for(cached), cached ? 512 : 0);
    subs_pool p;
    REQUIRE(sl.insert(p.make(">")));
    REQUIRE(sl.insert(p.make(">", "queue")));
    for (const char* s : {"", ".", ".foo", "..foo", "foo..", "foo.", "foo..bar", "foo...bar"}) {
      INFO(s);
      const auto r = sl.match(s);
      CHECK(r->plain.empty());
      CHECK(r->queues.empty());
    }
    CHECK(sl.stats().cache_entries == 0);
  }
}

TEST_CASE("sublist: empty results are shared") {
  sublist sl;
  CHECK(sl.match("foo") == sl.match("bar"));
  CHECK(sl.match("foo")->plain.empty());
}

TEST_CASE("sublist: stats") {
  sublist sl;
  subs_pool p;
  REQUIRE(sl.insert(p.make("foo")));
  for (int i = 0; i < 4; ++i) (void)sl.match("foo");
  const auto st = sl.stats();
  CHECK(st.matches == 4);
  CHECK(st.cache_hits == 3);
  CHECK(st.cache_entries == 1);
  CHECK(st.subscriptions == 1);

  sublist off(0, 0);
  REQUIRE(off.insert(p.make("foo")));
  for (int i = 0; i < 4; ++i) (void)off.match("foo");
  CHECK(off.stats().cache_entries == 0);
  CHECK(off.stats().cache_hits == 0);
  CHECK(off.cache_keys().empty());
}

TEST_CASE("sublist: all() is ordered by subject, then insertion") {
  sublist sl;
  subs_pool p;
  auto* s1 = p.make("foo.bar.baz");
  auto* s2 = p.make("foo");
  auto* s3 = p.make("baz");
  auto* s4 = p.make("foo", "q");
  auto* s5 = p.make(">");
  for (auto* s : {s1, s2, s3, s4, s5}) REQUIRE(sl.insert(s));
  CHECK(sl.all() == std::vector<subscription*>{s5, s3, s2, s4, s1});
  CHECK(sl.remove(s2));
  CHECK(sl.all() == std::vector<subscription*>{s5, s3, s4, s1});
}

TEST_CASE("sublist: very deep subjects") {
  std::string deep = "a";
  for (int i = 1; i < 5000; ++i) deep += (i % 7 == 0) ? ".b" : ".a";
  subs_pool p;
  {
    sublist sl;
    auto* s = p.make(deep);
    auto* w = p.make(">");
    REQUIRE(sl.insert(s));
    REQUIRE(sl.insert(w));
    CHECK(sl.trie_nodes() == 5001);
    CHECK(sl.match(deep)->plain == std::vector<subscription*>{s, w});
    CHECK(sl.remove(s));
    CHECK(sl.trie_nodes() == 1);
    REQUIRE(sl.insert(p.make(deep)));
  }  // destroyed while holding a 5000-level path
  SUCCEED();
}
