// The result cache: bounded size, oldest-first eviction, determinism, and the
// open-addressing table itself checked against a simple FIFO model.
#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/subject/sublist.h"
#include "tests/support/sublist_oracle.h"
#include "core/subject/sublist_cache.h"

using namespace natrium::subject;
using natrium::testing::make_sub;
using natrium::testing::naive_match;
using natrium::base::prng;

namespace {


std::shared_ptr<const match_result> dummy_result() { return std::make_shared<const match_result>(); }

std::vector<std::string> numbered(const char* prefix, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("sublist_cache: put, find, and sweep oldest-first") {
  sublist_cache c(8, 4);
  CHECK(c.enabled());
  for (int i = 0; i < 8; ++i) c.put("k" + std::to_string(i), dummy_result());
  CHECK(c.size() == 8);
  CHECK(c.keys() == numbered("k", 0, 8));
  c.put("k8", dummy_result());  // full: sweep to 4, then add
  CHECK(c.size() == 5);
  CHECK(c.keys() == numbered("k", 4, 9));
  CHECK(c.find("k3") == nullptr);
  CHECK(c.find("k4") != nullptr);
  CHECK(c.find("k8") != nullptr);
  c.clear();
  CHECK(c.size() == 0);
  CHECK(c.find("k8") == nullptr);
  c.put("again", dummy_result());
  CHECK(c.keys() == std::vector<std::string>{"again"});
}

TEST_CASE("sublist_cache: disabled") {
  sublist_cache c(0, 0);
  CHECK_FALSE(c.enabled());
  c.put("foo", dummy_result());
  CHECK(c.size() == 0);
  CHECK(c.find("foo") == nullptr);
}

TEST_CASE("sublist_cache: table agrees with a FIFO model under random load") {
  for (const std::size_t max : {1u, 2u, 3u, 7u, 16u, 100u}) {
    const std::size_t sweep = max / 2;
    sublist_cache c(max, sweep);
    std::deque<std::string> model;
    prng rng(42 + max);
    for (int step = 0; step < 4000; ++step) {
      const std::string key = "s." + std::to_string(rng.below(3 * max + 5));
      const bool in_model = std::find(model.begin(), model.end(), key) != model.end();
      REQUIRE((c.find(key) != nullptr) == in_model);
      if (in_model) continue;
      auto r = dummy_result();
      c.put(key, r);
      if (model.size() == max) {
        while (model.size() > sweep) model.pop_front();
      }
      model.push_back(key);
      REQUIRE(c.find(key) != nullptr);
      REQUIRE(*c.find(key) == r);
      REQUIRE(c.size() == model.size());
      REQUIRE(c.size() <= max);
    }
    CHECK(c.keys() == std::vector<std::string>(model.begin(), model.end()));
    for (const auto& k : model) CHECK(c.find(k) != nullptr);
  }
}

TEST_CASE("sublist: the cache is bounded by cache_max and swept to cache_sweep_to") {
  sublist sl(16, 8);
  std::vector<std::string> subjects = numbered("foo.", 0, 100);
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    (void)sl.match(subjects[i]);
    REQUIRE(sl.stats().cache_entries <= 16);
    REQUIRE(sl.stats().cache_entries >= 1);
  }
  // 16 entries fill it; each later miss into a full cache sweeps to 8 first.
  // After the first 16: full. Misses 17..24 go 9..16; and so on in steps of 8.
  CHECK(sl.stats().cache_entries == 12);
  CHECK(sl.cache_keys() == numbered("foo.", 88, 100));

  sublist def;  // defaults: 1024 swept to 512
  for (int i = 0; i < 2 * 1024; ++i) (void)def.match("bar-" + std::to_string(i));
  CHECK(def.stats().cache_entries <= 1024);
  CHECK(def.stats().cache_entries > 512);
}

TEST_CASE("sublist: the same operations give the same cache contents") {
  auto run = [](std::uint64_t seed) {
    sublist sl(32, 12);
    std::deque<subscription> subs;
    std::vector<subscription*> live;
    prng rng(seed);
    for (int step = 0; step < 3000; ++step) {
      const auto op = rng.below(10);
      const std::string subj = "a." + std::to_string(rng.below(60));
      if (op == 0) {
        subs.push_back(make_sub(rng.below(2) ? "a.*" : subj));
        if (sl.insert(&subs.back())) live.push_back(&subs.back());
      } else if (op == 1 && !live.empty()) {
        const auto i = rng.below(live.size());
        CHECK(sl.remove(live[i]));
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        (void)sl.match(subj);
      }
    }
    return sl.cache_keys();
  };
  const auto first = run(7);
  CHECK(first.size() <= 32);
  CHECK_FALSE(first.empty());
  CHECK(run(7) == first);
  CHECK(run(8) != first);
}
