// Read-index, membership changes, leadership transfer, proposal limits.
#include <catch2/catch.hpp>

#include "tests/unit/raft/raft_harness.h"

using namespace natrium;
using namespace natrium::raft;
using natrium::raft::test::cluster;

TEST_CASE("read-index: the leader confirms leadership, then answers at its commit", "[raft][read]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  REQUIRE(c.propose(1, "a").ok());
  c.stabilize();
  const index_t commit = c.st(1).commit;
  c.trace.clear();
  c.n(1).read_index(42);
  c.process(1);
  REQUIRE(c.reads[1].empty());  // not before a heartbeat round
  bool ctx_sent = false;
  for (const auto& m : c.trace) ctx_sent |= m.type == msg_type::heartbeat && m.context != 0;
  REQUIRE(ctx_sent);
  c.stabilize();
  REQUIRE(c.reads[1].size() == 1);
  REQUIRE(c.reads[1][0].request == 42);
  REQUIRE(c.reads[1][0].index == commit);
}

TEST_CASE("read-index: an isolated leader never answers; followers drop reads", "[raft][read]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.n(2).read_index(7);
  REQUIRE(c.st(2).dropped_reads == 1);
  c.isolate(1);
  c.n(1).read_index(8);
  c.run_for(base::millis(150));
  REQUIRE(c.reads[1].empty());
  REQUIRE(c.st(1).r == role::follower);  // check-quorum
  REQUIRE(c.st(1).dropped_reads == 1);   // dropped with the leadership
}

TEST_CASE("read-index: a new leader defers reads until it commits an entry of its term", "[raft][read]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  // Node 2 takes over (by transfer), but its first appends are lost.
  c.drop = [](const message& m) { return m.from == 2 && m.type == msg_type::append; };
  c.n(1).transfer_leadership(2);
  c.stabilize();
  REQUIRE(c.leader() == 2);
  const index_t old_commit = c.st(2).commit;
  c.n(2).read_index(5);
  c.stabilize();
  REQUIRE(c.reads[2].empty());  // its empty entry is not committed yet
  c.heal();
  c.run_for(base::millis(100));
  REQUIRE(c.reads[2].size() == 1);
  REQUIRE(c.reads[2][0].request == 5);
  REQUIRE(c.reads[2][0].index > old_commit);
}

TEST_CASE("read-index: pending reads are limited", "[raft][read][limits]") {
  cluster c(3, [](config& cfg) { cfg.lim.pending_reads_max = 4; });
  REQUIRE(c.elect(1) == 1);
  c.isolate(1);
  for (std::uint64_t i = 1; i <= 6; ++i) c.n(1).read_index(i);
  REQUIRE(c.st(1).dropped_reads == 2);
}

TEST_CASE("membership: add a voter, one change at a time", "[raft][membership]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  for (int i = 0; i < 5; ++i) REQUIRE(c.propose(1, "m" + std::to_string(i)).ok());
  c.stabilize();
  c.start(4, {});  // a new node: no membership, empty log
  REQUIRE(c.st(4).members.voters.empty());
  auto r = c.n(1).propose_change({change_type::add_voter, 4});
  REQUIRE(r.ok());
  REQUIRE(c.st(1).members.voters == std::vector<peer_id>{1, 2, 3, 4});  // effective when appended
  auto again = c.n(1).propose_change({change_type::add_voter, 5});
  REQUIRE_FALSE(again.ok());
  REQUIRE(again.err().text == describe(propose_error::change_in_progress));
  c.run_for(base::millis(200));
  for (peer_id id = 1; id <= 4; ++id) REQUIRE(c.st(id).members.voters == std::vector<peer_id>{1, 2, 3, 4});
  REQUIRE(c.sm[4] == c.sm[1]);
  REQUIRE(c.st(4).commit == c.st(1).commit);
  // The next change is accepted once the first committed.
  REQUIRE(c.n(1).propose_change({change_type::remove_voter, 2}).ok());
  c.run_for(base::millis(200));
  REQUIRE(c.st(3).members.voters == std::vector<peer_id>{1, 3, 4});
  // Invalid changes.
  auto bad = c.n(1).propose_change({change_type::remove_voter, 9});
  REQUIRE(bad.err().text == describe(propose_error::invalid_change));
  bad = c.n(1).propose_change({change_type::add_voter, 3});
  REQUIRE(bad.err().text == describe(propose_error::invalid_change));
  // Commits go on with the new quorum (2 of {1,3,4}) even with 3 down.
  c.crash(3);
  REQUIRE(c.propose(1, "after").ok());
  c.run_for(base::millis(100));
  REQUIRE(c.sm[4].back().second == "after");
}

TEST_CASE("membership: a new voter gets a snapshot when the log was compacted", "[raft][membership][snapshot]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  for (int i = 0; i < 5; ++i) REQUIRE(c.propose(1, "s" + std::to_string(i)).ok());
  c.stabilize();
  c.n(1).compact(4, test::encode_sm(c.sm[1], 4));
  c.start(4, {});
  REQUIRE(c.n(1).propose_change({change_type::add_voter, 4}).ok());
  c.run_for(base::millis(300));
  REQUIRE(c.disks[4].snap);
  REQUIRE(c.st(4).members.voters == std::vector<peer_id>{1, 2, 3, 4});
  REQUIRE(c.sm[4] == c.sm[1]);
}

TEST_CASE("membership: removing the leader, it steps down after the change commits", "[raft][membership]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.stabilize();
  REQUIRE(c.n(1).propose_change({change_type::remove_voter, 1}).ok());
  REQUIRE(c.st(1).r == role::leader);  // still leading while the change is uncommitted
  c.stabilize();
  REQUIRE(c.st(1).r == role::follower);
  const term_t t1 = c.st(1).term;
  c.run_for(base::seconds(1));
  const peer_id l = c.leader();
  REQUIRE((l == 2 || l == 3));
  REQUIRE(c.st(l).members.voters == std::vector<peer_id>{2, 3});
  // The removed node never campaigns.
  REQUIRE(c.st(1).r == role::follower);
  REQUIRE(c.st(1).term == t1);
  REQUIRE(c.propose(l, "without 1").ok());
  c.run_for(base::millis(100));
  REQUIRE(c.sm[2].back().second == "without 1");
  REQUIRE(c.sm[3].back().second == "without 1");
}

TEST_CASE("leadership transfer: the target catches up and takes over", "[raft][transfer]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.drop = [](const message& m) { return m.to == 3 && m.type == msg_type::append; };
  for (int i = 0; i < 3; ++i) REQUIRE(c.propose(1, "t").ok());
  c.stabilize();
  c.heal();
  REQUIRE(c.st(3).last_index < c.st(1).last_index);
  c.n(1).transfer_leadership(3);
  auto r = c.n(1).propose("refused");
  REQUIRE(r.err().text == describe(propose_error::transferring));
  c.stabilize();
  REQUIRE(c.leader() == 3);
  REQUIRE(c.st(1).r == role::follower);
  REQUIRE(c.st(3).term == c.st(1).term);
  bool timeout_now = false;
  for (const auto& m : c.trace) timeout_now |= m.type == msg_type::timeout_now && m.to == 3;
  REQUIRE(timeout_now);
}

TEST_CASE("leadership transfer aborts after an election timeout", "[raft][transfer]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.drop = [](const message& m) { return m.type == msg_type::timeout_now; };
  c.n(1).transfer_leadership(2);
  c.stabilize();
  REQUIRE(c.st(1).transferee == 2);
  REQUIRE_FALSE(c.n(1).propose("x").ok());
  c.run_for(base::millis(120));
  REQUIRE(c.leader() == 1);
  REQUIRE(c.st(1).transferee == 0);
  REQUIRE(c.propose(1, "x").ok());
}

TEST_CASE("proposal limits: entry size and uncommitted bytes", "[raft][limits]") {
  cluster c(3, [](config& cfg) {
    cfg.lim.entry_bytes_max = 100;
    cfg.lim.uncommitted_bytes_max = 250;
  });
  REQUIRE(c.elect(1) == 1);
  auto big = c.n(1).propose(std::string(101, 'x'));
  REQUIRE(big.err().text == describe(propose_error::too_large));
  REQUIRE(c.n(1).propose(std::string(100, 'x')).ok());
  c.isolate(1);
  REQUIRE(c.propose(1, std::string(100, 'y')).ok());
  REQUIRE(c.propose(1, std::string(50, 'z')).ok());
  auto full = c.n(1).propose(std::string(1, 'w'));
  REQUIRE(full.err().text == describe(propose_error::too_many_uncommitted));
  c.heal();
  c.stabilize();
  c.run_for(base::millis(50));
  REQUIRE(c.propose(1, std::string(100, 'v')).ok());  // committed bytes were released
}

TEST_CASE("membership: a node removed by an uncommitted entry still campaigns until the removal commits",
          "[raft][membership]") {
  // Raft thesis §4.2.2: without this, nodes holding different uncommitted
  // removals could leave no node able to win (simulator seeds 337992, 364919).
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.stabilize();
  c.isolate(1);
  REQUIRE(c.n(1).propose_change({change_type::remove_voter, 1}).ok());
  REQUIRE(c.st(1).members.voters == std::vector<peer_id>{2, 3});
  bool campaigned = false;
  for (int i = 0; i < 300 && !campaigned; ++i) {
    c.tick(base::millis(10));
    campaigned = c.st(1).r == role::pre_candidate || c.st(1).r == role::candidate;
  }
  REQUIRE(campaigned);
  // Once the cluster agrees again (the removal committed, or overwritten by
  // the other side's leader), one leader, the same membership everywhere.
  c.heal();
  c.run_for(base::seconds(2));
  REQUIRE(c.leader_count() == 1);
  const peer_id l = c.leader();
  for (peer_id id = 1; id <= 3; ++id) REQUIRE(c.st(id).members == c.st(l).members);
  if (!c.st(l).members.contains(1)) {
    // Removed for good: it no longer campaigns.
    const term_t t = c.st(1).term;
    c.run_for(base::seconds(1));
    REQUIRE(c.st(1).r == role::follower);
    REQUIRE(c.st(1).term == t);
  }
}
