// Startup time, metadata scan and append throughput of lmdb_store. Timings are
// printed, never asserted. The full-size runs are hidden ([.bench]); run them
// (in a release build) with
//   store_bench_test "[bench]"      (1,000,000-message startup, scan, throughput)
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "core/store/record_codec.h"
#include "tests/unit/store/store_fixtures.h"

using namespace natrium;
using namespace natrium::store;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void fill_stream(store::store& s, std::uint64_t n, std::uint64_t per_batch, std::size_t payload) {
  for (std::uint64_t next = 1; next <= n;) {
    store_batch b;
    b.ops.reserve(per_batch);
    for (std::uint64_t i = 0; i < per_batch && next <= n; ++i, ++next)
      b.ops.push_back(op_append{stream_id{1}, stored_msg{next, static_cast<std::int64_t>(next),
                                                         "bench." + std::to_string(next % 100), "",
                                                         std::string(payload, 'p')}});
    auto r = s.apply(b);
    REQUIRE(r.ok());
  }
}

void startup_check(std::uint64_t n) {
  test::lmdb_fixture f;
  const auto t_fill = std::chrono::steady_clock::now();
  fill_stream(f.s(), n, 10000, 128);
  const double fill_s = seconds_since(t_fill);
  f.s_.reset();
  const auto t0 = std::chrono::steady_clock::now();
  f.open();
  auto st = f.s().state(stream_id{1});
  const double open_s = seconds_since(t0);
  REQUIRE(st.ok());
  CHECK(st.value().msgs == n);
  CHECK(st.value().num_subjects == 100);
  std::printf("lmdb startup: %llu msgs (filled in %.2f s), open + state() = %.3f ms, map %llu MiB\n",
              static_cast<unsigned long long>(n), fill_s, open_s * 1e3,
              static_cast<unsigned long long>(f.s_->map_size_bytes() >> 20));
  const auto t1 = std::chrono::steady_clock::now();
  auto last = f.s().load_last(stream_id{1}, "bench.7");
  CHECK(last.value()->seq == n - n % 100 + 7 - (n % 100 < 7 ? 100 : 0));
  std::printf("lmdb: first load_last after reopen = %.3f ms\n", seconds_since(t1) * 1e3);
  const auto t2 = std::chrono::steady_clock::now();
  auto next = f.s().load_next(stream_id{1}, "bench.*", n / 2);
  CHECK(next.value()->seq == n / 2);
  std::printf("lmdb: wildcard load_next = %.3f ms\n", seconds_since(t2) * 1e3);
  const auto t3 = std::chrono::steady_clock::now();
  auto purged = f.s().apply(store_batch{{op_purge{stream_id{1}, "", 0, 0}}});
  REQUIRE(purged.ok());
  CHECK(purged.value().removed.at(0) == n);
  std::printf("lmdb: purge of the whole stream (one txn) = %.3f s\n", seconds_since(t3));
}

// Rebuild-at-startup cost: reopen, then scan every message's metadata.
void scan_check(std::uint64_t n) {
  test::lmdb_fixture f;
  fill_stream(f.s(), n, 10000, 128);
  f.reopen();
  const stream_state st = f.s().state(stream_id{1}).value();
  for (int run = 0; run < 3; ++run) {
    std::uint64_t count = 0, bytes = 0, prev = 0;
    bool ordered = true;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = f.s().scan(stream_id{1}, 0, [&](const msg_meta_view& m) {
      ordered = ordered && m.seq > prev;
      prev = m.seq;
      ++count;
      bytes += m.size;
      return true;
    });
    const double scan_s = seconds_since(t0);
    REQUIRE(r.ok());
    CHECK(r.value());
    CHECK(ordered);
    CHECK(count == n);
    CHECK(bytes == st.bytes);
    std::printf("lmdb scan #%d: %llu msgs of 128 B in %.3f s (%.0f ns/msg)\n", run + 1,
                static_cast<unsigned long long>(count), scan_s, scan_s * 1e9 / static_cast<double>(n));
  }
  // The checksum's share: the same records' CRC32C, hardware path and table path.
  const std::string rec = encode_message(stored_msg{1, 1, "bench.42", "", std::string(128, 'p')});
  std::uint32_t sink = 0;
  const auto t1 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < n; ++i) sink += crc32c(std::string_view(rec).substr(record_header_len + (i & 1)));
  const double hw_s = seconds_since(t1);
  const auto t2 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < n; ++i)
    sink += crc32c_portable(std::string_view(rec).substr(record_header_len + (i & 1)));
  const double table_s = seconds_since(t2);
  std::printf("crc32c of %llu x %zu B records: crc32c() %.3f s, table-only %.3f s (sink %08x)\n",
              static_cast<unsigned long long>(n), rec.size() - record_header_len, hw_s, table_s, sink);
}

}  // namespace

TEST_CASE("lmdb scan: metadata of every message (small)", "[store][lmdb]") { scan_check(20000); }

TEST_CASE("lmdb scan: 1,000,000 messages", "[.bench]") { scan_check(1000000); }

TEST_CASE("lmdb startup: open + state does not replay (small)", "[store][lmdb]") { startup_check(20000); }

TEST_CASE("lmdb startup: 1,000,000 messages", "[.bench]") { startup_check(1000000); }

TEST_CASE("lmdb throughput: 128 B payloads, 256 per durable commit", "[.bench]") {
  test::lmdb_fixture f;
  const std::uint64_t n = 256 * 400;
  const auto t0 = std::chrono::steady_clock::now();
  fill_stream(f.s(), n, 256, 128);
  const double s = seconds_since(t0);
  std::printf("lmdb append: %llu msgs in %.2f s = %.0f msgs/s (%.0f commits/s)\n",
              static_cast<unsigned long long>(n), s, static_cast<double>(n) / s, 400.0 / s);
}
