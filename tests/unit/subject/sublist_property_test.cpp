// Property test: random subscriptions (small token alphabet, random wildcards,
// random queues) and random literal subjects, with interleaved inserts and
// removes, against a naive matcher that scans every live subscription with
// subject::matches. The expected result is built in the documented order
// (insertion order; groups by name), so equality here is exact, which implies
// equality as sets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/subject/subject.h"
#include "core/subject/sublist.h"
#include "tests/support/sublist_oracle.h"

using namespace natrium::subject;
using natrium::testing::make_sub;
using natrium::testing::naive_match;
using natrium::base::prng;

namespace {


const char* const alphabet[] = {"a", "b", "c", "foo", "*x", ">y"};
const char* const queues[] = {"", "", "", "q1", "q2", "q3"};

std::string random_literal(prng& rng) {
  std::string s;
  const auto n = 1 + rng.below(5);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i > 0) s += '.';
    s += alphabet[rng.below(std::size(alphabet))];
  }
  return s;
}

std::string random_filter(prng& rng) {
  std::string s;
  const auto n = 1 + rng.below(4);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i > 0) s += '.';
    const auto roll = rng.below(100);
    if (i + 1 == n && roll < 12) {
      s += '>';
    } else if (roll < 30) {
      s += '*';
    } else {
      s += alphabet[rng.below(std::size(alphabet))];
    }
  }
  return s;
}


void require_same(const match_result& got, const match_result& want) {
  REQUIRE(got.plain == want.plain);
  REQUIRE(got.queues.size() == want.queues.size());
  for (std::size_t i = 0; i < got.queues.size(); ++i) {
    REQUIRE(got.queues[i].name == want.queues[i].name);
    REQUIRE(got.queues[i].members == want.queues[i].members);
  }
}

void run_property(std::uint64_t seed, std::size_t cache_max, std::size_t sweep_to, int steps) {
  prng rng(seed);
  sublist sl(cache_max, sweep_to);
  sublist uncached(0, 0);
  std::deque<subscription> pool;
  std::vector<subscription*> live;  // insertion order
  for (int step = 0; step < steps; ++step) {
    auto op = rng.below(100);
    if (op < 25 && live.size() >= 400) op = 25;  // keep a few hundred live
    if (op < 25 || live.empty()) {
      std::string filter = random_filter(rng);  // separate statements: a fixed draw order
      pool.push_back(make_sub(std::move(filter), queues[rng.below(std::size(queues))]));
      subscription* s = &pool.back();
      REQUIRE(sl.insert(s));
      REQUIRE(uncached.insert(s));
      live.push_back(s);
    } else if (op < 45) {
      const auto i = rng.below(live.size());
      REQUIRE(sl.remove(live[i]));
      REQUIRE(uncached.remove(live[i]));
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      const std::string subject = random_literal(rng);
      const auto want = naive_match(live, subject);
      require_same(*sl.match(subject), want);
      require_same(*uncached.match(subject), want);
    }
    REQUIRE((sl.count() == live.size() && sl.stats().cache_entries <= cache_max));
  }
  // Drain: everything still matches while subscriptions go away, and the trie
  // is empty at the end.
  while (!live.empty()) {
    const auto i = rng.below(live.size());
    REQUIRE(sl.remove(live[i]));
    live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    const std::string subject = random_literal(rng);
    require_same(*sl.match(subject), naive_match(live, subject));
  }
  REQUIRE(sl.count() == 0);
  REQUIRE(sl.trie_nodes() == 0);
}

}  // namespace

TEST_CASE("sublist property: matches the naive matcher (default cache)") {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    run_property(seed, 1024, 512, 8000);
  }
}

TEST_CASE("sublist property: matches the naive matcher (small cache, frequent sweeps)") {
  for (const std::uint64_t seed : {11u, 12u, 13u}) {
    INFO("seed " << seed);
    run_property(seed, 16, 5, 8000);
  }
}

TEST_CASE("sublist property: the cache warms up and hits") {
  prng rng(99);
  sublist sl;
  std::deque<subscription> pool;
  for (int i = 0; i < 200; ++i) {
    std::string filter = random_filter(rng);
    pool.push_back(make_sub(std::move(filter), queues[rng.below(std::size(queues))]));
    REQUIRE(sl.insert(&pool.back()));
  }
  std::vector<std::string> subjects;
  for (int i = 0; i < 300; ++i) subjects.push_back(random_literal(rng));
  for (int i = 0; i < 20000; ++i) (void)sl.match(subjects[rng.below(subjects.size())]);
  const auto st = sl.stats();
  CHECK(st.cache_hits > st.matches / 2);
}

TEST_CASE("sublist property: all() lists every live subscription, ordered") {
  prng rng(5);
  sublist sl;
  std::deque<subscription> pool;
  std::vector<subscription*> live;
  for (int i = 0; i < 500; ++i) {
    pool.push_back(make_sub(random_filter(rng)));
    REQUIRE(sl.insert(&pool.back()));
    live.push_back(&pool.back());
    if (rng.below(3) == 0) {
      const auto k = rng.below(live.size());
      REQUIRE(sl.remove(live[k]));
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
  std::stable_sort(live.begin(), live.end(),
                   [](const subscription* a, const subscription* b) { return a->subject < b->subject; });
  CHECK(sl.all() == live);
}
