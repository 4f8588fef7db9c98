// libFuzzer target for the sublist: the input is a program of operations
// (insert, remove, match) over subjects built from the input bytes. Every match
// is checked against a naive matcher (scan every live subscription with
// subject::matches), on a sublist with a tiny cache (constant sweeping) and on
// one without a cache. Any disagreement aborts.
//
// Byte 0 picks the cache size; then each operation is one opcode byte followed
// by its operands. Subject tokens come mostly from a small table (so inputs
// collide and wildcards overlap), sometimes as raw bytes (so dots, spaces and
// odd characters get in).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/subject/subject.h"
#include "core/subject/sublist.h"
#include "tests/support/sublist_oracle.h"

using namespace natrium::subject;
using natrium::testing::make_sub;
using natrium::testing::naive_match;

namespace {


#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "fuzz_sublist: check failed: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                              \
    }                                                                            \
  } while (0)

constexpr std::size_t live_max = 64;

const char* const token_table[] = {"a", "b", "c", "foo", "*", ">", "*", ">", "", "foo*", ">x", " ", "a b"};
const char* const queue_table[] = {"", "", "q1", "q2", "q3"};

struct reader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;

  bool more() const { return pos < size; }
  std::uint8_t byte() { return pos < size ? data[pos++] : 0; }
};

std::string make_subject(reader& in) {
  std::string s;
  const int tokens = 1 + in.byte() % 5;
  for (int i = 0; i < tokens; ++i) {
    if (i > 0) s += '.';
    const std::uint8_t b = in.byte();
    if (b < 224) {
      s += token_table[b % std::size(token_table)];
    } else {
      const int n = b % 4;
      for (int k = 0; k < n; ++k) s += static_cast<char>(in.byte());
    }
  }
  return s;
}


void check_same(const match_result& got, const match_result& want) {
  FUZZ_CHECK(got.plain == want.plain);
  FUZZ_CHECK(got.queues.size() == want.queues.size());
  for (std::size_t i = 0; i < got.queues.size(); ++i) {
    FUZZ_CHECK(got.queues[i].name == want.queues[i].name);
    FUZZ_CHECK(got.queues[i].members == want.queues[i].members);
    FUZZ_CHECK(got.queues[i].name.data() == got.queues[i].members.front()->queue.data());
  }
}

struct world {
  sublist cached;
  sublist uncached{0, 0};
  std::deque<subscription> pool;
  std::vector<subscription*> live;  // insertion order

  world(std::size_t cache_max, std::size_t sweep_to) : cached(cache_max, sweep_to) {}

  void insert(reader& in) {
    if (live.size() >= live_max) return;
    std::string subject = make_subject(in);  // separate statements: a fixed byte order
    pool.push_back(make_sub(std::move(subject), queue_table[in.byte() % std::size(queue_table)]));
    subscription* s = &pool.back();
    const bool valid = is_valid_subject(s->subject);
    FUZZ_CHECK(cached.insert(s) == valid);
    FUZZ_CHECK(uncached.insert(s) == valid);
    if (valid) live.push_back(s);
    FUZZ_CHECK(!cached.insert(s));  // never twice
  }

  void remove(reader& in) {
    if (live.empty()) {
      subscription stranger = make_sub(make_subject(in));
      FUZZ_CHECK(!cached.remove(&stranger));
      return;
    }
    const std::size_t hi = in.byte();
    const std::size_t i = (hi << 8 | in.byte()) % live.size();
    FUZZ_CHECK(cached.remove(live[i]));
    FUZZ_CHECK(uncached.remove(live[i]));
    FUZZ_CHECK(!cached.remove(live[i]));
    live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
  }

  void match(const std::string& subject) {
    const match_result want = naive_match(live, subject);
    const auto first = cached.match(subject);
    check_same(*first, want);
    check_same(*cached.match(subject), want);  // a cache hit when cacheable
    check_same(*uncached.match(subject), want);
  }

  void check_invariants() const {
    FUZZ_CHECK(cached.count() == live.size());
    FUZZ_CHECK(uncached.count() == live.size());
    FUZZ_CHECK(cached.stats().cache_entries <= 1024);
    if (live.empty()) FUZZ_CHECK(cached.trie_nodes() == 0);
    if (live.empty()) FUZZ_CHECK(uncached.trie_nodes() == 0);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader in{data, size};
  const std::size_t cache_max = 1 + in.byte() % 8;  // tiny, so sweeps happen constantly
  world w(cache_max, cache_max / 2);
  std::vector<std::string> recent;  // subjects matched before, to hit the cache
  while (in.more()) {
    const std::uint8_t op = in.byte();
    switch (op % 8) {
      case 0:
      case 1:
      case 2: w.insert(in); break;
      case 3:
      case 4: w.remove(in); break;
      case 5:
        if (!recent.empty()) {
          w.match(recent[in.byte() % recent.size()]);
          break;
        }
        [[fallthrough]];
      default: {
        std::string subject = make_subject(in);
        w.match(subject);
        if (recent.size() < 16) recent.push_back(std::move(subject));
        break;
      }
    }
    w.check_invariants();
    FUZZ_CHECK(w.cached.stats().cache_entries <= cache_max);
  }
  while (!w.live.empty()) {
    FUZZ_CHECK(w.cached.remove(w.live.back()));
    FUZZ_CHECK(w.uncached.remove(w.live.back()));
    w.live.pop_back();
  }
  w.check_invariants();
  return 0;
}
