#pragma once
// Key encoding and cursor helpers shared by lmdb_store's read and write paths.
#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/assert.h"

namespace natrium::native::lmdb_keys {

inline void put_be64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
inline std::uint64_t get_be64(std::string_view s) noexcept {
  NATRIUM_ASSERT(s.size() >= 8);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[i]);
  return v;
}
inline std::string stream_key(std::uint64_t stream) {
  std::string k;
  put_be64(k, stream);
  return k;
}
inline std::string msg_key(std::uint64_t stream, std::uint64_t seq) {
  std::string k = stream_key(stream);
  put_be64(k, seq);
  return k;
}
// Prefix of every subj key of (stream, subject): be64 stream + subject + NUL.
inline std::string subj_prefix(std::uint64_t stream, std::string_view subject) {
  std::string k = stream_key(stream);
  k.append(subject);
  k.push_back('\0');
  return k;
}
inline std::string name_key(std::uint64_t stream, std::string_view name) {
  std::string k = stream_key(stream);
  k.append(name);
  return k;
}
inline MDB_val val(const std::string& s) noexcept {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view view(const MDB_val& v) noexcept {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}
inline bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Owns one cursor.
class cursor {
 public:
  cursor(MDB_txn* txn, MDB_dbi dbi) noexcept { rc_ = mdb_cursor_open(txn, dbi, &c_); }
  ~cursor() { if (c_ != nullptr) mdb_cursor_close(c_); }
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  int open_rc() const noexcept { return rc_; }
  // MDB_SET_RANGE: first key >= `k`. Returns the LMDB rc (0 or MDB_NOTFOUND...).
  int seek(std::string_view k) noexcept {
    key_ = MDB_val{k.size(), const_cast<char*>(k.data())};
    return mdb_cursor_get(c_, &key_, &data_, MDB_SET_RANGE);
  }
  int step(MDB_cursor_op op) noexcept { return mdb_cursor_get(c_, &key_, &data_, op); }
  std::string_view key() const noexcept { return view(key_); }
  std::string_view data() const noexcept { return view(data_); }
  MDB_cursor* raw() noexcept { return c_; }

 private:
  MDB_cursor* c_ = nullptr;
  MDB_val key_{0, nullptr};
  MDB_val data_{0, nullptr};
  int rc_ = 0;
};

// The last key starting with `prefix` (which ends before an 8-byte suffix):
// 0 and the cursor on it, MDB_NOTFOUND if none, or an LMDB error.
inline int seek_last_with_prefix(cursor& c, const std::string& prefix) noexcept {
  NATRIUM_ASSERT(!prefix.empty());
  std::string probe = prefix;
  probe.append(8, '\xFF');
  int rc = c.seek(probe);
  if (rc == 0 && c.key() == probe) return 0;
  if (rc == 0) rc = c.step(MDB_PREV);
  else if (rc == MDB_NOTFOUND) rc = c.step(MDB_LAST);
  if (rc != 0) return rc;
  NATRIUM_ASSERT(c.key().size() > 0);
  return starts_with(c.key(), prefix) ? 0 : MDB_NOTFOUND;
}

inline std::string lmdb_error(const char* what, int rc) {
  NATRIUM_ASSERT(rc != 0);
  return std::string("lmdb: ") + what + ": " + mdb_strerror(rc);
}

}  // namespace natrium::native::lmdb_keys
