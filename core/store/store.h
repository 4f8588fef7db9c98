#pragma once
// The storage contract for JetStream streams and consumers (pure C++, no I/O).
//
// Reads are synchronous through store_reader: noexcept, returning result<>. A
// message that does not exist is a successful empty optional; an error result
// always means the store itself failed (I/O error, checksum mismatch) and the
// caller must treat it as a storage failure (fence the node), never serve it.
//
// Writes are store_batch values (core/store/store_batch.h) applied by
// store::apply as one atomic unit: either every operation takes effect or none
// does. memory_store applies a batch at once; lmdb_store applies it in one
// durable write transaction, so a host can group-commit one loop turn.
//
// Backends: memory_store (core/store/memory_store.h), lmdb_store
// (native/lmdb_store.h), sim_disk (tests). All pass
// tests/unit/store/store_contract_test.cpp.
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"

namespace natrium::store {

// One stream inside a store. The store hosts many streams; ids are chosen by
// the caller (JetStream) and are stable across restarts.
struct stream_id {
  std::uint64_t value = 0;
  auto operator<=>(const stream_id&) const = default;
};

// A stream message as stored. The timestamp is wall time supplied by the
// caller (the leader stamps it; the core never reads clocks).
struct stored_msg {
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;
  std::string subject;
  std::string headers;
  std::string payload;
  bool operator==(const stored_msg&) const = default;
};

// Accounted size of one message (nats-server memStoreMsgSize).
inline std::uint64_t stored_size(std::size_t subject_len, std::size_t headers_len,
                                 std::size_t payload_len) noexcept {
  return static_cast<std::uint64_t>(subject_len + headers_len + payload_len) + 16u;
}

// Stream bookkeeping (nats-server StreamState, without the deleted list).
// Empty stream: msgs == 0, first_seq == last_seq + 1, first_ts_ns == 0.
struct stream_state {
  std::uint64_t msgs = 0;
  std::uint64_t bytes = 0;
  std::uint64_t first_seq = 1;
  std::uint64_t last_seq = 0;
  std::int64_t first_ts_ns = 0;
  std::int64_t last_ts_ns = 0;   // timestamp of the last appended message
  std::uint64_t num_subjects = 0;
  std::uint64_t num_deleted = 0;  // interior gaps: last - first + 1 - msgs
  bool operator==(const stream_state&) const = default;
};

// Consumer state (nats-server ConsumerState).
struct pending_entry {
  std::uint64_t consumer_seq = 0;
  std::int64_t timestamp_ns = 0;
  bool operator==(const pending_entry&) const = default;
};
struct consumer_state {
  std::uint64_t delivered_consumer_seq = 0;
  std::uint64_t delivered_stream_seq = 0;
  std::uint64_t ack_floor_consumer_seq = 0;
  std::uint64_t ack_floor_stream_seq = 0;
  std::map<std::uint64_t, pending_entry> pending;      // stream seq -> entry
  std::map<std::uint64_t, std::uint64_t> redelivered;  // stream seq -> count
  bool operator==(const consumer_state&) const = default;
};

// One stored message's metadata, without its headers or payload (store_reader::scan).
// `subject` points into the store and is valid only during the scan callback.
struct msg_meta_view {
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;
  std::uint64_t size = 0;  // stored_size(subject, headers, payload lengths)
  std::string_view subject;
  std::uint64_t headers_len = 0;
  // The record under this seq failed its checksum or does not decode: only
  // seq is meaningful. The scan goes on; loading it will fail.
  bool corrupt = false;
};

// Catalog entries (key, value), ordered by key bytewise.
using catalog_entries = std::vector<std::pair<std::string, std::string>>;

// Subject filters: "" and ">" match everything; otherwise NATS wildcard rules.
using subject_counts = std::map<std::string, std::uint64_t>;

class store_reader {
 public:
  virtual ~store_reader() = default;
  // Message `seq` of `stream`, or empty if absent (deleted, purged, never stored).
  virtual base::result<std::optional<stored_msg>> load(stream_id stream, std::uint64_t seq) const noexcept = 0;
  // The message with the highest sequence whose subject matches `filter`.
  virtual base::result<std::optional<stored_msg>> load_last(stream_id stream,
                                                            std::string_view filter) const noexcept = 0;
  // The first message with seq >= `start_seq` whose subject matches `filter`.
  virtual base::result<std::optional<stored_msg>> load_next(stream_id stream, std::string_view filter,
                                                            std::uint64_t start_seq) const noexcept = 0;
  // O(1) bookkeeping. A stream never written has the default state.
  virtual base::result<stream_state> state(stream_id stream) const noexcept = 0;
  // Message count per distinct subject matching `filter` (ordered by subject).
  virtual base::result<subject_counts> subjects_filter(stream_id stream,
                                                       std::string_view filter) const noexcept = 0;
  // Sequence of the last message on literal `subject`, 0 if none.
  virtual base::result<std::uint64_t> last_seq_for_subject(stream_id stream,
                                                           std::string_view subject) const noexcept = 0;
  // Saved consumer state, or empty if none.
  virtual base::result<std::optional<consumer_state>> load_consumer(stream_id stream,
                                                                    std::string_view name) const noexcept = 0;
  // Names of the streams holding anything (messages, bookkeeping or consumers).
  virtual base::result<std::vector<stream_id>> streams() const noexcept = 0;
  // Every catalog entry (op_put_catalog) whose key starts with `prefix` ("" for
  // all), ordered by key bytewise. Values are checksummed like other records.
  virtual base::result<std::vector<std::pair<std::string, std::string>>> catalog(
      std::string_view prefix) const noexcept = 0;
  // Visits every stored message of `stream` with seq >= from_seq in ascending
  // seq order, without loading headers or payloads (index rebuild at startup).
  // `fn` returns false to stop; the result is true if the scan reached the end,
  // false if fn stopped it. Records up to scan_verify_len_max bytes
  // (record_codec.h) are checksummed during the scan; larger ones are checked
  // for structure only and fully verified when loaded. `fn` may call this
  // store's read methods but must not apply batches to it.
  virtual base::result<bool> scan(stream_id stream, std::uint64_t from_seq,
                                  const std::function<bool(const msg_meta_view&)>& fn) const noexcept = 0;
};

}  // namespace natrium::store
