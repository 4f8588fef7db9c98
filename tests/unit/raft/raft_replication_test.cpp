// Replication: commit, conflicts, durability, batching and flow control,
// snapshots to lagging followers, determinism.
#include <catch2/catch.hpp>

#include "tests/unit/raft/raft_harness.h"

using namespace natrium;
using namespace natrium::raft;
using natrium::raft::test::cluster;

namespace {

bool same_sm(cluster& c, peer_id a, peer_id b) { return c.sm[a] == c.sm[b]; }

}  // namespace

TEST_CASE("entries replicate, commit and apply in order everywhere", "[raft][replication]") {
  for (std::size_t size : {3u, 5u}) {
    cluster c(size);
    REQUIRE(c.elect(1) == 1);
    for (int i = 0; i < 10; ++i) REQUIRE(c.propose(1, "v" + std::to_string(i)).ok());
    c.stabilize();
    c.run_for(base::millis(100));  // heartbeats carry the final commit
    REQUIRE(c.sm[1].size() == 10);
    for (peer_id id = 2; id <= size; ++id) {
      REQUIRE(same_sm(c, 1, id));
      REQUIRE(c.st(id).commit == c.st(1).commit);
      REQUIRE(c.st(id).applied == c.st(1).commit);
    }
    REQUIRE(c.sm[1][0].second == "v0");
    REQUIRE(c.sm[1][9].second == "v9");
  }
}

TEST_CASE("propose on a follower fails with not_leader", "[raft][replication]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  auto r = c.n(2).propose("x");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.err().text == describe(propose_error::not_leader));
}

TEST_CASE("a follower with a conflicting log is repaired by the new leader", "[raft][replication]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  REQUIRE(c.propose(1, "a").ok());
  c.stabilize();
  c.isolate(1);
  for (int i = 0; i < 5; ++i) REQUIRE(c.propose(1, "lost" + std::to_string(i)).ok());  // only on node 1
  c.stabilize();
  const index_t old_last = c.st(1).last_index;
  c.run_for(base::millis(400));  // 2 and 3 elect a new leader
  const peer_id l = c.leader();
  REQUIRE((l == 2 || l == 3));
  REQUIRE(c.propose(l, "b").ok());
  REQUIRE(c.propose(l, "c").ok());
  c.stabilize();
  c.heal();
  c.run_for(base::millis(300));
  REQUIRE(c.leader() == l);
  REQUIRE(c.st(1).r == role::follower);
  REQUIRE(c.st(1).last_index == c.st(l).last_index);
  REQUIRE(c.st(1).last_index < old_last + 2);
  REQUIRE(c.disks[1].log == c.disks[l].log);  // same entries, byte for byte
  REQUIRE(same_sm(c, 1, 2));
  REQUIRE(same_sm(c, 1, 3));
  for (const auto& [i, d] : c.sm[1]) REQUIRE(d.rfind("lost", 0) == std::string::npos);
}

TEST_CASE("fast backtracking: a long divergent tail is skipped a term at a time", "[raft][replication]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.isolate(1);
  for (int i = 0; i < 50; ++i) REQUIRE(c.propose(1, "lost").ok());
  c.run_for(base::millis(400));
  const peer_id l = c.leader();
  REQUIRE((l == 2 || l == 3));
  for (int i = 0; i < 60; ++i) REQUIRE(c.propose(l, "kept").ok());  // a longer log of a later term
  c.stabilize();
  // A third leader starts probing node 1 at its own last index, deep in the divergent part.
  const peer_id l3 = 5 - l;
  c.n(l).transfer_leadership(l3);
  c.stabilize();
  REQUIRE(c.leader() == l3);
  c.heal();
  c.trace.clear();
  c.run_for(base::millis(200));
  std::size_t rejects = 0;
  for (const auto& m : c.trace) {
    if (m.type == msg_type::append_response && m.reject && m.from == 1) ++rejects;
  }
  REQUIRE(rejects >= 1);
  REQUIRE(rejects <= 3);
  REQUIRE(c.st(1).last_index == c.st(l3).last_index);
}

TEST_CASE("a leader counts its own entry only once it is durable", "[raft][replication][durability]") {
  for (bool bug : {false, true}) {
    config cfg;
    cfg.id = 1;
    cfg.initial_voters = {1};
    cfg.bugs.ack_before_durable = bug;
    node a(cfg, {}, base::mono_time{0});
    a.campaign();
    ready r = a.take_ready();
    a.advance_ready(r);
    REQUIRE(a.state().r == role::leader);
    REQUIRE(a.state().commit == 1);
    auto idx = a.propose("x");
    REQUIRE(idx.ok());
    // Not durable yet: the commit must wait (the mutation commits at once).
    REQUIRE(a.state().commit == (bug ? *idx : *idx - 1));
    r = a.take_ready();
    REQUIRE(r.entries.size() == 1);
    bool has = false;
    for (const auto& e : r.committed) has |= e.index == *idx;
    REQUIRE(has == bug);
    a.advance_ready(r);
    REQUIRE(a.state().commit == *idx);
  }
}

TEST_CASE("messages of a ready depend only on what that ready persists", "[raft][replication][durability]") {
  // An append response always follows the entries it acknowledges in the same or an earlier ready.
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  config cfg = c.cfg_for(2, {1, 2, 3});
  (void)cfg;
  REQUIRE(c.propose(1, "x").ok());
  // Deliver the append to node 2 by hand and look at its ready.
  c.process(1);
  message app;
  bool found = false;
  while (!c.net.empty()) {
    message m = c.net.front();
    c.net.pop_front();
    if (m.to == 2 && m.type == msg_type::append && !m.entries.empty()) {
      app = m;
      found = true;
    }
  }
  REQUIRE(found);
  c.n(2).step(app);
  ready r = c.n(2).take_ready();
  REQUIRE(r.entries.size() == app.entries.size());
  REQUIRE(r.messages.size() == 1);
  REQUIRE(r.messages[0].index == app.entries.back().index);
  c.n(2).advance_ready(r);
}

TEST_CASE("appends are batched by append_bytes_max and bounded by inflight_appends_max", "[raft][replication][limits]") {
  cluster c(3, [](config& cfg) {
    cfg.lim.append_bytes_max = 3 * (entry_overhead_bytes + 10);
    cfg.lim.inflight_appends_max = 2;
  });
  REQUIRE(c.elect(1) == 1);
  c.run_for(base::millis(50));
  // Node 2's answers are lost: the leader may have at most 2 appends in flight to it.
  c.drop = [](const message& m) { return m.from == 2 && m.type == msg_type::append_response; };
  c.trace.clear();
  for (int i = 0; i < 30; ++i) REQUIRE(c.propose(1, std::string(10, 'a' + i % 26)).ok());
  c.stabilize();
  std::size_t to2 = 0;
  for (const auto& m : c.trace) {
    if (m.type != msg_type::append || m.entries.empty()) continue;
    std::size_t bytes = 0;
    for (const auto& e : m.entries) bytes += entry_bytes(e);
    REQUIRE(m.entries.size() <= 3);
    REQUIRE(bytes <= 3 * (entry_overhead_bytes + 10));
    if (m.to == 2) ++to2;
  }
  REQUIRE(to2 == 2);
  REQUIRE(c.st(1).commit == 31);  // node 3 alone makes the quorum
  c.heal();
  c.run_for(base::millis(200));  // heartbeat answers free slots: node 2 catches up
  REQUIRE(c.st(2).commit == 31);
  REQUIRE(same_sm(c, 1, 2));
}

TEST_CASE("a lagging follower gets a snapshot after compaction", "[raft][replication][snapshot]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.crash(3);
  for (int i = 0; i < 20; ++i) REQUIRE(c.propose(1, "e" + std::to_string(i)).ok());
  c.stabilize();
  const index_t applied = c.st(1).applied;
  REQUIRE(applied == 21);
  c.n(1).compact(15, test::encode_sm(c.sm[1], 15));
  REQUIRE(c.st(1).first_index == 16);
  c.restart(3);
  c.trace.clear();
  c.run_for(base::millis(200));
  std::size_t snaps = 0;
  for (const auto& m : c.trace) {
    if (m.type == msg_type::install_snapshot && m.to == 3) {
      ++snaps;
      REQUIRE(m.snap->index == 15);
      REQUIRE(m.snap->valid());
    }
  }
  REQUIRE(snaps == 1);
  const status s3 = c.st(3);
  REQUIRE(s3.first_index == 16);
  REQUIRE(s3.last_index == c.st(1).last_index);
  REQUIRE(s3.last_term == c.st(1).last_term);
  REQUIRE(s3.commit == c.st(1).commit);
  REQUIRE(s3.applied == c.st(1).commit);
  REQUIRE(c.disks[3].snap->index == 15);
  REQUIRE(same_sm(c, 1, 3));
  // Replication goes on from the snapshot.
  REQUIRE(c.propose(1, "after").ok());
  c.run_for(base::millis(100));
  REQUIRE(same_sm(c, 1, 3));
  REQUIRE(c.sm[3].back().second == "after");
}

TEST_CASE("a node restarts from its persisted log and keeps its commit", "[raft][replication]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  for (int i = 0; i < 5; ++i) REQUIRE(c.propose(1, "r" + std::to_string(i)).ok());
  c.run_for(base::millis(100));
  const status before = c.st(2);
  c.crash(2);
  c.restart(2);
  const status after = c.st(2);
  REQUIRE(after.term == before.term);
  REQUIRE(after.last_index == before.last_index);
  REQUIRE(after.commit == before.commit);
  REQUIRE(after.applied == before.applied);
  REQUIRE_FALSE(after.repairing);
  c.run_for(base::millis(300));
  REQUIRE(c.leader() == 1);
}

TEST_CASE("determinism: the same seed gives the same message sequence", "[raft][determinism]") {
  auto run = [](std::uint64_t seed) {
    cluster c(5, [seed](config& cfg) { cfg.seed = seed; });
    c.run_for(base::seconds(1));
    const peer_id l = c.leader();
    for (int i = 0; i < 20; ++i) (void)c.propose(l, "d" + std::to_string(i));
    c.isolate(l);
    c.run_for(base::seconds(1));
    c.heal();
    c.run_for(base::seconds(1));
    return c.trace;
  };
  const auto a = run(7);
  const auto b = run(7);
  REQUIRE(a.size() > 100);
  REQUIRE(a == b);
  const auto other = run(8);
  REQUIRE_FALSE(other == a);
}
