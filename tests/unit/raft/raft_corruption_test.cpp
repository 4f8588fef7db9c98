// Checksums: corrupted messages are dropped; corrupted persisted records are
// detected at start, and a node that lost entries refuses to vote until the
// leader has given them back.
#include <catch2/catch.hpp>

#include "tests/unit/raft/raft_harness.h"

using namespace natrium;
using namespace natrium::raft;
using natrium::raft::test::cluster;

namespace {

message request(msg_type type, peer_id from, peer_id to, term_t t, index_t last, term_t last_term) {
  message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = t;
  m.index = last;
  m.log_term = last_term;
  m.seal();
  return m;
}

// The answer (reject flag) node `nd` gives to `to`, or nullopt if none.
std::optional<bool> answer(node& nd, peer_id to) {
  if (!nd.has_ready()) return std::nullopt;
  const ready r = nd.take_ready();
  std::optional<bool> out;
  for (const auto& m : r.messages) {
    if (m.to == to) out = !m.reject;
  }
  nd.advance_ready(r);
  return out;
}

}  // namespace

TEST_CASE("step drops messages whose checksum fails, and misaddressed ones", "[raft][corruption]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  const status before = c.st(2);
  message m;
  m.type = msg_type::append;
  m.from = 1;
  m.to = 2;
  m.term = before.term + 1;
  m.index = before.last_index;
  m.log_term = before.last_term;
  entry e{before.term + 1, before.last_index + 1, entry_type::normal, "payload", 0};
  e.seal();
  m.entries.push_back(e);
  m.seal();
  message flipped = m;
  flipped.entries[0].data[3] ^= 0x20;  // bit flip in transit
  c.n(2).step(flipped);
  REQUIRE(c.st(2).corrupt_messages == 1);
  REQUIRE(c.st(2).term == before.term);
  REQUIRE(c.st(2).last_index == before.last_index);
  // Resealed outside but with a bad entry inside: still refused.
  flipped.seal();
  c.n(2).step(flipped);
  REQUIRE(c.st(2).corrupt_messages == 2);
  // Wrong recipient.
  message other = m;
  other.to = 3;
  other.seal();
  c.n(2).step(other);
  REQUIRE(c.st(2).dropped_messages == 1);
  REQUIRE(c.st(2).last_index == before.last_index);
  // The intact message is accepted.
  c.n(2).step(m);
  REQUIRE(c.st(2).last_index == before.last_index + 1);
}

TEST_CASE("a corrupted persisted entry: log cut, repairing, no vote until caught up", "[raft][corruption]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  for (int i = 0; i < 10; ++i) REQUIRE(c.propose(1, "c" + std::to_string(i)).ok());
  c.run_for(base::millis(100));
  REQUIRE(c.st(3).last_index == 11);
  c.crash(3);
  c.disks[3].log[4].data[0] ^= 1;  // index 5 rots on disk
  c.restart(3);
  status s = c.st(3);
  REQUIRE(s.corrupt_records == 1);
  REQUIRE(s.repairing);
  REQUIRE(s.last_index == 4);
  REQUIRE(s.repair_target == 11);
  REQUIRE(s.commit <= 4);
  // No vote, no pre-vote, no campaign while repairing.
  node& n3 = c.n(3);
  n3.step(request(msg_type::pre_vote, 2, 3, s.term + 1, 4, s.last_term));
  REQUIRE(answer(n3, 2) == std::optional<bool>(false));
  n3.step(request(msg_type::vote, 2, 3, s.term + 1, 4, s.last_term));
  REQUIRE(answer(n3, 2) == std::optional<bool>(false));
  n3.campaign();
  REQUIRE(c.st(3).r == role::follower);
  // The leader gives the entries back; then it votes again.
  c.net.clear();
  c.run_for(base::millis(200));
  s = c.st(3);
  REQUIRE_FALSE(s.repairing);
  REQUIRE(s.last_index == c.st(1).last_index);
  for (const auto& e : c.disks[3].log) REQUIRE(e.valid());
  REQUIRE(c.disks[3].log == c.disks[1].log);
  REQUIRE(c.sm[3].size() == 10);  // applied before the crash, not applied twice
}

TEST_CASE("a repairing node does not help elect a leader that lacks a committed entry", "[raft][corruption][safety]") {
  cluster c(3);
  REQUIRE(c.elect(1) == 1);
  c.isolate(3);
  REQUIRE(c.propose(1, "X").ok());
  c.stabilize();
  c.run_for(base::millis(50));
  REQUIRE(c.st(2).commit == 2);  // X committed by 1 and 2; 3 does not have it
  REQUIRE(c.st(3).last_index == 1);
  c.crash(1);
  c.crash(2);
  for (auto& e : c.disks[2].log) {
    if (e.data == "X") e.checksum ^= 0xFF;  // X rots on node 2
  }
  c.heal();
  c.restart(2);
  REQUIRE(c.st(2).repairing);
  REQUIRE(c.st(2).last_index == 1);
  c.run_for(base::seconds(2));
  REQUIRE(c.leader() == 0);  // 3 cannot win without 2, and 2 does not vote for it
  c.restart(1);
  c.run_for(base::seconds(2));
  REQUIRE(c.leader() != 0);
  for (peer_id id : {1, 2, 3}) {
    bool has_x = false;
    for (const auto& [i, d] : c.sm[id]) has_x |= d == "X";
    INFO("node " << id);
    REQUIRE(has_x);
  }
  REQUIRE_FALSE(c.st(2).repairing);
}

TEST_CASE("a corrupted hard state: no vote in any term up to the log's highest", "[raft][corruption]") {
  restored_state disk;
  for (index_t i = 1; i <= 3; ++i) {
    entry e{i, i, entry_type::normal, "h", 0};  // terms 1, 2, 3
    e.seal();
    disk.log.push_back(e);
  }
  hard_state h{5, 2, 3, 0};
  h.seal();
  h.vote = 9;  // rot
  disk.hard = h;
  config cfg;
  cfg.id = 1;
  cfg.initial_voters = {1, 2, 3};
  node a(cfg, disk, base::mono_time{0});
  status s = a.state();
  REQUIRE(s.corrupt_records == 1);
  REQUIRE(s.term == 3);
  REQUIRE(s.vote == 0);
  REQUIRE(s.vote_floor == 3);
  REQUIRE(s.commit == 0);
  REQUIRE(a.has_ready());  // a fresh, valid hard state is written
  ready r = a.take_ready();
  REQUIRE(r.hard);
  REQUIRE(r.hard->valid());
  a.advance_ready(r);
  a.step(request(msg_type::vote, 2, 1, 3, 3, 3));
  REQUIRE(answer(a, 2) == std::optional<bool>(false));
  a.step(request(msg_type::vote, 2, 1, 4, 3, 3));
  REQUIRE(answer(a, 2) == std::optional<bool>(true));
}

TEST_CASE("a corrupted snapshot: nothing after it is used, the node repairs from the leader", "[raft][corruption]") {
  restored_state disk;
  disk.snap = snapshot{10, 2, membership{{1, 2, 3}}, "img", 0};
  disk.snap->seal();
  disk.snap->data = "imh";
  entry e{2, 11, entry_type::normal, "after", 0};
  e.seal();
  disk.log.push_back(e);
  disk.applied = 11;
  config cfg;
  cfg.id = 1;
  cfg.initial_voters = {1, 2, 3};
  node a(cfg, disk, base::mono_time{0});
  const status s = a.state();
  REQUIRE(s.corrupt_records == 1);
  REQUIRE(s.repairing);
  REQUIRE(s.repair_target == 11);
  REQUIRE(s.last_index == 0);
  REQUIRE(s.applied == 0);
  REQUIRE(s.members.voters.empty());
  a.campaign();
  REQUIRE(a.state().r == role::follower);
}
