// Elections: one leader, pre-vote, check-quorum, stickiness, votes per term.
#include <catch2/catch.hpp>

#include "tests/unit/raft/raft_harness.h"

using namespace natrium;
using namespace natrium::raft;
using natrium::raft::test::cluster;

TEST_CASE("3 and 5 nodes elect exactly one leader that everyone follows", "[raft][election]") {
  for (std::size_t size : {3u, 5u}) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      cluster c(size, [seed](config& cfg) { cfg.seed = seed; });
      c.run_for(base::seconds(1));
      REQUIRE(c.leader_count() == 1);
      const peer_id l = c.leader();
      const term_t t = c.st(l).term;
      for (peer_id id = 1; id <= size; ++id) {
        INFO("size " << size << " seed " << seed << " node " << id);
        REQUIRE(c.st(id).leader == l);
        REQUIRE(c.st(id).term == t);
        REQUIRE(c.st(id).commit >= 1);  // the leader's empty entry committed
      }
    }
  }
}

TEST_CASE("a single-node cluster elects itself", "[raft][election]") {
  cluster c(1);
  c.run_for(base::millis(300));
  REQUIRE(c.leader() == 1);
  REQUIRE(c.st(1).commit == 1);
}

TEST_CASE("election timeouts are randomised in [t, 2t)", "[raft][election]") {
  cluster c(3);
  std::set<std::int64_t> seen;
  for (peer_id id = 1; id <= 3; ++id) {
    const auto d = c.n(id).next_deadline() - c.now;
    REQUIRE(d >= base::millis(100));
    REQUIRE(d < base::millis(200));
    seen.insert(d.ns);
  }
  REQUIRE(seen.size() > 1);
}

TEST_CASE("pre-vote: a partitioned node does not raise its term nor disrupt the leader", "[raft][election][prevote]") {
  cluster c(3);
  c.run_for(base::seconds(1));
  const peer_id l = c.leader();
  const peer_id lonely = l == 3 ? 1 : 3;
  const term_t t = c.st(l).term;
  c.isolate(lonely);
  c.run_for(base::seconds(2));
  REQUIRE(c.st(lonely).term == t);  // pre-votes failed, no term bump
  REQUIRE(c.st(lonely).r == role::pre_candidate);
  c.heal();
  c.run_for(base::seconds(1));
  REQUIRE(c.leader() == l);
  REQUIRE(c.st(l).term == t);
  REQUIRE(c.st(lonely).leader == l);
}

TEST_CASE("without pre-vote the same partition disrupts the leader", "[raft][election][prevote]") {
  cluster c(3, [](config& cfg) {
    cfg.pre_vote = false;
    cfg.check_quorum = false;
  });
  c.run_for(base::seconds(1));
  const peer_id l = c.leader();
  const peer_id lonely = l == 3 ? 1 : 3;
  const term_t t = c.st(l).term;
  c.isolate(lonely);
  c.run_for(base::seconds(2));
  REQUIRE(c.st(lonely).term > t + 3);
  c.heal();
  c.run_for(base::seconds(1));
  REQUIRE(c.leader_count() == 1);
  REQUIRE(c.st(c.leader()).term > t + 3);  // the old leader was deposed
}

TEST_CASE("check-quorum: an isolated leader steps down", "[raft][election][checkquorum]") {
  cluster c(3);
  c.run_for(base::seconds(1));
  const peer_id l = c.leader();
  c.isolate(l);
  c.run_for(base::millis(250));  // more than an election timeout (+ a check period)
  REQUIRE(c.st(l).r == role::follower);
  c.run_for(base::seconds(1));
  const peer_id l2 = c.leader();
  REQUIRE(l2 != 0);
  REQUIRE(l2 != l);
}

TEST_CASE("without check-quorum an isolated leader stays leader", "[raft][election][checkquorum]") {
  cluster c(3, [](config& cfg) { cfg.check_quorum = false; });
  c.run_for(base::seconds(1));
  const peer_id l = c.leader();
  c.isolate(l);
  c.run_for(base::seconds(1));
  REQUIRE(c.st(l).r == role::leader);
}

TEST_CASE("stickiness: a follower that hears from a leader ignores a higher-term vote request", "[raft][election]") {
  cluster c(3);
  c.run_for(base::seconds(1));
  const peer_id l = c.leader();
  const peer_id f = l == 1 ? 2 : 1;
  const peer_id other = 6 - l - f;
  const term_t t = c.st(f).term;
  message m;
  m.type = msg_type::vote;
  m.from = other;
  m.to = f;
  m.term = t + 5;
  m.index = 100;
  m.log_term = t + 5;
  m.seal();
  c.n(f).step(m);
  REQUIRE(c.st(f).term == t);
  REQUIRE_FALSE(c.n(f).has_ready());
  // The same request marked as a leadership transfer is considered.
  m.context = vote_context_transfer;
  m.seal();
  c.n(f).step(m);
  REQUIRE(c.st(f).term == t + 5);
  REQUIRE(c.st(f).vote == other);
}

namespace {

message vote_req(peer_id from, peer_id to, term_t t, index_t last, term_t last_term) {
  message m;
  m.type = msg_type::vote;
  m.from = from;
  m.to = to;
  m.term = t;
  m.index = last;
  m.log_term = last_term;
  m.seal();
  return m;
}

bool granted(node& nd, peer_id to) {
  const ready r = nd.take_ready();
  bool yes = false;
  for (const auto& m : r.messages) {
    if (m.to == to && m.type == msg_type::vote_response) yes = !m.reject;
  }
  nd.advance_ready(r);
  return yes;
}

config solo_cfg(bool two_votes) {
  config c;
  c.id = 1;
  c.initial_voters = {1, 2, 3};
  c.bugs.grant_two_votes_per_term = two_votes;
  return c;
}

}  // namespace

TEST_CASE("a node grants at most one vote per term, also across a restart", "[raft][election][vote]") {
  base::mono_time t0{0};
  node a(solo_cfg(false), {}, t0);
  a.step(vote_req(2, 1, 5, 0, 0));
  REQUIRE(a.has_ready());
  ready r = a.take_ready();
  REQUIRE(r.hard);
  REQUIRE(r.hard->vote == 2);
  REQUIRE(r.hard->term == 5);
  REQUIRE(r.messages.size() == 1);
  REQUIRE_FALSE(r.messages[0].reject);
  const hard_state persisted = *r.hard;
  a.advance_ready(r);
  a.step(vote_req(3, 1, 5, 0, 0));
  REQUIRE_FALSE(granted(a, 3));
  a.step(vote_req(2, 1, 5, 0, 0));
  REQUIRE(granted(a, 2));  // the same candidate asking again: same answer

  // Restart from the persisted hard state: still voted for 2 in term 5.
  restored_state disk;
  disk.hard = persisted;
  node b(solo_cfg(false), disk, t0);
  REQUIRE(b.state().vote == 2);
  b.step(vote_req(3, 1, 5, 0, 0));
  REQUIRE_FALSE(granted(b, 3));
  b.step(vote_req(3, 1, 6, 0, 0));
  REQUIRE(granted(b, 3));  // a new term, a new vote
}

TEST_CASE("mutation grant_two_votes_per_term: the node votes twice in one term", "[raft][mutation]") {
  node a(solo_cfg(true), {}, base::mono_time{0});
  a.step(vote_req(2, 1, 5, 0, 0));
  REQUIRE(granted(a, 2));
  a.step(vote_req(3, 1, 5, 0, 0));
  REQUIRE(granted(a, 3));
}

TEST_CASE("votes need an up-to-date log; mutation skip_log_up_to_date_check grants anyway", "[raft][election][mutation]") {
  for (bool bug : {false, true}) {
    config cfg = solo_cfg(false);
    cfg.bugs.skip_log_up_to_date_check = bug;
    restored_state disk;
    for (index_t i = 1; i <= 3; ++i) {
      entry e{2, i, entry_type::normal, "x", 0};
      e.seal();
      disk.log.push_back(e);
    }
    hard_state h{2, 0, 0, 0};
    h.seal();
    disk.hard = h;
    node a(cfg, disk, base::mono_time{0});
    a.step(vote_req(2, 1, 3, 2, 2));  // shorter log, same last term
    REQUIRE(granted(a, 2) == bug);
    a.step(vote_req(3, 1, 4, 1, 3));  // higher last term wins even if shorter
    REQUIRE(granted(a, 3));
  }
}

TEST_CASE("a node outside the membership does not campaign", "[raft][election]") {
  config cfg;
  cfg.id = 9;
  cfg.initial_voters = {1, 2, 3};
  node a(cfg, {}, base::mono_time{0});
  a.advance(base::mono_time{base::seconds(10).ns});
  a.campaign();
  REQUIRE(a.state().r == role::follower);
  REQUIRE(a.state().term == 0);
  REQUIRE_FALSE(a.has_ready());
}
