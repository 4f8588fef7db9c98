#include "native/lmdb_store.h"

#include <algorithm>
#include <functional>

#include "core/store/memory_store.h"
#include "core/store/record_codec.h"
#include "native/lmdb_keys.h"

namespace natrium::native {

using namespace lmdb_keys;  // NOLINT
using st::stored_msg;
using msg_result = base::result<std::optional<stored_msg>>;

// Renews the shared read transaction for one read call and resets it after.
// A scope opened inside another (a read from a scan callback) shares the
// outer one's transaction and leaves the reset to it.
class read_scope {
 public:
  explicit read_scope(const lmdb_store& s) noexcept : s_(s) {
    NATRIUM_ASSERT(s_.rtxn_ != nullptr);
    if (s_.read_depth_ == 0) rc_ = mdb_txn_renew(s_.rtxn_);
    if (rc_ == 0) s_.read_depth_ += 1;
  }
  ~read_scope() {
    if (rc_ != 0) return;
    NATRIUM_ASSERT(s_.read_depth_ > 0);
    s_.read_depth_ -= 1;
    if (s_.read_depth_ == 0) mdb_txn_reset(s_.rtxn_);
  }
  read_scope(const read_scope&) = delete;
  read_scope& operator=(const read_scope&) = delete;
  int rc() const noexcept { return rc_; }
  MDB_txn* txn() const noexcept { return s_.rtxn_; }

 private:
  const lmdb_store& s_;
  int rc_ = 0;
};

base::result<std::unique_ptr<lmdb_store>> lmdb_store::open(const lmdb_store_options& options) noexcept {
  NATRIUM_ASSERT(!options.directory.empty());
  NATRIUM_ASSERT(options.map_size_bytes > 0);
  std::unique_ptr<lmdb_store> s(new lmdb_store());
  auto r = s->init(options);
  if (!r) return r.err();
  return s;
}

base::result<bool> lmdb_store::init(const lmdb_store_options& options) noexcept {
  NATRIUM_ASSERT(env_ == nullptr);
  limits_ = options.limits;
  map_size_ = options.map_size_bytes;
  map_size_max_ = options.map_size_max_bytes;
  int rc = mdb_env_create(&env_);
  if (rc != 0) { env_ = nullptr; return base::error{lmdb_error("env_create", rc)}; }
  if ((rc = mdb_env_set_maxdbs(env_, 8)) != 0) return base::error{lmdb_error("set_maxdbs", rc)};
  if ((rc = mdb_env_set_mapsize(env_, map_size_)) != 0) return base::error{lmdb_error("set_mapsize", rc)};
  defer_meta_sync_ = options.defer_meta_sync;
  const unsigned flags = MDB_NOTLS | (defer_meta_sync_ ? MDB_NOMETASYNC : 0u);
  if ((rc = mdb_env_open(env_, options.directory.c_str(), flags, 0640)) != 0)
    return base::error{lmdb_error("env_open", rc)};
  MDB_envinfo info{};
  if ((rc = mdb_env_info(env_, &info)) != 0) return base::error{lmdb_error("env_info", rc)};
  if (info.me_mapsize > map_size_) map_size_ = info.me_mapsize;  // a grown file keeps its size
  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(env_, nullptr, 0, &txn)) != 0) return base::error{lmdb_error("txn_begin", rc)};
  const char* names[6] = {"msgs", "subj", "subjc", "meta", "cons", "catalog"};
  MDB_dbi* dbis[6] = {&msgs_, &subj_, &subjc_, &meta_, &cons_, &catalog_};
  for (int i = 0; i < 6; ++i) {
    if ((rc = mdb_dbi_open(txn, names[i], MDB_CREATE, dbis[i])) != 0) {
      mdb_txn_abort(txn);
      return base::error{lmdb_error("dbi_open", rc)};
    }
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return base::error{lmdb_error("txn_commit", rc)};
  if ((rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &rtxn_)) != 0) {
    rtxn_ = nullptr;
    return base::error{lmdb_error("read txn_begin", rc)};
  }
  mdb_txn_reset(rtxn_);
  NATRIUM_ASSERT(rtxn_ != nullptr);
  if (defer_meta_sync_ && (rc = mdb_env_sync(env_, 1)) != 0) return base::error{lmdb_error("env_sync", rc)};
  if ((rc = mdb_env_info(env_, &info)) != 0) return base::error{lmdb_error("env_info", rc)};
  committed_txn_ = durable_txn_ = info.me_last_txnid;
  return true;
}

lmdb_store::~lmdb_store() {
  if (env_ == nullptr) NATRIUM_ASSERT(rtxn_ == nullptr);  // no read txn without an env
  if (rtxn_ != nullptr) mdb_txn_abort(rtxn_);
  if (env_ != nullptr) mdb_env_close(env_);
}

namespace {

msg_result decode_at(std::string_view record, std::uint64_t seq) noexcept {
  auto m = st::decode_message(record);
  if (!m) return m.err();
  if (m.value().seq != seq) return base::error{"store: message record seq mismatch"};
  NATRIUM_ASSERT(m.value().seq == seq);
  NATRIUM_ASSERT(record.size() >= st::message_fixed_len);
  return std::optional<stored_msg>(std::move(m.value()));
}

msg_result get_msg(MDB_txn* txn, MDB_dbi dbi, std::uint64_t stream, std::uint64_t seq) noexcept {
  NATRIUM_ASSERT(txn != nullptr);
  const std::string k = msg_key(stream, seq);
  NATRIUM_ASSERT(k.size() == 16);
  MDB_val key = val(k), data{0, nullptr};
  const int rc = mdb_get(txn, dbi, &key, &data);
  if (rc == MDB_NOTFOUND) return std::optional<stored_msg>();
  if (rc != 0) return base::error{lmdb_error("get", rc)};
  return decode_at(view(data), seq);
}

}  // namespace

msg_result lmdb_store::load(st::stream_id stream, std::uint64_t seq) const noexcept {
  NATRIUM_ASSERT(env_ != nullptr);
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  auto r = get_msg(rs.txn(), msgs_, stream.value, seq);
  if (r.ok() && r.value()) NATRIUM_ASSERT(r.value()->seq == seq);
  return r;
}

base::result<std::uint64_t> lmdb_store::last_seq_for_subject(st::stream_id stream,
                                                             std::string_view subject) const noexcept {
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  cursor c(rs.txn(), subj_);
  if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
  const std::string prefix = subj_prefix(stream.value, subject);
  NATRIUM_ASSERT(prefix.size() == 9 + subject.size());
  const int rc = seek_last_with_prefix(c, prefix);
  if (rc == MDB_NOTFOUND) return std::uint64_t{0};
  if (rc != 0) return base::error{lmdb_error("cursor_get", rc)};
  NATRIUM_ASSERT(c.key().size() == prefix.size() + 8);
  return get_be64(c.key().substr(prefix.size()));
}

msg_result lmdb_store::load_last(st::stream_id stream, std::string_view filter) const noexcept {
  std::uint64_t best = 0;
  if (st::filter_is_literal(filter)) {
    auto r = last_seq_for_subject(stream, filter);
    if (!r) return r.err();
    best = r.value();
  } else {
    read_scope rs(*this);
    if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
    cursor counts(rs.txn(), subjc_);
    cursor c(rs.txn(), subj_);
    if (counts.open_rc() != 0 || c.open_rc() != 0) return base::error{"lmdb: cursor_open failed"};
    const std::string sk = stream_key(stream.value);
    int rc = counts.seek(sk);
    for (; rc == 0 && starts_with(counts.key(), sk); rc = counts.step(MDB_NEXT)) {  // distinct subjects
      const std::string_view subj = counts.key().substr(8);
      if (!st::filter_matches(filter, subj)) continue;
      const std::string prefix = subj_prefix(stream.value, subj);
      const int lrc = seek_last_with_prefix(c, prefix);
      if (lrc == MDB_NOTFOUND) return base::error{"store: subject index inconsistent"};
      if (lrc != 0) return base::error{lmdb_error("cursor_get", lrc)};
      best = std::max(best, get_be64(c.key().substr(prefix.size())));
    }
    if (rc != 0 && rc != MDB_NOTFOUND) return base::error{lmdb_error("cursor_get", rc)};
  }
  if (best == 0) return std::optional<stored_msg>();
  NATRIUM_ASSERT(best < UINT64_MAX);
  auto r = load(stream, best);
  if (r.ok()) NATRIUM_ASSERT(r.value().has_value());  // the index only names stored messages
  return r;
}

msg_result lmdb_store::load_next(st::stream_id stream, std::string_view filter,
                                 std::uint64_t start_seq) const noexcept {
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  if (st::filter_is_literal(filter)) {
    cursor c(rs.txn(), subj_);
    if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
    const std::string prefix = subj_prefix(stream.value, filter);
    std::string k = prefix;
    put_be64(k, start_seq);
    const int rc = c.seek(k);
    if (rc == MDB_NOTFOUND || (rc == 0 && !starts_with(c.key(), prefix))) return std::optional<stored_msg>();
    if (rc != 0) return base::error{lmdb_error("cursor_get", rc)};
    NATRIUM_ASSERT(c.key().size() == prefix.size() + 8);
    return get_msg(rs.txn(), msgs_, stream.value, get_be64(c.key().substr(prefix.size())));
  }
  cursor c(rs.txn(), msgs_);
  if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
  const std::string sk = stream_key(stream.value);
  int rc = c.seek(msg_key(stream.value, start_seq));
  for (; rc == 0 && starts_with(c.key(), sk); rc = c.step(MDB_NEXT)) {
    const auto subj = st::peek_subject(c.data());
    if (!subj) return base::error{"store: message record truncated"};
    NATRIUM_ASSERT(c.key().size() == 16);
    if (st::filter_matches(filter, *subj)) return decode_at(c.data(), get_be64(c.key().substr(8)));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return base::error{lmdb_error("cursor_get", rc)};
  return std::optional<stored_msg>();
}

base::result<st::stream_state> lmdb_store::state(st::stream_id stream) const noexcept {
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  const std::string k = stream_key(stream.value);
  MDB_val key = val(k), data{0, nullptr};
  const int rc = mdb_get(rs.txn(), meta_, &key, &data);
  if (rc == MDB_NOTFOUND) return st::stream_state{};
  if (rc != 0) return base::error{lmdb_error("get", rc)};
  auto r = st::decode_stream_state(view(data));
  if (r.ok()) NATRIUM_ASSERT(r.value().num_subjects <= r.value().msgs);
  if (r.ok()) NATRIUM_ASSERT(r.value().first_seq <= r.value().last_seq + 1);
  return r;
}

base::result<st::subject_counts> lmdb_store::subjects_filter(st::stream_id stream,
                                                             std::string_view filter) const noexcept {
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  cursor c(rs.txn(), subjc_);
  if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
  st::subject_counts out;
  const bool literal = st::filter_is_literal(filter);
  const std::string prefix = literal ? name_key(stream.value, filter) : stream_key(stream.value);
  int rc = c.seek(prefix);
  for (; rc == 0 && starts_with(c.key(), prefix); rc = c.step(MDB_NEXT)) {
    const std::string_view subj = c.key().substr(8);
    if (literal && subj != filter) break;
    if (c.data().size() != 8) return base::error{"store: subject count record corrupt"};
    if (st::filter_matches(filter, subj)) out.emplace(std::string(subj), get_be64(c.data()));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return base::error{lmdb_error("cursor_get", rc)};
  NATRIUM_ASSERT(rc == 0 || rc == MDB_NOTFOUND);
  if (literal) NATRIUM_ASSERT(out.size() <= 1);
  return out;
}

base::result<std::optional<st::consumer_state>> lmdb_store::load_consumer(st::stream_id stream,
                                                                             std::string_view name) const noexcept {
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  const std::string k = name_key(stream.value, name);
  MDB_val key = val(k), data{0, nullptr};
  const int rc = mdb_get(rs.txn(), cons_, &key, &data);
  if (rc == MDB_NOTFOUND) return std::optional<st::consumer_state>();
  if (rc != 0) return base::error{lmdb_error("get", rc)};
  NATRIUM_ASSERT(k.size() >= 8);
  NATRIUM_ASSERT(data.mv_data != nullptr);
  auto c = st::decode_consumer(view(data));
  if (!c) return c.err();
  return std::optional<st::consumer_state>(std::move(c.value()));
}

base::result<std::vector<st::stream_id>> lmdb_store::streams() const noexcept {
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  cursor c(rs.txn(), meta_);
  if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
  std::vector<st::stream_id> out;
  int rc = c.step(MDB_FIRST);
  for (; rc == 0; rc = c.step(MDB_NEXT)) {
    NATRIUM_ASSERT(c.key().size() == 8);
    out.push_back(st::stream_id{get_be64(c.key())});
  }
  if (rc != MDB_NOTFOUND) return base::error{lmdb_error("cursor_get", rc)};
  NATRIUM_ASSERT(std::is_sorted(out.begin(), out.end()));
  return out;
}

base::result<st::catalog_entries> lmdb_store::catalog(std::string_view prefix) const noexcept {
  // No key is longer than key_text_len_max (and LMDB rejects longer seeks).
  if (prefix.size() > key_text_len_max) return st::catalog_entries{};
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  cursor c(rs.txn(), catalog_);
  if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
  st::catalog_entries out;
  // An empty prefix cannot be an MDB_SET_RANGE key: start at the first key.
  int rc = prefix.empty() ? c.step(MDB_FIRST) : c.seek(prefix);
  for (; rc == 0 && starts_with(c.key(), prefix); rc = c.step(MDB_NEXT)) {
    auto v = st::decode_catalog(c.data(), c.key());
    if (!v) return v.err();
    out.emplace_back(std::string(c.key()), std::move(v.value()));
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return base::error{lmdb_error("cursor_get", rc)};
  NATRIUM_ASSERT(rc == 0 || rc == MDB_NOTFOUND);
  NATRIUM_ASSERT_SLOW(std::is_sorted(out.begin(), out.end()));
  return out;
}

// Walks msgs from (stream, from_seq) decoding only record headers. The views
// handed to fn point into LMDB's map and stay valid while rs is open.
base::result<bool> lmdb_store::scan(st::stream_id stream, std::uint64_t from_seq,
                                    const std::function<bool(const st::msg_meta_view&)>& fn) const noexcept {
  NATRIUM_ASSERT(fn);
  read_scope rs(*this);
  if (rs.rc() != 0) return base::error{lmdb_error("txn_renew", rs.rc())};
  cursor c(rs.txn(), msgs_);
  if (c.open_rc() != 0) return base::error{lmdb_error("cursor_open", c.open_rc())};
  const std::string sk = stream_key(stream.value);
  std::uint64_t prev = 0;
  int rc = c.seek(msg_key(stream.value, from_seq));
  for (; rc == 0 && starts_with(c.key(), sk); rc = c.step(MDB_NEXT)) {
    if (c.key().size() != 16) return base::error{"store: message key corrupt"};
    const std::uint64_t seq = get_be64(c.key().substr(8));
    const std::string_view rec = c.data();
    auto m = st::decode_message_meta(rec, rec.size() <= st::scan_verify_len_max);
    if (!m || m.value().seq != seq) {
      st::msg_meta_view bad;
      bad.seq = seq;
      bad.corrupt = true;
      prev = seq;
      if (!fn(bad)) return false;
      continue;
    }
    NATRIUM_ASSERT(seq >= from_seq);
    NATRIUM_ASSERT(seq > prev);
    prev = seq;
    const st::message_meta& mm = m.value();
    const st::msg_meta_view v{seq, mm.timestamp_ns, st::stored_size(mm.subject.size(), mm.headers_len, mm.payload_len),
                              mm.subject, mm.headers_len};
    if (!fn(v)) return false;
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return base::error{lmdb_error("cursor_get", rc)};
  return true;
}

}  // namespace natrium::native
