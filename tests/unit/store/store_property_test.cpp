// Property: random batches applied to memory_store and lmdb_store give the same
// results, state and reads (with the LMDB store reopened now and then).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "tests/unit/store/store_fixtures.h"

using namespace natrium;
using namespace natrium::store;

namespace {

const std::vector<std::string> subjects = {"a", "a.b", "a.c", "b.b", "b.c.d", "c"};
const std::vector<std::string> filters = {"", ">", "a", "a.*", "a.>", "*.b", "b.>", "*.c.*", "c", "zz"};

class generator {
 public:
  explicit generator(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  const std::string& pick(const std::vector<std::string>& v) { return v[below(v.size())]; }

  store_op op(const std::map<std::uint64_t, std::uint64_t>& last) {
    const stream_id st{1 + below(3)};
    const std::uint64_t last_seq = last.count(st.value) ? last.at(st.value) : 0;
    const std::uint64_t k = below(110);
    if (k >= 100) {  // catalog, keys sharing prefixes
      std::string key = (below(2) == 0 ? "s/" : "c/") + pick(subjects);
      const std::uint64_t len = below(20);
      if (k < 107) return op_put_catalog{std::move(key), std::string(len, static_cast<char>('a' + below(26)))};
      return op_delete_catalog{std::move(key)};
    }
    if (k < 55) {  // mostly appends, occasionally out of sequence
      const std::uint64_t seq = below(50) == 0 ? last_seq + 2 : last_seq + 1;
      return op_append{st, stored_msg{seq, static_cast<std::int64_t>(rng_() % 1000000), pick(subjects),
                                      below(3) == 0 ? "H" : "", std::string(below(40), 'x')}};
    }
    if (k < 70) return op_delete{st, 1 + below(last_seq + 2), below(2) == 0};
    if (k < 80) {
      const std::uint64_t mode = below(4);
      return op_purge{st, pick(filters), mode == 1 ? below(last_seq + 2) : 0, mode == 2 ? below(6) : 0};
    }
    if (k < 84) return op_compact{st, below(last_seq + 3)};
    if (k < 94) {
      consumer_state c;
      c.delivered_stream_seq = below(100);
      c.ack_floor_stream_seq = below(50);
      for (std::uint64_t i = below(4); i > 0; --i) c.pending[below(100)] = pending_entry{below(100), 7};
      c.redelivered[below(10)] = below(3);
      return op_save_consumer{st, pick(subjects), c};
    }
    if (k < 98) return op_delete_consumer{st, pick(subjects)};
    return op_delete_stream{st};
  }

 private:
  std::mt19937_64 rng_;
};

template <typename T>
std::string describe(const base::result<T>& r) {
  return r.ok() ? "ok" : r.err().text;
}

// Everything a scan visits, plus how it ended.
std::string scan_text(store::store& s, stream_id st, std::uint64_t from, std::size_t stop) {
  std::string out;
  std::size_t n = 0;
  auto r = s.scan(st, from, [&](const msg_meta_view& m) {
    out += std::to_string(m.seq) + " " + std::to_string(m.timestamp_ns) + " " + std::to_string(m.size) + " " +
           std::string(m.subject) + "\n";
    return ++n < stop;
  });
  REQUIRE(r.ok());
  return out + (r.value() ? "end" : "stopped");
}

void compare(store::store& a, store::store& b, generator& g) {
  REQUIRE(a.streams().value() == b.streams().value());
  for (std::uint64_t id = 1; id <= 3; ++id) {
    const stream_id st{id};
    const stream_state sa = a.state(st).value();
    REQUIRE(sa == b.state(st).value());
    for (const auto& f : filters) {
      REQUIRE(a.subjects_filter(st, f).value() == b.subjects_filter(st, f).value());
      REQUIRE(a.load_last(st, f).value() == b.load_last(st, f).value());
      const std::uint64_t start = g.below(sa.last_seq + 2);
      REQUIRE(a.load_next(st, f, start).value() == b.load_next(st, f, start).value());
    }
    for (const auto& s : subjects) {
      REQUIRE(a.last_seq_for_subject(st, s).value() == b.last_seq_for_subject(st, s).value());
      REQUIRE(a.load_consumer(st, s).value() == b.load_consumer(st, s).value());
    }
    for (std::uint64_t seq = sa.first_seq; seq <= sa.last_seq && seq < sa.first_seq + 200; ++seq)
      REQUIRE(a.load(st, seq).value() == b.load(st, seq).value());
    const std::uint64_t from = g.below(sa.last_seq + 2);
    const std::size_t stop = static_cast<std::size_t>(g.below(4) == 0 ? g.below(5) + 1 : SIZE_MAX);
    REQUIRE(scan_text(a, st, from, stop) == scan_text(b, st, from, stop));
  }
  for (const char* prefix : {"", "s/", "c/a", "s/b.c", "x"})
    REQUIRE(a.catalog(prefix).value() == b.catalog(prefix).value());
}

}  // namespace

TEST_CASE("store property: memory_store and lmdb_store agree", "[store][property]") {
  // NATRIUM_STORE_SEEDS=N runs seeds 1..N (default 6) for longer soak runs.
  const char* env = std::getenv("NATRIUM_STORE_SEEDS");
  const std::uint64_t seeds = env != nullptr ? std::strtoull(env, nullptr, 10) : 6;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    INFO("seed " << seed);
    generator g(seed);
    memory_store mem;
    test::lmdb_fixture lmdb(1u << 20);
    std::map<std::uint64_t, std::uint64_t> last;
    std::uint64_t failed = 0;
    for (int round = 0; round < 150; ++round) {
      store_batch batch;
      for (std::uint64_t n = 1 + g.below(8); n > 0; --n) batch.ops.push_back(g.op(last));
      auto ra = mem.apply(batch);
      auto rb = lmdb.s().apply(batch);
      INFO("round " << round << " memory: " << describe(ra) << " lmdb: " << describe(rb));
      REQUIRE(ra.ok() == rb.ok());
      if (ra.ok()) REQUIRE(ra.value().removed == rb.value().removed);
      else ++failed;
      for (std::uint64_t id = 1; id <= 3; ++id) last[id] = mem.state(stream_id{id}).value().last_seq;
      if (g.below(25) == 0) lmdb.reopen();
      compare(mem, lmdb.s(), g);
    }
    CHECK(failed > 0);  // rollbacks were exercised
  }
}
