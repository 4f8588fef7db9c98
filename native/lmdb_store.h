#pragma once
// lmdb_store: the store contract (core/store/store.h) on LMDB, for
// `storage: file`. One environment (a directory) holds every stream:
//   msgs: be64 stream + be64 seq            -> message record (record_codec)
//   subj: be64 stream + subject + NUL + be64 seq -> "" (per-subject index)
//   subjc: be64 stream + subject             -> be64 message count (so
//         per-subject counts are O(log n) and wildcard scans are O(subjects))
//   meta: be64 stream                       -> stream record (first/last seq,
//         msgs, bytes, times, num_subjects), maintained incrementally, so
//         opening the store and state() are O(1): no stream replay on restart.
//   cons: be64 stream + consumer name       -> consumer record
//   catalog: key (bytewise order)            -> catalog record (JetStream's
//         stream and consumer configurations; not tied to a stream id)
// apply() runs a whole batch in ONE write transaction and commits it durably
// (fsync; MDB_NOSYNC is not used; with defer_meta_sync only once the next
// commit or sync() has flushed, see durable_mark()); a failing op aborts it, so nothing of the
// batch is visible. The map grows (doubles) on MDB_MAP_FULL and the batch is
// retried. Reads renew one MDB_RDONLY transaction and reset it afterwards; a
// read made inside another (a scan callback calling load) reuses it.
// Every LMDB return code is checked; failures are error results.
// op_delete.erase overwrites the record with zeros inside the transaction
// before deleting it; LMDB is copy-on-write, so the previously committed page
// keeps the old bytes until LMDB reuses it (weaker than filestore's erase).
// LMDB keys are at most 511 bytes, so subjects, consumer names and catalog
// keys are capped at key_text_len_max bytes (longer ones fail their batch).
// Threads: one thread may read while another applies, except while apply()
// grows the map (mdb_env_set_mapsize needs no open read transaction); the
// caller must exclude that case (see apply()). Reads share one transaction,
// so they must all come from one thread at a time.
#include <lmdb.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/store/store.h"
#include "core/store/store_batch.h"
#include "native/deferred_durability.h"

namespace natrium::native {

namespace st = ::natrium::store;

struct lmdb_store_options {
  std::string directory;                       // must exist
  std::uint64_t map_size_bytes = 1ull << 30;   // initial virtual map size
  std::uint64_t map_size_max_bytes = 1ull << 40;
  st::store_limits limits;
  // MDB_NOMETASYNC: a commit flushes its data pages but writes its meta page
  // without a flush, so it is durable only after the next commit's flush or
  // sync(); durable_mark() says how far. Halves the fsyncs of a busy writer.
  bool defer_meta_sync = false;
};

class lmdb_store final : public st::store, public deferred_durability {
 public:
  static constexpr std::size_t key_text_len_max = 480;
  static_assert(st::store_limits{}.catalog_key_len_max == key_text_len_max);

  // Opens (creating if needed) the environment in options.directory.
  static base::result<std::unique_ptr<lmdb_store>> open(const lmdb_store_options& options) noexcept;
  ~lmdb_store() override;
  lmdb_store(const lmdb_store&) = delete;
  lmdb_store& operator=(const lmdb_store&) = delete;

  base::result<std::optional<st::stored_msg>> load(st::stream_id stream,
                                                      std::uint64_t seq) const noexcept override;
  base::result<std::optional<st::stored_msg>> load_last(st::stream_id stream,
                                                           std::string_view filter) const noexcept override;
  base::result<std::optional<st::stored_msg>> load_next(st::stream_id stream, std::string_view filter,
                                                           std::uint64_t start_seq) const noexcept override;
  base::result<st::stream_state> state(st::stream_id stream) const noexcept override;
  base::result<st::subject_counts> subjects_filter(st::stream_id stream,
                                                      std::string_view filter) const noexcept override;
  base::result<std::uint64_t> last_seq_for_subject(st::stream_id stream,
                                                   std::string_view subject) const noexcept override;
  base::result<std::optional<st::consumer_state>> load_consumer(st::stream_id stream,
                                                                   std::string_view name) const noexcept override;
  base::result<std::vector<st::stream_id>> streams() const noexcept override;
  base::result<st::catalog_entries> catalog(std::string_view prefix) const noexcept override;
  base::result<bool> scan(st::stream_id stream, std::uint64_t from_seq,
                          const std::function<bool(const st::msg_meta_view&)>& fn) const noexcept override;
  // Not safe while another thread reads if the batch makes the map grow
  // (MDB_MAP_FULL -> mdb_env_set_mapsize remaps the file under the reader).
  base::result<st::batch_result> apply(const st::store_batch& batch) noexcept override;

  // deferred_durability (marks are LMDB transaction ids). Without
  // defer_meta_sync every commit is durable at once.
  std::uint64_t committed_mark() const noexcept override { return committed_txn_; }
  std::uint64_t durable_mark() const noexcept override { return durable_txn_; }
  base::result<bool> sync() noexcept override;

  std::uint64_t map_size_bytes() const noexcept { return map_size_; }
  // Test hook: flips the last byte of a stored message record (durably).
  base::result<bool> corrupt_for_test(st::stream_id stream, std::uint64_t seq) noexcept;
  // Test hook: flips the last byte of a catalog record (durably).
  base::result<bool> corrupt_catalog_for_test(std::string_view key) noexcept;

  class write_txn;  // lmdb_store_apply.cpp

 private:
  lmdb_store() = default;
  base::result<bool> init(const lmdb_store_options& options) noexcept;
  int apply_once(const st::store_batch& batch, st::batch_result& out, std::string& error) noexcept;
  void note_commit(std::uint64_t txn_id) noexcept;
  base::result<bool> corrupt_value(MDB_dbi dbi, const std::string& key) noexcept;

  MDB_env* env_ = nullptr;
  mutable MDB_txn* rtxn_ = nullptr;
  mutable std::uint32_t read_depth_ = 0;  // nested read_scopes sharing rtxn_
  MDB_dbi msgs_ = 0, subj_ = 0, subjc_ = 0, meta_ = 0, cons_ = 0, catalog_ = 0;
  std::uint64_t map_size_ = 0;
  std::uint64_t map_size_max_ = 0;
  st::store_limits limits_;
  bool defer_meta_sync_ = false;
  std::uint64_t committed_txn_ = 0;  // the last transaction that wrote
  std::uint64_t durable_txn_ = 0;    // the last one known to be on disk

  friend class read_scope;
  friend class write_txn;
};

}  // namespace natrium::native
