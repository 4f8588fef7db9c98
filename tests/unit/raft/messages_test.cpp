#include <catch2/catch.hpp>

#include "core/raft/messages.h"

using namespace natrium::raft;

TEST_CASE("crc32c matches the Castagnoli check value", "[raft][messages]") {
  const char* s = "123456789";
  REQUIRE(crc32c(0, s, 9) == 0xE3069283u);
  // Continuation: two halves give the same CRC as the whole.
  REQUIRE(crc32c(crc32c(0, s, 4), s + 4, 5) == 0xE3069283u);
  REQUIRE(crc32c(0, "", 0) == 0u);
}

TEST_CASE("seal and valid detect any changed field", "[raft][messages]") {
  entry e{3, 7, entry_type::normal, "hello", 0};
  e.seal();
  REQUIRE(e.valid());
  entry bad = e;
  bad.data[0] = 'j';
  REQUIRE_FALSE(bad.valid());
  bad = e;
  bad.term = 4;
  REQUIRE_FALSE(bad.valid());
  bad = e;
  bad.type = entry_type::empty;
  REQUIRE_FALSE(bad.valid());

  hard_state h{5, 2, 9, 0};
  h.seal();
  REQUIRE(h.valid());
  h.vote = 3;
  REQUIRE_FALSE(h.valid());

  snapshot s{10, 2, membership{{1, 2, 3}}, "image", 0};
  s.seal();
  REQUIRE(s.valid());
  s.members.voters.push_back(4);
  REQUIRE_FALSE(s.valid());

  message m;
  m.type = msg_type::append;
  m.from = 1;
  m.to = 2;
  m.term = 3;
  m.entries.push_back(e);
  m.snap = snapshot{1, 1, {}, "x", 0};
  m.seal();
  REQUIRE(m.valid());
  message m2 = m;
  m2.entries[0].data = "jello";
  REQUIRE_FALSE(m2.valid());
  m2 = m;
  m2.snap->data = "y";
  REQUIRE_FALSE(m2.valid());
  m2 = m;
  m2.context = 9;
  REQUIRE_FALSE(m2.valid());
  m2 = m;
  m2.reject = true;
  REQUIRE_FALSE(m2.valid());
}

TEST_CASE("config change codecs round-trip and refuse garbage", "[raft][messages]") {
  config_change c{change_type::remove_voter, 42};
  auto enc = encode_config_change(c);
  REQUIRE(enc.size() == 9);
  REQUIRE(decode_config_change(enc) == c);
  REQUIRE_FALSE(decode_config_change(enc + "x"));
  enc[0] = 7;
  REQUIRE_FALSE(decode_config_change(enc));

  config_entry_data d{{change_type::add_voter, 4}, membership{{1, 2, 3, 4}}};
  const auto data = encode_config_entry(d);
  REQUIRE(decode_config_entry(data) == d);
  REQUIRE_FALSE(decode_config_entry(data.substr(0, data.size() - 1)));
  REQUIRE_FALSE(decode_config_entry(""));
  // Unsorted voters are refused.
  auto swapped = data;
  std::swap_ranges(swapped.begin() + 13, swapped.begin() + 21, swapped.begin() + 21);
  REQUIRE_FALSE(decode_config_entry(swapped));
}

TEST_CASE("membership quorum and contains", "[raft][messages]") {
  membership m{{1, 3, 5}};
  REQUIRE(m.contains(3));
  REQUIRE_FALSE(m.contains(2));
  REQUIRE(m.quorum() == 2);
  REQUIRE(membership{{1, 2, 3, 4}}.quorum() == 3);
  REQUIRE(membership{{1}}.quorum() == 1);
}
