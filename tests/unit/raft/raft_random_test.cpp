// Randomised runs: a lossy, duplicating, reordering network, partitions,
// crashes and restarts, compactions, transfers and reads, with the safety
// properties checked after every tick, then liveness once everything heals.
// (The deterministic simulator of part 2 goes much further: this is a smoke test.)
#include <catch2/catch.hpp>

#include <cstdlib>

#include "tests/unit/raft/raft_harness.h"

using namespace natrium;
using namespace natrium::raft;
using natrium::raft::test::cluster;

namespace {

struct checker {
  std::map<term_t, peer_id> leaders;              // election safety
  std::map<index_t, std::string> applied;         // state machine safety
  std::map<std::uint64_t, index_t> read_floor;    // read request -> commit seen before it was asked
  std::size_t reads_checked = 0;

  void check(cluster& c) {
    for (auto& [id, nd] : c.nodes) {
      if (c.down.count(id)) continue;
      const status s = nd->state();
      if (s.r == role::leader) {
        auto [it, fresh] = leaders.emplace(s.term, id);
        INFO("term " << s.term);
        REQUIRE(it->second == id);
      }
    }
    for (auto& [id, sm] : c.sm) {
      for (const auto& [i, d] : sm) {
        auto [it, fresh] = applied.emplace(i, d);
        if (it->second != d) {
          INFO("node " << id << " index " << i);
          REQUIRE(it->second == d);
        }
      }
    }
    for (auto& [id, rs] : c.reads) {
      for (const auto& r : rs) {
        if (r.index < read_floor.at(r.request)) REQUIRE(r.index >= read_floor.at(r.request));
        ++reads_checked;
      }
      rs.clear();
    }
  }

  index_t max_commit(cluster& c) {
    index_t m = 0;
    for (auto& [id, nd] : c.nodes) {
      if (!c.down.count(id)) m = std::max(m, nd->state().commit);
    }
    return m;
  }
};

struct stats {
  std::size_t reads = 0, snapshots = 0, terms_with_leader = 0, entries = 0, proposed = 0;
};

stats random_run(std::size_t size, std::uint64_t seed) {
  cluster c(size, [seed](config& cfg) {
    cfg.seed = seed;
    const int mut = getenv("RAFT_MUT") ? atoi(getenv("RAFT_MUT")) : 0;
    cfg.bugs.grant_two_votes_per_term = mut == 1;
    cfg.bugs.commit_earlier_term_by_count = mut == 2;
    cfg.bugs.skip_log_up_to_date_check = mut == 3;
    cfg.bugs.ack_before_durable = mut == 4;
  });
  c.chaos = {10, 5, true};
  c.net_rng = base::prng(seed * 7919);
  base::prng rng(seed);
  checker chk;
  std::uint64_t next_read = 1;
  int proposed = 0;
  for (int step = 0; step < 400; ++step) {
    const auto pick = static_cast<peer_id>(1 + rng.below(size));
    const std::uint64_t a = rng.below(100);
    const peer_id l = c.leader();
    if (a < 40) {
      if (l) (void)c.propose(l, "s" + std::to_string(seed) + "-" + std::to_string(proposed++));
    } else if (a < 46) {
      c.isolate(pick);
    } else if (a < 54) {
      c.blocked.clear();
    } else if (a < 58) {
      if (!c.down.count(pick) && c.down.size() < (size - 1) / 2) c.crash(pick);
    } else if (a < 66) {
      if (c.down.count(pick)) c.restart(pick);
    } else if (a < 70) {
      if (!c.down.count(pick)) {
        const index_t at = c.st(pick).applied;
        c.n(pick).compact(at, test::encode_sm(c.sm[pick], at));
      }
    } else if (a < 76) {
      if (l) {
        chk.read_floor[next_read] = chk.max_commit(c);
        c.n(l).read_index(next_read++);
      }
    } else if (a < 78) {
      if (l && !c.down.count(pick)) c.n(l).transfer_leadership(pick);
    }
    c.tick(base::millis(10));
    chk.check(c);
  }
  // Heal everything: one leader, everyone converges.
  c.chaos = {};
  c.blocked.clear();
  for (peer_id id = 1; id <= size; ++id) {
    if (c.down.count(id)) c.restart(id);
  }
  c.run_for(base::seconds(2));
  chk.check(c);
  const peer_id l = c.leader();
  REQUIRE(l != 0);
  REQUIRE(c.leader_count() == 1);
  REQUIRE(c.propose(l, "final").ok());
  c.run_for(base::millis(500));
  chk.check(c);
  for (peer_id id = 1; id <= size; ++id) {
    INFO("node " << id);
    REQUIRE(c.sm[id] == c.sm[l]);
    REQUIRE(c.sm[id].back().second == "final");
  }
  REQUIRE(chk.leaders.size() > 1);
  std::size_t snaps = 0;
  for (const auto& m : c.trace) snaps += m.type == msg_type::install_snapshot;
  return stats{chk.reads_checked, snaps, chk.leaders.size(), chk.applied.size(), static_cast<std::size_t>(proposed)};
}

}  // namespace

TEST_CASE("randomised: safety under loss, reordering, partitions and restarts", "[raft][random]") {
  stats total;
  // RAFT_SEEDS=n runs more seeds; RAFT_MUT=1..4 turns a mutation on (to see what these runs catch).
  const std::uint64_t seeds = getenv("RAFT_SEEDS") ? std::stoull(getenv("RAFT_SEEDS")) : 12;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    INFO("seed " << seed);
    const stats s = random_run(seed % 2 ? 3 : 5, seed);
    total.reads += s.reads;
    total.snapshots += s.snapshots;
    total.terms_with_leader += s.terms_with_leader;
    total.entries += s.entries;
    total.proposed += s.proposed;
  }
  // The runs exercise what they claim to.
  CAPTURE(total.reads, total.snapshots, total.terms_with_leader, total.entries);
  REQUIRE(total.reads > 20);
  REQUIRE(total.snapshots > 5);
  REQUIRE(total.terms_with_leader > 24);
  REQUIRE(total.proposed > 600);
  WARN("reads " << total.reads << " snapshots " << total.snapshots << " leaders " << total.terms_with_leader
                << " entries " << total.entries);
}
