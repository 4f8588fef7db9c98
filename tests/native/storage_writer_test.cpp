// The native host's JetStream plumbing: group commit (storage_writer), and the
// store directory and limits resolved as the reference does (jetstream_limits).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>
#include <string>

#include "core/store/memory_store.h"
#include "native/jetstream_limits.h"
#include "native/lmdb_store.h"
#include "native/storage_thread.h"
#include "native/storage_writer.h"
#include "tests/unit/config/temp_dir.h"

using namespace natrium;
namespace st = natrium::store;

namespace {

using natrium::test::temp_dir;

// A store whose reads go to `inner`; subclasses decide what apply() does.
class forwarding_store : public st::store {
 public:
  explicit forwarding_store(st::store& inner) : inner_(inner) {}

  base::result<std::optional<st::stored_msg>> load(st::stream_id s, std::uint64_t seq) const noexcept override {
    return inner_.load(s, seq);
  }
  base::result<std::optional<st::stored_msg>> load_last(st::stream_id s,
                                                           std::string_view f) const noexcept override {
    return inner_.load_last(s, f);
  }
  base::result<std::optional<st::stored_msg>> load_next(st::stream_id s, std::string_view f,
                                                           std::uint64_t start) const noexcept override {
    return inner_.load_next(s, f, start);
  }
  base::result<st::stream_state> state(st::stream_id s) const noexcept override { return inner_.state(s); }
  base::result<st::subject_counts> subjects_filter(st::stream_id s, std::string_view f) const noexcept override {
    return inner_.subjects_filter(s, f);
  }
  base::result<std::uint64_t> last_seq_for_subject(st::stream_id s, std::string_view subj) const noexcept override {
    return inner_.last_seq_for_subject(s, subj);
  }
  base::result<std::optional<st::consumer_state>> load_consumer(st::stream_id s,
                                                                   std::string_view n) const noexcept override {
    return inner_.load_consumer(s, n);
  }
  base::result<std::vector<st::stream_id>> streams() const noexcept override { return inner_.streams(); }
  base::result<std::vector<std::pair<std::string, std::string>>> catalog(std::string_view p) const noexcept override {
    return inner_.catalog(p);
  }
  base::result<bool> scan(st::stream_id s, std::uint64_t from,
                          const std::function<bool(const st::msg_meta_view&)>& fn) const noexcept override {
    return inner_.scan(s, from, fn);
  }

 protected:
  st::store& inner_;
};

// A store that counts its transactions (apply calls).
class counting_store final : public forwarding_store {
 public:
  using forwarding_store::forwarding_store;
  int applies = 0;
  base::result<st::batch_result> apply(const st::store_batch& b) noexcept override {
    ++applies;
    return inner_.apply(b);
  }
};

store::store_batch appends(std::uint64_t first_seq, int n) {
  store::store_batch b;
  for (int i = 0; i < n; ++i) {
    store::op_append op;
    op.stream = store::stream_id{7};
    op.msg.seq = first_seq + static_cast<std::uint64_t>(i);
    op.msg.timestamp_ns = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(op.msg.seq);
    op.msg.subject = "orders." + std::to_string(op.msg.seq);
    op.msg.payload = "payload";
    b.ops.emplace_back(std::move(op));
  }
  return b;
}

}  // namespace

TEST_CASE("storage_writer commits every queued batch in one transaction, reporting tickets in order") {
  store::memory_store mem;
  counting_store s(mem);
  native::storage_writer w;
  CHECK(w.empty());
  w.queue(1, appends(1, 2));
  w.queue(2, appends(3, 1));
  w.queue(5, appends(4, 3));
  CHECK(w.queued() == 3);
  const auto done = w.commit(s);
  CHECK(s.applies == 1);
  REQUIRE(done.size() == 3);
  CHECK(done[0].ticket == 1);
  CHECK(done[1].ticket == 2);
  CHECK(done[2].ticket == 5);
  for (const auto& d : done) CHECK(d.ok);
  CHECK(mem.state(store::stream_id{7}).value().last_seq == 6);
  CHECK(w.empty());
  CHECK(w.commit(s).empty());  // nothing queued: no transaction
  CHECK(s.applies == 1);
}

TEST_CASE("storage_writer: a failing batch fails itself and the later ones, the earlier ones stay durable") {
  store::memory_store mem;
  counting_store s(mem);
  native::storage_writer w;
  w.queue(1, appends(1, 2));
  w.queue(2, appends(10, 1));  // a gap: the store refuses it
  w.queue(3, appends(3, 1));   // built on ticket 2: not applied
  const auto done = w.commit(s);
  REQUIRE(done.size() == 3);
  CHECK(done[0].ok);
  CHECK_FALSE(done[1].ok);
  CHECK_FALSE(done[1].error.empty());
  CHECK_FALSE(done[2].ok);
  CHECK(done[2].error.find("earlier batch failed") != std::string::npos);
  CHECK(s.applies == 3);  // the merged try, then tickets 1 and 2 alone
  CHECK(mem.state(store::stream_id{7}).value().last_seq == 2);
}

TEST_CASE("storage_writer with one batch applies it as it is") {
  store::memory_store mem;
  counting_store s(mem);
  native::storage_writer w;
  w.queue(4, appends(2, 1));  // a gap in a single batch
  auto done = w.commit(s);
  REQUIRE(done.size() == 1);
  CHECK_FALSE(done[0].ok);
  w.queue(5, appends(1, 1));
  done = w.commit(s);
  REQUIRE(done.size() == 1);
  CHECK(done[0].ok);
  CHECK(s.applies == 2);
}

TEST_CASE("storage_writer on lmdb_store: the group commit is durable across a reopen") {
  temp_dir dir;
  native::lmdb_store_options so;
  so.directory = dir.path();
  {
    auto opened = native::lmdb_store::open(so);
    REQUIRE(opened.ok());
    native::storage_writer w;
    for (std::uint64_t t = 1; t <= 10; ++t) w.queue(t, appends(t * 2 - 1, 2));
    const auto done = w.commit(*opened.value());
    REQUIRE(done.size() == 10);
    for (const auto& d : done) CHECK(d.ok);
  }
  auto again = native::lmdb_store::open(so);
  REQUIRE(again.ok());
  const auto st = again.value()->state(store::stream_id{7});
  REQUIRE(st.ok());
  CHECK(st.value().msgs == 20);
  CHECK(st.value().last_seq == 20);
}

TEST_CASE("lmdb_store with defer_meta_sync: a commit is durable after the next commit's flush or sync()") {
  temp_dir dir;
  native::lmdb_store_options so;
  so.directory = dir.path();
  so.defer_meta_sync = true;
  auto opened = native::lmdb_store::open(so);
  REQUIRE(opened.ok());
  native::lmdb_store& s = *opened.value();
  CHECK(s.durable_mark() == s.committed_mark());
  REQUIRE(s.apply(appends(1, 2)).ok());
  const std::uint64_t first = s.committed_mark();
  CHECK(s.durable_mark() < first);  // its meta page is not flushed yet
  REQUIRE(s.apply(appends(3, 1)).ok());
  CHECK(s.committed_mark() > first);
  CHECK(s.durable_mark() == first);  // this commit's flush carried it
  REQUIRE(s.sync().ok());
  CHECK(s.durable_mark() == s.committed_mark());
  const std::uint64_t before = s.committed_mark();
  CHECK_FALSE(s.apply(appends(10, 1)).ok());  // refused: nothing committed, nothing owed
  CHECK(s.committed_mark() == before);
  CHECK(s.durable_mark() == before);
}

namespace {

// A deferred_durability whose marks the test moves by hand.
class fake_durability final : public native::deferred_durability {
 public:
  std::uint64_t committed = 0, durable = 0;
  int syncs = 0;
  std::uint64_t committed_mark() const noexcept override { return committed; }
  std::uint64_t durable_mark() const noexcept override { return durable; }
  base::result<bool> sync() noexcept override {
    ++syncs;
    durable = committed;
    return true;
  }
};

// A store whose every apply is a commit of fake_durability (durable later).
class deferring_store final : public forwarding_store {
 public:
  deferring_store(st::store& inner, fake_durability& d) : forwarding_store(inner), d_(d) {}
  base::result<st::batch_result> apply(const st::store_batch& b) noexcept override {
    auto r = inner_.apply(b);
    if (r.ok()) {
      d_.durable = d_.committed;  // the flush of this commit carries the previous one
      ++d_.committed;
      for (const auto& op : b.ops) commit_of_seq[std::get<st::op_append>(op).msg.seq] = d_.committed;
    }
    return r;
  }
  std::map<std::uint64_t, std::uint64_t> commit_of_seq;  // writer thread only

 private:
  fake_durability& d_;
};

}  // namespace

TEST_CASE("storage_thread holds results until the store says they are durable, then reports them in order") {
  store::memory_store mem;
  fake_durability d;
  deferring_store s(mem, d);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<server::storage_done> got;
  std::vector<bool> durable_at_delivery;
  {
    native::storage_thread t(
        s,
        [&](std::vector<server::storage_done> done) {
          std::lock_guard<std::mutex> lock(mu);
          for (auto& x : done) {  // on the writer thread: the marks are stable here
            durable_at_delivery.push_back(s.commit_of_seq.at(x.ticket) <= d.durable);
            got.push_back(std::move(x));
          }
          cv.notify_all();
        },
        &d);
    for (std::uint64_t i = 1; i <= 50; ++i) t.queue(i, appends(i, 1));
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return got.size() == 50; }));
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].ticket == i + 1);
    CHECK(got[i].ok);
    CHECK(durable_at_delivery[i]);  // ticket i appended seq i: its commit was durable when reported
  }
  CHECK(d.syncs >= 1);                     // the last group had no successor: synced
  CHECK(d.durable == d.committed);         // nothing left owed
  CHECK(mem.state(store::stream_id{7}).value().last_seq == 50);
}

TEST_CASE("go_clean_path is Go's filepath.Clean") {
  using native::go_clean_path;
  CHECK(go_clean_path("") == ".");
  CHECK(go_clean_path("/") == "/");
  CHECK(go_clean_path("/tmp/") == "/tmp");
  CHECK(go_clean_path("/tmp//nats/./jetstream") == "/tmp/nats/jetstream");
  CHECK(go_clean_path("./rel//x/../jetstream") == "rel/jetstream");
  CHECK(go_clean_path("../a/../../b") == "../../b");
  CHECK(go_clean_path("/../a") == "/a");
  CHECK(go_clean_path("a/..") == ".");
}

TEST_CASE("jetstream_store_dir follows EnableJetStream and dynJetStreamConfig") {
  native::options o;
  o.jetstream.enabled = true;
  o.jetstream.store_dir = "/data/js/";
  CHECK(native::jetstream_store_dir(o) == "/data/js/jetstream");
  o.jetstream.store_dir = "./rel//x/..";
  CHECK(native::jetstream_store_dir(o) == "rel/jetstream");
  o.jetstream.store_dir.clear();
  const char* saved = std::getenv("TMPDIR");
  const std::string saved_value = saved ? saved : "";
  ::setenv("TMPDIR", "/var/tmp/", 1);
  CHECK(native::jetstream_store_dir(o) == "/var/tmp/nats/jetstream");
  o.jetstream.max_memory_store = 1 << 20;
  CHECK(native::jetstream_store_dir(o) == "/var/tmp/nats/jetstream");  // one limit: still dynamic
  o.jetstream.max_file_store = 1 << 30;
  CHECK(native::jetstream_store_dir(o) == "/var/tmp/jetstream");  // both: the reference skips "nats"
  ::unsetenv("TMPDIR");
  o.jetstream.max_file_store.reset();
  CHECK(native::jetstream_store_dir(o) == "/tmp/nats/jetstream");
  const auto js = native::jetstream_settings_for(o);
  CHECK(js.enabled);
  CHECK(js.store_dir == "/tmp/nats/jetstream");
  CHECK(js.max_memory == 1 << 20);
  CHECK(js.max_storage > 0);
  if (saved) ::setenv("TMPDIR", saved_value.c_str(), 1);
}

TEST_CASE("friendly_bytes prints as the reference's friendlyBytes") {
  CHECK(native::friendly_bytes(0) == "0 B");
  CHECK(native::friendly_bytes(-1) == "-1 B");
  CHECK(native::friendly_bytes(1023) == "1023 B");
  CHECK(native::friendly_bytes(1024) == "1.00 KB");
  CHECK(native::friendly_bytes(1536) == "1.50 KB");
  CHECK(native::friendly_bytes(1000000000) == "953.67 MB");
  CHECK(native::friendly_bytes(2000000000) == "1.86 GB");
  CHECK(native::friendly_bytes(1LL << 40) == "1.00 TB");
}

TEST_CASE("prepare_store_dir creates the directory or names what is wrong with it") {
  temp_dir dir;
  const std::string nested = dir.path() + "/a/b/jetstream";
  REQUIRE(native::prepare_store_dir(nested).ok());
  struct stat st{};
  REQUIRE(::stat(nested.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((st.st_mode & 0777) == (0750 & ~mask));
  CHECK(native::prepare_store_dir(nested).ok());  // exists and is writable
  CHECK(std::filesystem::is_empty(nested));        // the probe file is gone
  const std::string file = dir.path() + "/file";
  std::ofstream(file) << "x";
  auto r = native::prepare_store_dir(file);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().text == "storage directory is not a directory");
  r = native::prepare_store_dir(file + "/jetstream");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().text == "storage directory is not a directory");  // stat fails with ENOTDIR, as the reference
}

TEST_CASE("jetstream_reload_refusal: JetStream settings need a restart") {
  native::options a;
  a.jetstream.enabled = true;
  a.jetstream.store_dir = "/d";
  native::options b = a;
  CHECK_FALSE(native::jetstream_reload_refusal(a, b));
  b.jetstream.store_dir = "/e";
  CHECK(*native::jetstream_reload_refusal(a, b) == "config reload not supported for jetstream storage directory");
  b = a;
  b.jetstream.max_file_store = 1000;
  CHECK(*native::jetstream_reload_refusal(a, b) ==
        "config reload not supported for jetstream dynamic max memory and store");
  a.jetstream.max_file_store = 2000;
  CHECK(*native::jetstream_reload_refusal(a, b) == "config reload not supported for jetstream max memory and store");
  b.jetstream.max_file_store.reset();
  CHECK(*native::jetstream_reload_refusal(a, b) ==
        "config reload not supported for jetstream max memory and max store");
  b = a;
  b.jetstream.enabled = false;
  CHECK(native::jetstream_reload_refusal(a, b).has_value());
  native::options off_a, off_b;
  off_b.jetstream.store_dir = "/x";  // JetStream off: nothing to refuse
  CHECK_FALSE(native::jetstream_reload_refusal(off_a, off_b));
}
