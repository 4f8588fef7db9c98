#pragma once
// Backends under the shared contract tests: memory_store and lmdb_store (in a
// temporary directory removed at scope end), behind one fixture interface.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/store/memory_store.h"
#include "native/lmdb_store.h"

namespace natrium::test {

class store_temp_dir {
 public:
  store_temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "natrium-store-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~store_temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  store_temp_dir(const store_temp_dir&) = delete;
  store_temp_dir& operator=(const store_temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct memory_fixture {
  static constexpr const char* name = "memory";
  store::memory_store s_;
  store::store& s() { return s_; }
  void reopen() {}  // nothing to reopen: the memory store is its own state
  bool corrupt(store::stream_id st, std::uint64_t seq) { return s_.corrupt_for_test(st, seq); }
  bool corrupt_catalog(std::string_view key) { return s_.corrupt_catalog_for_test(key); }
};

struct lmdb_fixture {
  static constexpr const char* name = "lmdb";
  store_temp_dir dir_;
  std::unique_ptr<native::lmdb_store> s_;
  explicit lmdb_fixture(std::uint64_t map_size = 1ull << 30) : map_size_(map_size) { open(); }
  void open() {
    native::lmdb_store_options o;
    o.directory = dir_.path();
    o.map_size_bytes = map_size_;
    auto r = native::lmdb_store::open(o);
    if (!r) { std::fprintf(stderr, "%s\n", r.err().text.c_str()); std::abort(); }
    s_ = std::move(r.value());
  }
  store::store& s() { return *s_; }
  void reopen() { s_.reset(); open(); }
  bool corrupt(store::stream_id st, std::uint64_t seq) {
    auto r = s_->corrupt_for_test(st, seq);
    return r.ok() && r.value();
  }
  bool corrupt_catalog(std::string_view key) {
    auto r = s_->corrupt_catalog_for_test(key);
    return r.ok() && r.value();
  }
  std::uint64_t map_size_;
};

}  // namespace natrium::test
