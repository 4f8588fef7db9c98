// One contract, every backend: memory_store and lmdb_store must behave alike.
#include <catch2/catch.hpp>

#include "core/store/record_codec.h"
#include "tests/unit/store/store_fixtures.h"

using namespace natrium;
using namespace natrium::store;
using natrium::test::lmdb_fixture;
using natrium::test::memory_fixture;

namespace {

const stream_id s1{1};
const stream_id s2{2};

op_append msg(stream_id st, std::uint64_t seq, std::string subject, std::string payload = "p",
              std::string headers = "") {
  return op_append{st, stored_msg{seq, static_cast<std::int64_t>(1000 * seq), std::move(subject),
                                  std::move(headers), std::move(payload)}};
}

void must_apply(store::store& s, store_batch b) {
  auto r = s.apply(b);
  INFO((r.ok() ? std::string() : r.err().text));
  REQUIRE(r.ok());
}

std::uint64_t removed_by(store::store& s, store_op op) {
  store_batch b;
  b.ops.push_back(std::move(op));
  auto r = s.apply(b);
  INFO((r.ok() ? std::string() : r.err().text));
  REQUIRE(r.ok());
  return r.value().removed.at(0);
}

// seq i (1..n) on subjects cycling over `subjects`.
void fill(store::store& s, stream_id st, std::uint64_t n, std::vector<std::string> subjects) {
  store_batch b;
  for (std::uint64_t i = 1; i <= n; ++i) b.ops.push_back(msg(st, i, subjects[(i - 1) % subjects.size()]));
  must_apply(s, std::move(b));
}

std::uint64_t seq_of(const base::result<std::optional<stored_msg>>& r) {
  REQUIRE(r.ok());
  return r.value() ? r.value()->seq : 0;
}

}  // namespace

TEMPLATE_TEST_CASE("store: append, load and state", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  auto st0 = f.s().state(s1);
  REQUIRE(st0.ok());
  CHECK(st0.value() == stream_state{});
  store_batch b;
  b.ops.push_back(msg(s1, 1, "foo", "hello", "NATS/1.0\r\nA: b\r\n\r\n"));
  b.ops.push_back(msg(s1, 2, "bar", "world"));
  b.ops.push_back(msg(s2, 1, "foo", "other"));
  must_apply(f.s(), std::move(b));
  auto m = f.s().load(s1, 1);
  REQUIRE(m.ok());
  REQUIRE(m.value().has_value());
  CHECK(m.value()->subject == "foo");
  CHECK(m.value()->payload == "hello");
  CHECK(m.value()->headers == "NATS/1.0\r\nA: b\r\n\r\n");
  CHECK(m.value()->timestamp_ns == 1000);
  CHECK_FALSE(f.s().load(s1, 3).value().has_value());
  CHECK_FALSE(f.s().load(stream_id{9}, 1).value().has_value());
  const stream_state st = f.s().state(s1).value();
  CHECK(st.msgs == 2);
  CHECK(st.first_seq == 1);
  CHECK(st.last_seq == 2);
  CHECK(st.first_ts_ns == 1000);
  CHECK(st.last_ts_ns == 2000);
  CHECK(st.num_subjects == 2);
  CHECK(st.num_deleted == 0);
  CHECK(st.bytes == stored_size(3, 18, 5) + stored_size(3, 0, 5));
  CHECK(f.s().state(s2).value().msgs == 1);
  CHECK(f.s().streams().value() == std::vector<stream_id>{s1, s2});
}

TEMPLATE_TEST_CASE("store: append out of sequence fails", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  store_batch b;
  b.ops.push_back(msg(s1, 2, "foo"));
  CHECK_FALSE(f.s().apply(b).ok());
  b.ops = {msg(s1, 1, "")};
  CHECK_FALSE(f.s().apply(b).ok());
  CHECK(f.s().state(s1).value() == stream_state{});
}

TEMPLATE_TEST_CASE("store: last by subject and next matching", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 10, {"a.x", "a.y", "b.x", "a.x.z"});
  // 1 a.x, 2 a.y, 3 b.x, 4 a.x.z, 5 a.x, 6 a.y, 7 b.x, 8 a.x.z, 9 a.x, 10 a.y
  CHECK(seq_of(f.s().load_last(s1, "a.x")) == 9);
  CHECK(seq_of(f.s().load_last(s1, "b.x")) == 7);
  CHECK(seq_of(f.s().load_last(s1, "*.x")) == 9);
  CHECK(seq_of(f.s().load_last(s1, "a.>")) == 10);
  CHECK(seq_of(f.s().load_last(s1, "a.x.>")) == 8);
  CHECK(seq_of(f.s().load_last(s1, ">")) == 10);
  CHECK(seq_of(f.s().load_last(s1, "")) == 10);
  CHECK(seq_of(f.s().load_last(s1, "c")) == 0);
  CHECK(seq_of(f.s().load_last(s1, "c.*")) == 0);
  CHECK(seq_of(f.s().load_next(s1, "a.y", 3)) == 6);
  CHECK(seq_of(f.s().load_next(s1, "a.y", 6)) == 6);
  CHECK(seq_of(f.s().load_next(s1, "*.x", 4)) == 5);
  CHECK(seq_of(f.s().load_next(s1, "b.>", 8)) == 0);
  CHECK(seq_of(f.s().load_next(s1, ">", 0)) == 1);
  CHECK(seq_of(f.s().load_next(s1, "", 10)) == 10);
  CHECK(seq_of(f.s().load_next(s1, "", 11)) == 0);
  CHECK(f.s().last_seq_for_subject(s1, "a.x").value() == 9);
  CHECK(f.s().last_seq_for_subject(s1, "a").value() == 0);
  CHECK(f.s().subjects_filter(s1, "a.*").value() == subject_counts{{"a.x", 3}, {"a.y", 3}});
  CHECK(f.s().subjects_filter(s1, ">").value().size() == 4);
  CHECK(f.s().subjects_filter(s1, "a.x.z").value() == subject_counts{{"a.x.z", 2}});
  CHECK(f.s().subjects_filter(s2, ">").value().empty());
}

TEMPLATE_TEST_CASE("store: delete and erase", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 5, {"a", "b"});
  CHECK(removed_by(f.s(), op_delete{s1, 3, false}) == 1);
  CHECK(removed_by(f.s(), op_delete{s1, 3, false}) == 0);
  CHECK(removed_by(f.s(), op_delete{s1, 1, true}) == 1);
  CHECK(removed_by(f.s(), op_delete{stream_id{7}, 1, false}) == 0);
  const stream_state st = f.s().state(s1).value();
  CHECK(st.msgs == 3);
  CHECK(st.first_seq == 2);
  CHECK(st.first_ts_ns == 2000);
  CHECK(st.last_seq == 5);
  CHECK(st.num_deleted == 1);
  CHECK(st.num_subjects == 2);
  CHECK_FALSE(f.s().load(s1, 1).value().has_value());
  CHECK(f.s().subjects_filter(s1, "a").value() == subject_counts{{"a", 1}});
  CHECK(removed_by(f.s(), op_delete{s1, 5, false}) == 1);  // last "a"
  CHECK(f.s().state(s1).value().num_subjects == 1);
  CHECK(removed_by(f.s(), op_delete{s1, 2, false}) == 1);
  CHECK(removed_by(f.s(), op_delete{s1, 4, false}) == 1);
  const stream_state empty = f.s().state(s1).value();
  CHECK(empty.msgs == 0);
  CHECK(empty.first_seq == 6);
  CHECK(empty.last_seq == 5);
  CHECK(empty.first_ts_ns == 0);
  CHECK(empty.num_subjects == 0);
  CHECK(empty.bytes == 0);
  store_batch b;
  b.ops.push_back(msg(s1, 6, "c"));
  must_apply(f.s(), std::move(b));
  CHECK(f.s().state(s1).value().first_seq == 6);
}

TEMPLATE_TEST_CASE("store: purge forms (ADR-10)", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 20, {"a", "b.1", "b.2", "c"});  // a: 1,5,9,13,17  b.1: 2,6,.. b.2: 3,7,..
  SECTION("all") {
    CHECK(removed_by(f.s(), op_purge{s1, "", 0, 0}) == 20);
    const stream_state st = f.s().state(s1).value();
    CHECK(st.msgs == 0);
    CHECK(st.first_seq == 21);
    CHECK(st.last_seq == 20);
    CHECK(st.bytes == 0);
  }
  SECTION("subject") {
    CHECK(removed_by(f.s(), op_purge{s1, "a", 0, 0}) == 5);
    CHECK(f.s().state(s1).value().first_seq == 2);
    CHECK(f.s().state(s1).value().num_subjects == 3);
  }
  SECTION("wildcard subject") {
    CHECK(removed_by(f.s(), op_purge{s1, "b.*", 0, 0}) == 10);
    CHECK(f.s().state(s1).value().msgs == 10);
    CHECK(f.s().subjects_filter(s1, ">").value() == subject_counts{{"a", 5}, {"c", 5}});
  }
  SECTION("subject up to seq") {
    CHECK(removed_by(f.s(), op_purge{s1, "a", 10, 0}) == 3);
    CHECK(seq_of(f.s().load_next(s1, "a", 0)) == 13);
  }
  SECTION("subject keep") {
    CHECK(removed_by(f.s(), op_purge{s1, "b.>", 0, 3}) == 7);
    CHECK(f.s().subjects_filter(s1, "b.>").value() == subject_counts{{"b.1", 1}, {"b.2", 2}});
    CHECK(removed_by(f.s(), op_purge{s1, "b.>", 0, 5}) == 0);
  }
  SECTION("all up to seq is compact") {
    CHECK(removed_by(f.s(), op_purge{s1, ">", 8, 0}) == 7);
    CHECK(f.s().state(s1).value().first_seq == 8);
  }
  SECTION("all keep") {
    CHECK(removed_by(f.s(), op_purge{s1, "", 0, 4}) == 16);
    CHECK(f.s().state(s1).value().first_seq == 17);
    CHECK(removed_by(f.s(), op_purge{s1, "", 0, 4}) == 0);
  }
  SECTION("seq and keep together fail") {
    store_batch b;
    b.ops.push_back(op_purge{s1, "a", 5, 1});
    CHECK_FALSE(f.s().apply(b).ok());
    CHECK(f.s().state(s1).value().msgs == 20);
  }
  SECTION("missing stream") {
    CHECK(removed_by(f.s(), op_purge{s2, "a", 0, 0}) == 0);
    CHECK(removed_by(f.s(), op_purge{s2, "", 0, 0}) == 0);
    CHECK(f.s().streams().value() == std::vector<stream_id>{s1});
  }
}

TEMPLATE_TEST_CASE("store: compact", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 10, {"a", "b"});
  CHECK(removed_by(f.s(), op_delete{s1, 5, false}) == 1);
  SECTION("middle, onto a deleted seq") {
    CHECK(removed_by(f.s(), op_compact{s1, 5}) == 4);
    CHECK(f.s().state(s1).value().first_seq == 6);
    CHECK(f.s().state(s1).value().msgs == 5);
  }
  SECTION("past the end") {
    CHECK(removed_by(f.s(), op_compact{s1, 100}) == 9);
    const stream_state st = f.s().state(s1).value();
    CHECK(st.first_seq == 100);
    CHECK(st.last_seq == 99);
    store_batch b;
    b.ops.push_back(msg(s1, 100, "a"));
    must_apply(f.s(), std::move(b));
    CHECK(f.s().state(s1).value().first_seq == 100);
  }
  SECTION("zero purges") {
    CHECK(removed_by(f.s(), op_compact{s1, 0}) == 9);
    CHECK(f.s().state(s1).value().first_seq == 11);
  }
  SECTION("new stream starts at seq") {
    CHECK(removed_by(f.s(), op_compact{s2, 50}) == 0);
    CHECK(f.s().state(s2).value().first_seq == 50);
    CHECK(f.s().state(s2).value().last_seq == 49);
  }
}

TEMPLATE_TEST_CASE("store: consumer state round trip", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  consumer_state c;
  c.delivered_consumer_seq = 12;
  c.delivered_stream_seq = 40;
  c.ack_floor_consumer_seq = 9;
  c.ack_floor_stream_seq = 33;
  c.pending = {{35, pending_entry{10, 111}}, {39, pending_entry{11, -5}}};
  c.redelivered = {{35, 2}};
  must_apply(f.s(), store_batch{{op_save_consumer{s1, "dur", c}, op_save_consumer{s1, "other", {}}}});
  CHECK(f.s().load_consumer(s1, "dur").value() == std::optional<consumer_state>(c));
  CHECK(f.s().load_consumer(s1, "other").value() == std::optional<consumer_state>(consumer_state{}));
  CHECK_FALSE(f.s().load_consumer(s1, "nope").value().has_value());
  f.reopen();
  CHECK(f.s().load_consumer(s1, "dur").value() == std::optional<consumer_state>(c));
  must_apply(f.s(), store_batch{{op_delete_consumer{s1, "dur"}}});
  CHECK_FALSE(f.s().load_consumer(s1, "dur").value().has_value());
  store_batch bad{{op_save_consumer{s1, "", c}}};
  CHECK_FALSE(f.s().apply(bad).ok());
}

TEMPLATE_TEST_CASE("store: delete stream", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 5, {"a"});
  fill(f.s(), s2, 3, {"a"});
  must_apply(f.s(), store_batch{{op_save_consumer{s1, "c", {}}}});
  CHECK(removed_by(f.s(), op_delete_stream{s1}) == 5);
  CHECK(f.s().state(s1).value() == stream_state{});
  CHECK_FALSE(f.s().load_consumer(s1, "c").value().has_value());
  CHECK(f.s().streams().value() == std::vector<stream_id>{s2});
  CHECK(f.s().state(s2).value().msgs == 3);
  fill(f.s(), s1, 2, {"x"});  // starts again at 1
  CHECK(f.s().state(s1).value().msgs == 2);
}

TEMPLATE_TEST_CASE("store: a failing op rolls back the whole batch", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 5, {"a", "b"});
  consumer_state c;
  c.delivered_stream_seq = 3;
  must_apply(f.s(), store_batch{{op_save_consumer{s1, "c", c}}});
  const stream_state before = f.s().state(s1).value();
  consumer_state c2;
  c2.delivered_stream_seq = 99;
  store_batch b;
  b.ops.push_back(msg(s1, 6, "a"));
  b.ops.push_back(op_delete{s1, 2, true});
  b.ops.push_back(op_purge{s1, "a", 0, 0});
  b.ops.push_back(op_save_consumer{s1, "c", c2});
  b.ops.push_back(op_save_consumer{s1, "new", c2});
  b.ops.push_back(msg(s2, 1, "z"));
  b.ops.push_back(op_delete_stream{s1});
  b.ops.push_back(msg(s1, 1, "again"));
  b.ops.push_back(msg(s1, 7, "gap"));  // fails: s1 was recreated, next seq is 2
  auto r = f.s().apply(b);
  CHECK_FALSE(r.ok());
  CHECK(f.s().state(s1).value() == before);
  CHECK(f.s().state(s2).value() == stream_state{});
  CHECK(f.s().load_consumer(s1, "c").value() == std::optional<consumer_state>(c));
  CHECK_FALSE(f.s().load_consumer(s1, "new").value().has_value());
  CHECK(f.s().load(s1, 2).value()->subject == "b");
  CHECK(f.s().subjects_filter(s1, ">").value() == subject_counts{{"a", 3}, {"b", 2}});
  CHECK(f.s().streams().value() == std::vector<stream_id>{s1});
  f.reopen();
  CHECK(f.s().state(s1).value() == before);
}

TEMPLATE_TEST_CASE("store: a corrupted record is an error, never served", "[store]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 5, {"a", "b"});
  REQUIRE(f.corrupt(s1, 3));
  CHECK_FALSE(f.corrupt(s1, 99));
  CHECK_FALSE(f.s().load(s1, 3).ok());
  CHECK(f.s().load(s1, 2).ok());
  CHECK(seq_of(f.s().load_last(s1, "a.>")) == 0);  // no match: nothing read
  CHECK_FALSE(f.s().load_next(s1, "a", 2).ok());            // 3 is the next "a"
  CHECK_FALSE(f.s().load_next(s1, ">", 3).ok());
  CHECK(seq_of(f.s().load_next(s1, "b", 3)) == 4);
  CHECK(seq_of(f.s().load_last(s1, "a")) == 5);
  // The bad record can still be deleted (repair path).
  CHECK(removed_by(f.s(), op_delete{s1, 3, false}) == 1);
  CHECK(seq_of(f.s().load_next(s1, "a", 2)) == 5);
}

// ---- catalog -------------------------------------------------------------

namespace {
catalog_entries catalog_of(store::store& s, std::string_view prefix) {
  auto r = s.catalog(prefix);
  INFO((r.ok() ? std::string() : r.err().text));
  REQUIRE(r.ok());
  return r.value();
}
}  // namespace

TEMPLATE_TEST_CASE("store: catalog put, list by prefix, delete", "[store][catalog]", memory_fixture, lmdb_fixture) {
  TestType f;
  CHECK(catalog_of(f.s(), "").empty());
  const std::string binary("v\0\xff\x01", 4);
  must_apply(f.s(), store_batch{{op_put_catalog{"streams/ORDERS", R"({"name":"ORDERS"})"},
                                 op_put_catalog{"consumers/ORDERS/d1", "{}"},
                                 op_put_catalog{"streams/A", ""},
                                 op_put_catalog{"streams/ORDERS2", binary},
                                 op_put_catalog{std::string("streams/\xff", 9), "high"},
                                 op_put_catalog{"streamsX", "x"}}});
  const catalog_entries streams = {{"streams/A", ""},
                                   {"streams/ORDERS", R"({"name":"ORDERS"})"},
                                   {"streams/ORDERS2", binary},
                                   {std::string("streams/\xff", 9), "high"}};
  CHECK(catalog_of(f.s(), "streams/") == streams);  // bytewise: 0xFF sorts last
  CHECK(catalog_of(f.s(), "streams/ORDERS") == catalog_entries{{"streams/ORDERS", R"({"name":"ORDERS"})"},
                                                               {"streams/ORDERS2", binary}});
  CHECK(catalog_of(f.s(), "consumers/").size() == 1);
  CHECK(catalog_of(f.s(), "").size() == 6);
  CHECK(catalog_of(f.s(), "").front().first == "consumers/ORDERS/d1");
  CHECK(catalog_of(f.s(), "zzz").empty());
  CHECK(catalog_of(f.s(), "streams/ORDERS/longer").empty());
  CHECK(catalog_of(f.s(), std::string(600, 's')).empty());  // longer than any key
  // Put replaces; delete reports whether it removed an entry.
  must_apply(f.s(), store_batch{{op_put_catalog{"streams/A", "v2"}}});
  CHECK(catalog_of(f.s(), "streams/A") == catalog_entries{{"streams/A", "v2"}});
  CHECK(removed_by(f.s(), op_delete_catalog{"streams/A"}) == 1);
  CHECK(removed_by(f.s(), op_delete_catalog{"streams/A"}) == 0);
  CHECK(removed_by(f.s(), op_delete_catalog{"never"}) == 0);
  CHECK(removed_by(f.s(), op_delete_catalog{""}) == 0);
  CHECK(catalog_of(f.s(), "streams/").size() == 3);
  f.reopen();
  CHECK(catalog_of(f.s(), "streams/ORDERS2") == catalog_entries{{"streams/ORDERS2", binary}});
  CHECK(catalog_of(f.s(), "").size() == 5);
  CHECK(f.s().streams().value().empty());  // the catalog is not a stream
}

TEMPLATE_TEST_CASE("store: catalog key limits fail the batch", "[store][catalog]", memory_fixture, lmdb_fixture) {
  TestType f;
  const std::uint64_t max = store_limits{}.catalog_key_len_max;
  CHECK(max == native::lmdb_store::key_text_len_max);
  store_batch b{{op_put_catalog{"ok", "1"}, op_put_catalog{std::string(max + 1, 'k'), "v"}}};
  CHECK_FALSE(f.s().apply(b).ok());
  b.ops = {op_put_catalog{"ok", "1"}, op_put_catalog{"", "v"}};
  CHECK_FALSE(f.s().apply(b).ok());
  CHECK(catalog_of(f.s(), "").empty());
  CHECK(removed_by(f.s(), op_delete_catalog{std::string(max + 1, 'k')}) == 0);
  must_apply(f.s(), store_batch{{op_put_catalog{std::string(max, 'k'), std::string(100000, 'v')}}});
  f.reopen();
  const auto all = catalog_of(f.s(), "k");
  REQUIRE(all.size() == 1);
  CHECK(all[0].first.size() == max);
  CHECK(all[0].second == std::string(100000, 'v'));
}

TEMPLATE_TEST_CASE("store: catalog is independent of streams and atomic with the batch", "[store][catalog]",
                   memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 3, {"a"});
  must_apply(f.s(), store_batch{{op_put_catalog{"streams/S1", "cfg1"}, op_put_catalog{"consumers/S1/c", "cc"}}});
  CHECK(removed_by(f.s(), op_delete_stream{s1}) == 3);
  CHECK(catalog_of(f.s(), "").size() == 2);  // op_delete_stream leaves the catalog alone
  store_batch b{{op_put_catalog{"streams/S1", "cfg2"}, op_delete_catalog{"consumers/S1/c"},
                 op_put_catalog{"streams/S2", "new"}, msg(s1, 5, "gap")}};  // fails: next seq is 1
  CHECK_FALSE(f.s().apply(b).ok());
  CHECK(catalog_of(f.s(), "") == catalog_entries{{"consumers/S1/c", "cc"}, {"streams/S1", "cfg1"}});
  b.ops.back() = msg(s1, 1, "ok");
  auto r = f.s().apply(b);
  REQUIRE(r.ok());
  CHECK(r.value().removed == std::vector<std::uint64_t>{0, 1, 0, 0});
  f.reopen();
  CHECK(catalog_of(f.s(), "") == catalog_entries{{"streams/S1", "cfg2"}, {"streams/S2", "new"}});
}

TEMPLATE_TEST_CASE("store: a corrupted catalog record is an error", "[store][catalog]", memory_fixture,
                   lmdb_fixture) {
  TestType f;
  must_apply(f.s(), store_batch{{op_put_catalog{"a", "1"}, op_put_catalog{"b", "2"}}});
  REQUIRE(f.corrupt_catalog("b"));
  CHECK_FALSE(f.corrupt_catalog("zz"));
  CHECK(catalog_of(f.s(), "a") == catalog_entries{{"a", "1"}});
  CHECK_FALSE(f.s().catalog("").ok());
  CHECK_FALSE(f.s().catalog("b").ok());
  must_apply(f.s(), store_batch{{op_put_catalog{"b", "fixed"}}});  // repair by overwriting
  CHECK(catalog_of(f.s(), "b") == catalog_entries{{"b", "fixed"}});
}

// ---- scan ----------------------------------------------------------------

namespace {
struct scanned {
  std::uint64_t seq;
  std::int64_t ts;
  std::uint64_t size;
  std::string subject;
  bool operator==(const scanned&) const = default;
};
std::vector<scanned> scan_all(store::store& s, stream_id st, std::uint64_t from, std::size_t stop_after = SIZE_MAX) {
  std::vector<scanned> out;
  auto r = s.scan(st, from, [&](const msg_meta_view& m) {
    out.push_back(scanned{m.seq, m.timestamp_ns, m.size, std::string(m.subject)});
    return out.size() < stop_after;
  });
  INFO((r.ok() ? std::string() : r.err().text));
  REQUIRE(r.ok());
  CHECK(r.value() == (out.size() < stop_after));
  return out;
}
std::vector<std::uint64_t> seqs_of(const std::vector<scanned>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& m : v) out.push_back(m.seq);
  return out;
}
}  // namespace

TEMPLATE_TEST_CASE("store: scan visits metadata in seq order", "[store][scan]", memory_fixture, lmdb_fixture) {
  TestType f;
  CHECK(scan_all(f.s(), s1, 0).empty());  // unknown stream: nothing, reached the end
  store_batch b;
  for (std::uint64_t i = 1; i <= 10; ++i)
    b.ops.push_back(
        msg(s1, i, "sub." + std::to_string(i % 3), std::string(i * 10, 'p'), i % 2 ? "NATS/1.0\r\n\r\n" : ""));
  b.ops.push_back(msg(s2, 1, "other"));
  must_apply(f.s(), std::move(b));
  must_apply(f.s(), store_batch{{op_delete{s1, 1, false}, op_delete{s1, 4, true}, op_delete{s1, 10, false}}});
  const auto all = scan_all(f.s(), s1, 0);
  CHECK(seqs_of(all) == std::vector<std::uint64_t>{2, 3, 5, 6, 7, 8, 9});
  std::uint64_t bytes = 0;
  for (const auto& m : all) {
    const stored_msg full = f.s().load(s1, m.seq).value().value();
    CHECK(m.ts == full.timestamp_ns);
    CHECK(m.subject == full.subject);
    CHECK(m.size == stored_size(full.subject.size(), full.headers.size(), full.payload.size()));
    bytes += m.size;
  }
  CHECK(bytes == f.s().state(s1).value().bytes);
  CHECK(seqs_of(scan_all(f.s(), s1, 4)) == std::vector<std::uint64_t>{5, 6, 7, 8, 9});  // from a deleted seq
  CHECK(seqs_of(scan_all(f.s(), s1, 9)) == std::vector<std::uint64_t>{9});
  CHECK(scan_all(f.s(), s1, 10).empty());
  CHECK(scan_all(f.s(), s1, UINT64_MAX).empty());
  CHECK(seqs_of(scan_all(f.s(), s1, 3, 2)) == std::vector<std::uint64_t>{3, 5});  // stopped: false
  CHECK(seqs_of(scan_all(f.s(), s2, 0)) == std::vector<std::uint64_t>{1});
  f.reopen();
  CHECK(scan_all(f.s(), s1, 0) == all);
}

TEMPLATE_TEST_CASE("store: a scan callback may read the store", "[store][scan]", memory_fixture, lmdb_fixture) {
  TestType f;
  fill(f.s(), s1, 5, {"a", "b"});
  std::vector<std::string> payloads;
  auto r = f.s().scan(s1, 2, [&](const msg_meta_view& m) {
    auto full = f.s().load(s1, m.seq);
    REQUIRE(full.ok());
    REQUIRE(full.value().has_value());
    payloads.push_back(full.value()->payload + std::string(m.subject));
    CHECK(f.s().state(s1).value().msgs == 5);
    return true;
  });
  REQUIRE(r.ok());
  CHECK(payloads == std::vector<std::string>{"pb", "pa", "pb", "pa"});
  CHECK(f.s().load(s1, 1).ok());  // the shared read state is released afterwards
  CHECK(scan_all(f.s(), s1, 0).size() == 5);
}

TEMPLATE_TEST_CASE("store: scan checksums records up to scan_verify_len_max", "[store][scan]", memory_fixture,
                   lmdb_fixture) {
  TestType f;
  const std::string big(scan_verify_len_max, 'B');  // record > scan_verify_len_max
  store_batch b{{msg(s1, 1, "a"), msg(s1, 2, "a"), msg(s1, 3, "a"), msg(s1, 4, "big", big), msg(s1, 5, "a")}};
  must_apply(f.s(), std::move(b));
  REQUIRE(f.corrupt(s1, 2));
  REQUIRE(f.corrupt(s1, 4));  // the payload's last byte
  std::vector<std::uint64_t> seen, bad;
  auto r = f.s().scan(s1, 0, [&](const msg_meta_view& m) {
    (m.corrupt ? bad : seen).push_back(m.seq);
    return true;
  });
  REQUIRE(r.ok());
  CHECK(seen == std::vector<std::uint64_t>{1, 3, 4, 5});  // 2 is reported corrupt, the scan goes on
  CHECK(bad == std::vector<std::uint64_t>{2});
  CHECK_FALSE(f.s().load(s1, 2).ok());
  // Large records are checked for structure only; loading one still fails.
  CHECK_FALSE(f.s().load(s1, 4).ok());
}

TEST_CASE("lmdb: reopen restores everything", "[store][lmdb]") {
  lmdb_fixture f;
  fill(f.s(), s1, 50, {"a.1", "a.2", "b"});
  must_apply(f.s(), store_batch{{op_delete{s1, 10, false}, op_purge{s1, "b", 0, 2}, op_save_consumer{s1, "d", {}}}});
  const stream_state before = f.s().state(s1).value();
  const auto subjects = f.s().subjects_filter(s1, ">").value();
  f.reopen();
  CHECK(f.s().state(s1).value() == before);
  CHECK(f.s().subjects_filter(s1, ">").value() == subjects);
  CHECK(seq_of(f.s().load_last(s1, "a.*")) == 50);
  CHECK(f.s().load_consumer(s1, "d").value().has_value());
  fill(f.s(), s2, 1, {"x"});
  CHECK(f.s().streams().value() == std::vector<stream_id>{s1, s2});
}

TEST_CASE("lmdb: the map grows on MDB_MAP_FULL", "[store][lmdb]") {
  lmdb_fixture f(1u << 20);  // 1 MiB
  store_batch b;
  for (std::uint64_t i = 1; i <= 400; ++i) b.ops.push_back(msg(s1, i, "big", std::string(8000, 'x')));
  must_apply(f.s(), std::move(b));
  CHECK(f.s_->map_size_bytes() > (1u << 20));
  CHECK(f.s().state(s1).value().msgs == 400);
  f.reopen();
  CHECK(f.s().state(s1).value().msgs == 400);
  CHECK(f.s().load(s1, 400).value()->payload.size() == 8000);
}

TEST_CASE("lmdb: a record corrupted in the file is detected after reopen", "[store][lmdb]") {
  lmdb_fixture f;
  store_batch b;
  b.ops.push_back(msg(s1, 1, "a", "first"));
  b.ops.push_back(msg(s1, 2, "a", "CORRUPT-ME-0123456789"));
  must_apply(f.s(), std::move(b));
  f.s_.reset();
  const std::string file = f.dir_.path() + "/data.mdb";
  std::string bytes;
  {
    FILE* fp = std::fopen(file.c_str(), "rb");
    REQUIRE(fp != nullptr);
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, fp)) > 0;) bytes.append(buf, n);
    std::fclose(fp);
  }
  const auto at = bytes.find("CORRUPT-ME-0123456789");
  REQUIRE(at != std::string::npos);
  {
    FILE* fp = std::fopen(file.c_str(), "r+b");
    REQUIRE(fp != nullptr);
    std::fseek(fp, static_cast<long>(at + 3), SEEK_SET);
    std::fputc('X', fp);
    std::fclose(fp);
  }
  f.open();
  CHECK(f.s().load(s1, 1).ok());
  auto bad = f.s().load(s1, 2);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().text.find("checksum") != std::string::npos);
}

TEST_CASE("lmdb: long subjects fail the batch, not the store", "[store][lmdb]") {
  lmdb_fixture f;
  store_batch b;
  b.ops.push_back(msg(s1, 1, std::string(native::lmdb_store::key_text_len_max + 1, 'a')));
  CHECK_FALSE(f.s().apply(b).ok());
  b.ops = {msg(s1, 1, std::string(native::lmdb_store::key_text_len_max, 'a'))};
  CHECK(f.s().apply(b).ok());
}

TEST_CASE("memory_store: bytes limit fails the batch and keeps accounting", "[store][memory]") {
  store_limits limits;
  limits.bytes_max = 100;  // each message below is stored_size(1, 0, 1) = 18 bytes
  memory_store s(limits);
  store_batch b;
  for (std::uint64_t i = 1; i <= 6; ++i) b.ops.push_back(msg(s1, i, "a"));
  CHECK_FALSE(s.apply(b).ok());
  CHECK(s.total_bytes() == 0);
  b.ops.resize(5);
  must_apply(s, b);
  CHECK(s.total_bytes() == 90);
  CHECK(removed_by(s, op_purge{s1, "", 0, 0}) == 5);
  CHECK(s.total_bytes() == 0);
}
