#pragma once
// memory_store: the in-memory backend (storage: memory, WASM, simulator).
// Messages are kept as checksummed records (record_codec) verified on every
// read. Per stream: seq -> record, and subject -> ordered seqs, so last by
// subject and per-subject counts are O(log n). Catalog entries are checksummed
// records too, in one ordered map. Batches are atomic through an undo journal:
// on failure every change made so far is reverted.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/store/store.h"
#include "core/store/store_batch.h"

namespace natrium::store {

class memory_store final : public store {
 public:
  explicit memory_store(store_limits limits = {}) noexcept;

  base::result<std::optional<stored_msg>> load(stream_id stream, std::uint64_t seq) const noexcept override;
  base::result<std::optional<stored_msg>> load_last(stream_id stream, std::string_view filter) const noexcept override;
  base::result<std::optional<stored_msg>> load_next(stream_id stream, std::string_view filter,
                                                    std::uint64_t start_seq) const noexcept override;
  base::result<stream_state> state(stream_id stream) const noexcept override;
  base::result<subject_counts> subjects_filter(stream_id stream, std::string_view filter) const noexcept override;
  base::result<std::uint64_t> last_seq_for_subject(stream_id stream, std::string_view subject) const noexcept override;
  base::result<std::optional<consumer_state>> load_consumer(stream_id stream,
                                                            std::string_view name) const noexcept override;
  base::result<std::vector<stream_id>> streams() const noexcept override;
  base::result<catalog_entries> catalog(std::string_view prefix) const noexcept override;
  base::result<bool> scan(stream_id stream, std::uint64_t from_seq,
                          const std::function<bool(const msg_meta_view&)>& fn) const noexcept override;
  base::result<batch_result> apply(const store_batch& batch) noexcept override;

  std::uint64_t total_bytes() const noexcept { return total_bytes_; }
  // Test hook: flips one byte of a stored message record (its last byte), so
  // the next read of it must fail the checksum. False if absent.
  bool corrupt_for_test(stream_id stream, std::uint64_t seq) noexcept;
  // Test hook: flips the last byte of a catalog record. False if absent.
  bool corrupt_catalog_for_test(std::string_view key) noexcept;

 private:
  using seq_set = std::set<std::uint64_t>;
  struct stream_data {
    std::map<std::uint64_t, std::string> msgs;  // seq -> message record
    std::map<std::string, seq_set, std::less<>> subjects;
    std::map<std::string, std::string, std::less<>> consumers;  // name -> consumer record
    stream_state st;  // num_subjects / num_deleted derived on read
  };
  // Undo journal entries, replayed in reverse on failure.
  struct j_appended { stream_id stream; std::uint64_t seq; };
  struct j_removed { stream_id stream; std::uint64_t seq; std::string record; bool erase; };
  struct j_state { stream_id stream; stream_state st; };
  struct j_consumer { stream_id stream; std::string name; std::optional<std::string> prev; };
  struct j_created { stream_id stream; };
  struct j_dropped { stream_id stream; stream_data data; };
  struct j_catalog { std::string key; std::optional<std::string> prev; };
  using journal_entry = std::variant<j_appended, j_removed, j_state, j_consumer, j_created, j_dropped, j_catalog>;

  base::result<std::uint64_t> apply_op(const store_op& op);
  base::result<std::uint64_t> do_append(const op_append& op);
  std::uint64_t do_delete(const op_delete& op);
  base::result<std::uint64_t> do_purge(const op_purge& op);
  std::uint64_t do_compact(stream_id stream, std::uint64_t seq);
  std::uint64_t purge_all(stream_id stream);
  base::result<std::uint64_t> do_save_consumer(const op_save_consumer& op);
  std::uint64_t do_delete_consumer(const op_delete_consumer& op);
  std::uint64_t do_delete_stream(const op_delete_stream& op);
  base::result<std::uint64_t> do_put_catalog(const op_put_catalog& op);
  std::uint64_t do_delete_catalog(const op_delete_catalog& op);

  stream_data& touch(stream_id stream);
  const stream_data* find(stream_id stream) const noexcept;
  void remove_msg(stream_id stream, stream_data& sd, std::uint64_t seq, bool erase);
  void fix_first(stream_data& sd);
  std::vector<std::uint64_t> matching(const stream_data& sd, std::string_view filter, std::uint64_t below_seq,
                                      std::uint64_t max_count) const;
  std::uint64_t matching_count(const stream_data& sd, std::string_view filter) const;
  void rollback();
  void commit();

  store_limits limits_;
  std::map<stream_id, stream_data> streams_;
  std::map<std::string, std::string, std::less<>> catalog_;  // key -> catalog record
  mutable std::uint32_t scans_active_ = 0;  // apply() during a scan is a programmer error
  std::uint64_t total_bytes_ = 0;
  std::uint64_t batch_total_bytes_ = 0;
  std::vector<journal_entry> journal_;
};

// Filter helpers shared by the backends.
bool filter_is_all(std::string_view filter) noexcept;
bool filter_is_literal(std::string_view filter) noexcept;
bool filter_matches(std::string_view filter, std::string_view subject) noexcept;

}  // namespace natrium::store
