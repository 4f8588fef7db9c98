// Figure 8 of the Raft paper: an entry of an earlier term stored on a
// majority is not committed by counting replicas; only an entry of the
// leader's own term commits it. With the mutation commit_earlier_term_by_count
// the leader commits it, and a later leader overwrites the "committed" entry.
#include <catch2/catch.hpp>

#include "tests/unit/raft/raft_harness.h"

using namespace natrium;
using namespace natrium::raft;
using natrium::raft::test::cluster;

namespace {

struct figure8_result {
  index_t commit_s1 = 0;          // S1's commit once index 2 (term 1) is on a majority
  bool s1_applied_x = false;
  bool others_applied_x = false;
  std::string index2_final;       // what S5's log holds at index 2 in the end
  bool diverged = false;          // S1 applied something at index 2 that the final leader does not have
};

figure8_result run_figure8(bool bug) {
  cluster c(5, [bug](config& cfg) {
    cfg.pre_vote = false;
    cfg.check_quorum = false;
    cfg.election_timeout = base::seconds(100);  // elections only when the test asks
    cfg.lim.append_bytes_max = 1;               // one entry per append
    cfg.bugs.commit_earlier_term_by_count = bug;
  });
  // (a) S1 leads term 1; its empty entry (index 1) is everywhere.
  REQUIRE(c.elect(1) == 1);
  REQUIRE(c.st(1).term == 1);
  // S1 appends x at index 2; only S2 gets it.
  c.drop = [](const message& m) { return m.type == msg_type::append && m.from == 1 && m.to != 2; };
  REQUIRE(c.propose(1, "x").ok());
  c.stabilize();
  REQUIRE(c.st(2).last_index == 2);
  REQUIRE(c.st(3).last_index == 1);
  // (b) S5 wins term 2 with S3 and S4; its entry at index 2 (term 2) reaches nobody.
  c.isolate(1);
  c.drop = [](const message& m) { return m.type == msg_type::append && m.from == 5; };
  REQUIRE(c.elect(5) == 5);
  REQUIRE(c.st(5).term == 2);
  REQUIRE(c.st(5).last_index == 2);
  // (c) S5 is cut off; S1 restarts and wins term 3 (its first try in term 2 fails).
  c.heal();
  c.crash(1);
  c.restart(1);
  c.isolate(5);
  // The new leader's own entries (term 3) reach nobody that holds x already;
  // S3 and S4 first reject the probe, then receive x alone (one entry per append).
  c.drop = [&c](const message& m) {
    if (m.type != msg_type::append || m.from != 1) return false;
    for (const auto& e : m.entries) {
      if (e.term == 3 && c.st(m.to).last_index >= 2) return true;
    }
    return false;
  };
  c.n(1).campaign();
  c.stabilize();
  if (c.leader() != 1) {
    c.n(1).campaign();
    c.stabilize();
  }
  REQUIRE(c.leader() == 1);
  REQUIRE(c.st(1).term == 3);
  // x (index 2, term 1) is now on S1, S2, S3, S4: a majority.
  for (peer_id id : {2, 3, 4}) REQUIRE(c.st(id).last_index == 2);
  figure8_result out;
  out.commit_s1 = c.st(1).commit;
  out.s1_applied_x = !c.sm[1].empty() && c.sm[1].back().second == "x";
  // (d) S1 crashes; S5 wins term 4 with S2, S3, S4 (its last term 2 > 1) and
  // overwrites index 2 everywhere.
  c.heal();
  c.crash(1);
  c.n(5).campaign();
  c.stabilize();
  if (c.leader() != 5) {
    c.n(5).campaign();
    c.stabilize();
  }
  REQUIRE(c.leader() == 5);
  for (const auto& e : c.disks[5].log) {
    if (e.index == 2) out.index2_final = e.type == entry_type::empty ? "empty" : e.data;
  }
  for (peer_id id : {2, 3, 4, 5}) {
    for (const auto& [i, d] : c.sm[id]) {
      if (d == "x") out.others_applied_x = true;
    }
  }
  out.diverged = out.s1_applied_x && out.index2_final != "x";
  return out;
}

}  // namespace

TEST_CASE("Figure 8: an earlier term's entry on a majority is not committed by counting", "[raft][safety]") {
  const figure8_result r = run_figure8(false);
  REQUIRE(r.commit_s1 == 1);
  REQUIRE_FALSE(r.s1_applied_x);
  REQUIRE(r.index2_final == "empty");  // S5's term-2 entry replaced x: allowed, x was never committed
  REQUIRE_FALSE(r.others_applied_x);
  REQUIRE_FALSE(r.diverged);
}

TEST_CASE("mutation commit_earlier_term_by_count: Figure 8's committed entry is lost", "[raft][safety][mutation]") {
  const figure8_result r = run_figure8(true);
  REQUIRE(r.commit_s1 == 2);
  REQUIRE(r.s1_applied_x);
  REQUIRE(r.index2_final == "empty");
  REQUIRE(r.diverged);  // S1 applied x at index 2, the cluster went on without it
}
