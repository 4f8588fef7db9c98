// The linearizability checker must accept linearizable histories and reject
// the classic violations (stale read, lost write, reads going back in time,
// a cas that lies), with and without operations of unknown outcome.
#include <catch2/catch.hpp>

#include "tests/sim/cluster/linearizability.h"

using namespace natrium::sim::cluster;

namespace {

constexpr std::int64_t ms = 1'000'000;

kv_op put(int client, std::string v, std::int64_t t0, std::optional<std::int64_t> t1) {
  kv_op o;
  o.client = client;
  o.kind = op_kind::put;
  o.key = "k";
  o.value = std::move(v);
  o.invoked_ns = t0 * ms;
  if (t1) o.returned_ns = *t1 * ms;
  return o;
}

kv_op get(int client, std::optional<std::string> read, std::int64_t t0, std::int64_t t1) {
  kv_op o;
  o.client = client;
  o.kind = op_kind::get;
  o.key = "k";
  o.read = std::move(read);
  o.invoked_ns = t0 * ms;
  o.returned_ns = t1 * ms;
  return o;
}

kv_op cas(int client, std::optional<std::string> expected, std::string v, bool swapped, std::int64_t t0,
          std::optional<std::int64_t> t1) {
  kv_op o = put(client, std::move(v), t0, t1);
  o.kind = op_kind::cas;
  o.expected = std::move(expected);
  o.swapped = swapped;
  return o;
}

}  // namespace

TEST_CASE("sequential history is linearizable", "[lin]") {
  const std::vector<kv_op> h{get(0, std::nullopt, 0, 1), put(0, "a", 2, 3), get(1, "a", 4, 5),
                             cas(1, "a", "b", true, 6, 7), get(0, "b", 8, 9), cas(0, "a", "c", false, 10, 11)};
  const lin_result r = check_linearizable(h);
  CHECK(r.ok);
  CHECK(r.ops_checked == 6);
}

TEST_CASE("concurrent operations may take effect in either order", "[lin]") {
  // put a and put b overlap; reads after both may see either, but both reads
  // after the last write must agree.
  CHECK(check_linearizable({put(0, "a", 0, 10), put(1, "b", 1, 9), get(2, "a", 11, 12), get(2, "a", 13, 14)}).ok);
  CHECK(check_linearizable({put(0, "a", 0, 10), put(1, "b", 1, 9), get(2, "b", 11, 12)}).ok);
  CHECK_FALSE(check_linearizable({put(0, "a", 0, 10), put(1, "b", 1, 9), get(2, "b", 11, 12), get(2, "a", 13, 14)}).ok);
}

TEST_CASE("a stale read is caught", "[lin]") {
  const lin_result r = check_linearizable({put(0, "a", 0, 1), put(0, "b", 2, 3), get(1, "a", 4, 5)});
  CHECK_FALSE(r.ok);
  CHECK(r.key == "k");
  CHECK(r.explanation.find("get(k)") != std::string::npos);
}

TEST_CASE("a lost acknowledged write is caught", "[lin]") {
  CHECK_FALSE(check_linearizable({put(0, "a", 0, 1), get(1, std::nullopt, 2, 3)}).ok);
}

TEST_CASE("a write of unknown outcome may or may not have happened", "[lin]") {
  CHECK(check_linearizable({put(0, "a", 0, std::nullopt), get(1, std::nullopt, 2, 3)}).ok);
  CHECK(check_linearizable({put(0, "a", 0, std::nullopt), get(1, "a", 2, 3)}).ok);
  // ... but once seen, it cannot be unseen.
  CHECK_FALSE(check_linearizable({put(0, "a", 0, std::nullopt), get(1, "a", 2, 3), get(1, std::nullopt, 4, 5)}).ok);
  // ... and it cannot take effect before it was invoked.
  CHECK_FALSE(check_linearizable({get(1, "a", 0, 1), put(0, "a", 2, std::nullopt)}).ok);
}

TEST_CASE("cas results must match the state", "[lin]") {
  CHECK_FALSE(check_linearizable({put(0, "a", 0, 1), cas(1, "a", "b", false, 2, 3)}).ok);
  CHECK_FALSE(check_linearizable({cas(1, std::nullopt, "b", true, 0, 1), cas(2, std::nullopt, "c", true, 2, 3)}).ok);
  CHECK(check_linearizable({cas(1, std::nullopt, "b", true, 0, 5), cas(2, std::nullopt, "c", false, 1, 4)}).ok);
}

TEST_CASE("keys are independent", "[lin]") {
  kv_op other = put(0, "x", 0, 1);
  other.key = "j";
  kv_op read_other = get(1, "x", 2, 3);
  read_other.key = "j";
  CHECK(check_linearizable({put(0, "a", 0, 1), other, get(1, "a", 2, 3), read_other}).ok);
}

TEST_CASE("a larger history with many concurrent clients is checked quickly", "[lin]") {
  // 6 clients, 60 rounds of overlapping puts and reads of the latest value.
  std::vector<kv_op> h;
  std::string last;
  for (int round = 0; round < 60; ++round) {
    const std::int64_t t = round * 10;
    for (int c = 0; c < 5; ++c) h.push_back(put(c, "v" + std::to_string(round) + "." + std::to_string(c), t, t + 8));
    last = "v" + std::to_string(round) + ".4";
    h.push_back(get(5, last, t + 1, t + 9));
  }
  const lin_result r = check_linearizable(h);
  CHECK(r.ok);
  CHECK(r.ops_checked == 360);
}
