// lmdb_store writes: one write transaction per batch, committed durably.
#include <algorithm>
#include <map>

#include "core/store/memory_store.h"
#include "core/store/record_codec.h"
#include "native/lmdb_keys.h"
#include "native/lmdb_store.h"

namespace natrium::native {

using namespace lmdb_keys;  // NOLINT


namespace {
constexpr int logic_error_rc = -1;  // outside LMDB's (-30800..-30780) and errno's ranges
}  // namespace

// One batch inside one MDB write transaction. Methods return an rc: 0, an
// LMDB/errno code, or logic_error_rc with error_ set.
class lmdb_store::write_txn {
 public:
  write_txn(lmdb_store& s, MDB_txn* txn) noexcept : s_(s), txn_(txn) {
    NATRIUM_ASSERT(txn_ != nullptr);
    NATRIUM_ASSERT(s_.env_ != nullptr);
  }
  int apply_op(const st::store_op& op, std::uint64_t& removed);
  int flush();
  std::string error_;

 private:
  struct cached {
    st::stream_state st;
    bool exists = false;
    bool dirty = false;
  };
  int fail(const char* text) { error_ = text; return logic_error_rc; }
  int get_state(std::uint64_t stream, cached*& out);
  int append(const st::op_append& op);
  int remove(std::uint64_t stream, cached& c, std::uint64_t seq, bool erase);
  int fix_first(std::uint64_t stream, cached& c);
  int del_op(const st::op_delete& op, std::uint64_t& removed);
  int purge(const st::op_purge& op, std::uint64_t& removed);
  int purge_all(std::uint64_t stream, std::uint64_t& removed);
  int compact(std::uint64_t stream, std::uint64_t seq, std::uint64_t& removed);
  int collect(std::uint64_t stream, std::string_view filter, std::uint64_t below, std::uint64_t max_count,
              std::vector<std::uint64_t>& out);
  int count_matching(std::uint64_t stream, const cached& c, std::string_view filter, std::uint64_t& n);
  int save_consumer(const st::op_save_consumer& op);
  int delete_consumer(const st::op_delete_consumer& op);
  int delete_stream(std::uint64_t stream, std::uint64_t& removed);
  int put_catalog(const st::op_put_catalog& op);
  int delete_catalog(const st::op_delete_catalog& op, std::uint64_t& removed);
  int adjust_subject(std::uint64_t stream, cached& c, std::string_view subject, bool add);
  std::size_t text_max(std::uint64_t limit) const noexcept {
    return static_cast<std::size_t>(std::min<std::uint64_t>(limit, key_text_len_max));
  }

  lmdb_store& s_;
  MDB_txn* txn_;
  std::map<std::uint64_t, cached> cache_;
};

int lmdb_store::write_txn::get_state(std::uint64_t stream, cached*& out) {
  NATRIUM_ASSERT(cache_.size() < SIZE_MAX);
  auto it = cache_.find(stream);
  if (it == cache_.end()) {
    cached c;
    const std::string k = stream_key(stream);
    MDB_val key = val(k), data{0, nullptr};
    const int rc = mdb_get(txn_, s_.meta_, &key, &data);
    if (rc != 0 && rc != MDB_NOTFOUND) return rc;
    if (rc == 0) {
      auto d = st::decode_stream_state(view(data));
      if (!d) return fail("store: stream record corrupt");
      c.st = d.value();
      c.exists = true;
    }
    it = cache_.emplace(stream, c).first;
  }
  out = &it->second;
  NATRIUM_ASSERT(out->st.first_seq <= out->st.last_seq + 1);
  return 0;
}

int lmdb_store::write_txn::flush() {
  for (auto& [stream, c] : cache_) {
    if (!c.dirty) continue;
    const std::string k = stream_key(stream);
    MDB_val key = val(k);
    if (c.exists) {
      NATRIUM_ASSERT(st::deleted_count(c.st) <= c.st.last_seq);
      const std::string rec = st::encode_stream_state(c.st);
      MDB_val data = val(rec);
      if (const int rc = mdb_put(txn_, s_.meta_, &key, &data, 0); rc != 0) return rc;
    } else {
      const int rc = mdb_del(txn_, s_.meta_, &key, nullptr);
      if (rc != 0 && rc != MDB_NOTFOUND) return rc;
    }
  }
  NATRIUM_ASSERT(txn_ != nullptr);
  return 0;
}

int lmdb_store::write_txn::apply_op(const st::store_op& op, std::uint64_t& removed) {
  NATRIUM_ASSERT(!op.valueless_by_exception());
  removed = 0;
  if (const auto* a = std::get_if<st::op_append>(&op)) return append(*a);
  if (const auto* d = std::get_if<st::op_delete>(&op)) return del_op(*d, removed);
  if (const auto* p = std::get_if<st::op_purge>(&op)) return purge(*p, removed);
  if (const auto* c = std::get_if<st::op_compact>(&op)) return compact(c->stream.value, c->seq, removed);
  if (const auto* s = std::get_if<st::op_save_consumer>(&op)) return save_consumer(*s);
  if (const auto* dc = std::get_if<st::op_delete_consumer>(&op)) return delete_consumer(*dc);
  if (const auto* ds = std::get_if<st::op_delete_stream>(&op)) return delete_stream(ds->stream.value, removed);
  if (const auto* pc = std::get_if<st::op_put_catalog>(&op)) return put_catalog(*pc);
  const auto* dcat = std::get_if<st::op_delete_catalog>(&op);
  NATRIUM_ASSERT(dcat != nullptr);
  return delete_catalog(*dcat, removed);
}

// Per-subject message count (subjc) and the stream's num_subjects.
int lmdb_store::write_txn::adjust_subject(std::uint64_t stream, cached& c, std::string_view subject, bool add) {
  const std::string k = name_key(stream, subject);
  MDB_val key = val(k), data{0, nullptr};
  int rc = mdb_get(txn_, s_.subjc_, &key, &data);
  if (rc != 0 && rc != MDB_NOTFOUND) return rc;
  if (rc == 0 && data.mv_size != 8) return fail("store: subject count record corrupt");
  std::uint64_t n = rc == 0 ? get_be64(view(data)) : 0;
  if (!add && n == 0) return fail("store: subject count missing");
  n = add ? n + 1 : n - 1;
  if (n == 0) {
    NATRIUM_ASSERT(c.st.num_subjects > 0);
    c.st.num_subjects -= 1;
    return mdb_del(txn_, s_.subjc_, &key, nullptr);
  }
  if (n == 1 && add) c.st.num_subjects += 1;
  std::string v;
  put_be64(v, n);
  MDB_val nv = val(v);
  NATRIUM_ASSERT(v.size() == 8);
  return mdb_put(txn_, s_.subjc_, &key, &nv, 0);
}

int lmdb_store::write_txn::append(const st::op_append& op) {
  const st::stored_msg& m = op.msg;
  const std::uint64_t stream = op.stream.value;
  if (m.subject.empty() || m.subject.size() > text_max(s_.limits_.subject_len_max))
    return fail("store: bad subject length");
  if (m.subject.find('\0') != std::string::npos) return fail("store: subject contains NUL");
  cached* c = nullptr;
  if (const int rc = get_state(stream, c); rc != 0) return rc;
  if (m.seq != c->st.last_seq + 1) return fail("store: append out of sequence");
  const std::string rec = st::encode_message(m);
  if (rec.size() > s_.limits_.record_len_max) return fail("store: record too large");
  const std::string mk = msg_key(stream, m.seq);
  MDB_val key = val(mk), data = val(rec);
  int rc = mdb_put(txn_, s_.msgs_, &key, &data, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return fail("store: message key already present");
  if (rc != 0) return rc;
  std::string sk = subj_prefix(stream, m.subject);
  put_be64(sk, m.seq);
  MDB_val skey = val(sk), empty{0, nullptr};
  if ((rc = mdb_put(txn_, s_.subj_, &skey, &empty, 0)) != 0) return rc;
  if ((rc = adjust_subject(stream, *c, m.subject, true)) != 0) return rc;
  if (c->st.msgs == 0) {
    c->st.first_seq = m.seq;
    c->st.first_ts_ns = m.timestamp_ns;
  }
  c->st.msgs += 1;
  c->st.bytes += st::stored_size(m.subject.size(), m.headers.size(), m.payload.size());
  c->st.last_seq = m.seq;
  c->st.last_ts_ns = m.timestamp_ns;
  c->exists = c->dirty = true;
  NATRIUM_ASSERT(c->st.num_subjects <= c->st.msgs);
  NATRIUM_ASSERT(c->st.first_seq <= c->st.last_seq);
  return 0;
}

int lmdb_store::write_txn::remove(std::uint64_t stream, cached& c, std::uint64_t seq, bool erase) {
  NATRIUM_ASSERT(c.exists);
  const std::string mk = msg_key(stream, seq);
  MDB_val key = val(mk), data{0, nullptr};
  int rc = mdb_get(txn_, s_.msgs_, &key, &data);
  if (rc != 0) return rc;  // MDB_NOTFOUND included: callers decide
  const std::string rec(view(data));
  const auto subj = st::peek_subject(rec);
  if (!subj) return fail("store: message record truncated");
  if (erase) {
    const std::string zeros(rec.size(), '\0');
    MDB_val z = val(zeros);
    if ((rc = mdb_put(txn_, s_.msgs_, &key, &z, 0)) != 0) return rc;
  }
  if ((rc = mdb_del(txn_, s_.msgs_, &key, nullptr)) != 0) return rc;
  std::string sk = subj_prefix(stream, *subj);
  put_be64(sk, seq);
  MDB_val skey = val(sk);
  if ((rc = mdb_del(txn_, s_.subj_, &skey, nullptr)) != 0) return rc == MDB_NOTFOUND ? fail("store: index entry missing") : rc;
  if ((rc = adjust_subject(stream, c, *subj, false)) != 0) return rc;
  const std::uint64_t size = rec.size() - st::message_fixed_len + 16;
  NATRIUM_ASSERT(c.st.msgs > 0 && c.st.bytes >= size);
  c.st.msgs -= 1;
  c.st.bytes -= size;
  c.dirty = true;
  return 0;
}

int lmdb_store::write_txn::fix_first(std::uint64_t stream, cached& c) {
  NATRIUM_ASSERT(c.exists);
  c.dirty = true;
  if (c.st.msgs == 0) {
    c.st.first_seq = c.st.last_seq + 1;
    c.st.first_ts_ns = 0;
    return 0;
  }
  cursor cur(txn_, s_.msgs_);
  if (cur.open_rc() != 0) return cur.open_rc();
  const int rc = cur.seek(msg_key(stream, 0));
  if (rc != 0 && rc != MDB_NOTFOUND) return rc;
  if (rc == MDB_NOTFOUND || !starts_with(cur.key(), stream_key(stream))) return fail("store: stream state inconsistent");
  c.st.first_seq = get_be64(cur.key().substr(8));
  const auto ts = st::peek_timestamp(cur.data());
  if (!ts) return fail("store: message record truncated");
  c.st.first_ts_ns = *ts;
  NATRIUM_ASSERT(c.st.first_seq <= c.st.last_seq);
  return 0;
}

int lmdb_store::write_txn::del_op(const st::op_delete& op, std::uint64_t& removed) {
  cached* c = nullptr;
  if (const int rc = get_state(op.stream.value, c); rc != 0) return rc;
  if (!c->exists) return 0;
  NATRIUM_ASSERT(removed == 0);
  const int rc = remove(op.stream.value, *c, op.seq, op.erase);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc != 0) return rc;
  removed = 1;
  NATRIUM_ASSERT(c->dirty);
  return fix_first(op.stream.value, *c);
}

int lmdb_store::write_txn::count_matching(std::uint64_t stream, const cached& c, std::string_view filter,
                                          std::uint64_t& n) {
  n = 0;
  NATRIUM_ASSERT(c.exists);
  if (st::filter_is_all(filter)) { n = c.st.msgs; return 0; }
  cursor cur(txn_, s_.subjc_);
  if (cur.open_rc() != 0) return cur.open_rc();
  const bool literal = st::filter_is_literal(filter);
  const std::string prefix = literal ? name_key(stream, filter) : stream_key(stream);
  int rc = cur.seek(prefix);
  for (; rc == 0 && starts_with(cur.key(), prefix); rc = cur.step(MDB_NEXT)) {
    const std::string_view subj = cur.key().substr(8);
    if (literal && subj != filter) break;
    if (cur.data().size() != 8) return fail("store: subject count record corrupt");
    if (st::filter_matches(filter, subj)) n += get_be64(cur.data());
  }
  NATRIUM_ASSERT(n <= c.st.msgs);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

int lmdb_store::write_txn::collect(std::uint64_t stream, std::string_view filter, std::uint64_t below,
                                   std::uint64_t max_count, std::vector<std::uint64_t>& out) {
  const bool literal = st::filter_is_literal(filter);
  NATRIUM_ASSERT(out.empty());
  cursor cur(txn_, literal ? s_.subj_ : s_.msgs_);
  if (cur.open_rc() != 0) return cur.open_rc();
  const std::string prefix = literal ? subj_prefix(stream, filter) : stream_key(stream);
  int rc = cur.seek(prefix);
  for (; rc == 0 && starts_with(cur.key(), prefix); rc = cur.step(MDB_NEXT)) {
    const std::uint64_t seq = get_be64(cur.key().substr(prefix.size()));
    if (seq >= below || out.size() >= max_count) return 0;
    if (literal) { out.push_back(seq); continue; }
    const auto subj = st::peek_subject(cur.data());
    if (!subj) return fail("store: message record truncated");
    if (st::filter_matches(filter, *subj)) out.push_back(seq);
  }
  NATRIUM_ASSERT(out.size() <= max_count);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

int lmdb_store::write_txn::purge_all(std::uint64_t stream, std::uint64_t& removed) {
  cached* c = nullptr;
  if (const int rc = get_state(stream, c); rc != 0) return rc;
  if (!c->exists) return 0;
  std::vector<std::uint64_t> seqs;
  if (const int rc = collect(stream, "", UINT64_MAX, UINT64_MAX, seqs); rc != 0) return rc;
  for (const std::uint64_t s : seqs)
    if (const int rc = remove(stream, *c, s, false); rc != 0) return rc;
  removed = seqs.size();
  NATRIUM_ASSERT(c->st.msgs == 0);
  NATRIUM_ASSERT(c->st.bytes == 0 && c->st.num_subjects == 0);
  return fix_first(stream, *c);
}

int lmdb_store::write_txn::purge(const st::op_purge& op, std::uint64_t& removed) {
  if (op.seq > 1 && op.keep > 0) return fail("store: purge seq and keep are exclusive");
  const std::uint64_t stream = op.stream.value;
  const bool all = st::filter_is_all(op.filter);
  if (all && op.keep == 0 && op.seq <= 1) return purge_all(stream, removed);
  if (all && op.seq > 1) return compact(stream, op.seq, removed);
  cached* c = nullptr;
  if (const int rc = get_state(stream, c); rc != 0) return rc;
  if (!c->exists) return 0;
  std::uint64_t count = 0;
  if (const int rc = count_matching(stream, *c, op.filter, count); rc != 0) return rc;
  if (count == 0 || (op.keep > 0 && op.keep >= count)) return 0;
  const std::uint64_t max_count = op.keep > 0 ? count - op.keep : count;
  std::vector<std::uint64_t> seqs;
  if (const int rc = collect(stream, op.filter, op.seq > 1 ? op.seq : UINT64_MAX, max_count, seqs); rc != 0) return rc;
  if (seqs.empty()) return 0;
  for (const std::uint64_t s : seqs)
    if (const int rc = remove(stream, *c, s, false); rc != 0) return rc;
  removed = seqs.size();
  NATRIUM_ASSERT(removed <= count);
  NATRIUM_ASSERT(removed <= max_count);
  return fix_first(stream, *c);
}

int lmdb_store::write_txn::compact(std::uint64_t stream, std::uint64_t seq, std::uint64_t& removed) {
  if (seq == 0) return purge_all(stream, removed);
  cached* c = nullptr;
  if (const int rc = get_state(stream, c); rc != 0) return rc;
  c->exists = c->dirty = true;
  std::vector<std::uint64_t> seqs;
  if (const int rc = collect(stream, "", seq, UINT64_MAX, seqs); rc != 0) return rc;
  for (const std::uint64_t s : seqs)
    if (const int rc = remove(stream, *c, s, false); rc != 0) return rc;
  removed = seqs.size();
  NATRIUM_ASSERT(removed == 0 || seqs.back() < seq);
  if (seq > c->st.last_seq + 1) c->st.last_seq = seq - 1;
  const int rc = fix_first(stream, *c);
  if (rc == 0) NATRIUM_ASSERT(c->st.first_seq >= seq);
  return rc;
}

int lmdb_store::write_txn::save_consumer(const st::op_save_consumer& op) {
  if (op.name.empty() || op.name.size() > text_max(s_.limits_.consumer_name_len_max))
    return fail("store: bad consumer name length");
  cached* c = nullptr;
  if (const int rc = get_state(op.stream.value, c); rc != 0) return rc;
  c->exists = c->dirty = true;
  const std::string k = name_key(op.stream.value, op.name);
  const std::string rec = st::encode_consumer(op.state);
  MDB_val key = val(k), data = val(rec);
  NATRIUM_ASSERT(k.size() > 8);
  NATRIUM_ASSERT(rec.size() >= st::record_header_len);
  return mdb_put(txn_, s_.cons_, &key, &data, 0);
}

int lmdb_store::write_txn::delete_consumer(const st::op_delete_consumer& op) {
  cached* c = nullptr;
  if (const int rc = get_state(op.stream.value, c); rc != 0) return rc;
  if (!c->exists) return 0;
  const std::string k = name_key(op.stream.value, op.name);
  MDB_val key = val(k);
  const int rc = mdb_del(txn_, s_.cons_, &key, nullptr);
  NATRIUM_ASSERT(k.size() >= 8);
  NATRIUM_ASSERT(c->exists);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

int lmdb_store::write_txn::delete_stream(std::uint64_t stream, std::uint64_t& removed) {
  cached* c = nullptr;
  if (const int rc = get_state(stream, c); rc != 0) return rc;
  if (!c->exists) return 0;
  if (const int rc = purge_all(stream, removed); rc != 0) return rc;
  const std::string sk = stream_key(stream);
  for (;;) {  // consumers
    cursor cur(txn_, s_.cons_);
    if (cur.open_rc() != 0) return cur.open_rc();
    int rc = cur.seek(sk);
    if (rc == MDB_NOTFOUND || (rc == 0 && !starts_with(cur.key(), sk))) break;
    if (rc != 0) return rc;
    if ((rc = mdb_cursor_del(cur.raw(), 0)) != 0) return rc;
  }
  c->st = st::stream_state{};
  c->exists = false;
  c->dirty = true;
  NATRIUM_ASSERT(c->st.msgs == 0);
  NATRIUM_ASSERT(!c->exists);
  return 0;
}

int lmdb_store::write_txn::put_catalog(const st::op_put_catalog& op) {
  if (op.key.empty() || op.key.size() > text_max(s_.limits_.catalog_key_len_max))
    return fail("store: bad catalog key length");
  const std::string rec = st::encode_catalog(op.key, op.value);
  if (rec.size() > s_.limits_.record_len_max) return fail("store: record too large");
  MDB_val key = val(op.key), data = val(rec);
  NATRIUM_ASSERT(op.key.size() <= key_text_len_max);
  NATRIUM_ASSERT(rec.size() > st::record_header_len + op.key.size());
  return mdb_put(txn_, s_.catalog_, &key, &data, 0);
}

int lmdb_store::write_txn::delete_catalog(const st::op_delete_catalog& op, std::uint64_t& removed) {
  NATRIUM_ASSERT(removed == 0);
  // Keys that cannot be stored cannot be present (LMDB rejects empty or
  // over-long keys with MDB_BAD_VALSIZE, which would fail the batch).
  if (op.key.empty() || op.key.size() > key_text_len_max) return 0;
  MDB_val key = val(op.key);
  const int rc = mdb_del(txn_, s_.catalog_, &key, nullptr);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc == 0) removed = 1;
  NATRIUM_ASSERT(removed <= 1);
  return rc;
}

int lmdb_store::apply_once(const st::store_batch& batch, st::batch_result& out, std::string& error) noexcept {
  NATRIUM_ASSERT(env_ != nullptr);
  NATRIUM_ASSERT(error.empty());
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return rc;
  write_txn w(*this, txn);
  out.removed.assign(batch.ops.size(), 0);
  for (std::size_t i = 0; i < batch.ops.size() && rc == 0; ++i) rc = w.apply_op(batch.ops[i], out.removed[i]);
  if (rc == 0) rc = w.flush();
  if (rc != 0) {
    mdb_txn_abort(txn);
    error = rc == logic_error_rc ? w.error_ : lmdb_error("write", rc);
    return rc;
  }
  const std::uint64_t id = mdb_txn_id(txn);
  rc = mdb_txn_commit(txn);  // durable: the env is opened without MDB_NOSYNC (see note_commit)
  if (rc != 0) {
    error = lmdb_error("txn_commit", rc);
    return rc;
  }
  note_commit(id);
  return rc;
}

// A commit that wrote pages flushed them (fdatasync) before writing its meta
// page. Without MDB_NOMETASYNC the meta page is flushed too: durable now.
// With it, that flush made the previous commit's meta page durable, and this
// one waits for the next flush. A transaction that wrote nothing commits
// nothing and flushes nothing (the environment's last txn id stays).
void lmdb_store::note_commit(std::uint64_t txn_id) noexcept {
  MDB_envinfo info{};
  if (mdb_env_info(env_, &info) != 0 || info.me_last_txnid != txn_id) return;
  NATRIUM_ASSERT(txn_id > committed_txn_);
  durable_txn_ = defer_meta_sync_ ? committed_txn_ : txn_id;
  committed_txn_ = txn_id;
  NATRIUM_ASSERT(durable_txn_ <= committed_txn_);
}

base::result<bool> lmdb_store::sync() noexcept {
  NATRIUM_ASSERT(env_ != nullptr);
  if (durable_txn_ == committed_txn_) return true;
  if (int rc = mdb_env_sync(env_, 1); rc != 0) return base::error{lmdb_error("env_sync", rc)};
  durable_txn_ = committed_txn_;
  return true;
}

base::result<st::batch_result> lmdb_store::apply(const st::store_batch& batch) noexcept {
  NATRIUM_ASSERT(env_ != nullptr);
  NATRIUM_ASSERT(map_size_ > 0);
  for (;;) {
    st::batch_result out;
    std::string error;
    const int rc = apply_once(batch, out, error);
    if (rc == 0) return out;
    if (rc != MDB_MAP_FULL || map_size_ >= map_size_max_) return base::error{error};
    const std::uint64_t grown = std::min(map_size_ * 2, map_size_max_);
    if (const int r2 = mdb_env_set_mapsize(env_, grown); r2 != 0) return base::error{lmdb_error("set_mapsize", r2)};
    map_size_ = grown;
  }
}

base::result<bool> lmdb_store::corrupt_for_test(st::stream_id stream, std::uint64_t seq) noexcept {
  const std::string k = msg_key(stream.value, seq);
  NATRIUM_ASSERT(k.size() == 16);
  return corrupt_value(msgs_, k);
}

base::result<bool> lmdb_store::corrupt_catalog_for_test(std::string_view key) noexcept {
  NATRIUM_ASSERT(!key.empty());
  return corrupt_value(catalog_, std::string(key));
}

base::result<bool> lmdb_store::corrupt_value(MDB_dbi dbi, const std::string& k) noexcept {
  NATRIUM_ASSERT(env_ != nullptr);
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return base::error{lmdb_error("txn_begin", rc)};
  MDB_val key = val(k), data{0, nullptr};
  rc = mdb_get(txn, dbi, &key, &data);
  if (rc != 0) {
    mdb_txn_abort(txn);
    if (rc == MDB_NOTFOUND) return false;
    return base::error{lmdb_error("get", rc)};
  }
  std::string rec(view(data));
  NATRIUM_ASSERT(!rec.empty());
  rec.back() = static_cast<char>(rec.back() ^ 0x5A);
  MDB_val nd = val(rec);
  if ((rc = mdb_put(txn, dbi, &key, &nd, 0)) != 0) { mdb_txn_abort(txn); return base::error{lmdb_error("put", rc)}; }
  const std::uint64_t id = mdb_txn_id(txn);
  if ((rc = mdb_txn_commit(txn)) != 0) return base::error{lmdb_error("txn_commit", rc)};
  note_commit(id);
  return sync();
}

}  // namespace natrium::native
