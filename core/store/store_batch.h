#pragma once
// Writes to a store: a store_batch of operations applied atomically by
// store::apply (all or nothing). One batch may touch many streams.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/base/result.h"
#include "core/store/store.h"

namespace natrium::store {

// Append message `seq`; seq must be last_seq + 1 (the stream's next sequence).
struct op_append {
  stream_id stream;
  stored_msg msg;
};
// Remove one message. Absent: no effect (removed count 0). `erase` overwrites
// the stored bytes before removal (nats-server EraseMsg).
struct op_delete {
  stream_id stream;
  std::uint64_t seq = 0;
  bool erase = false;
};
// ADR-10 purge (nats-server PurgeEx): filter "" or ">" is the whole stream.
// seq > 1 removes matching messages below seq; keep > 0 keeps the newest
// `keep` matching messages; seq > 1 together with keep > 0 fails the batch.
struct op_purge {
  stream_id stream;
  std::string filter;
  std::uint64_t seq = 0;
  std::uint64_t keep = 0;
};
// Remove every message below seq. seq == 0 purges everything. Past the end,
// the stream becomes empty with first_seq == seq (next append is seq).
struct op_compact {
  stream_id stream;
  std::uint64_t seq = 0;
};
struct op_save_consumer {
  stream_id stream;
  std::string name;
  consumer_state state;
};
struct op_delete_consumer {
  stream_id stream;
  std::string name;
};
// Removes the stream's messages, bookkeeping and consumers; not its catalog
// entries (the caller deletes those explicitly).
struct op_delete_stream {
  stream_id stream;
};
// Catalog: durable key/value metadata (stream and consumer configurations).
// Keys are 1..catalog_key_len_max bytes, ordered bytewise; values are opaque.
// Put replaces any previous value; deleting an absent key has no effect
// (removed count 0; 1 if it removed an entry).
struct op_put_catalog {
  std::string key;
  std::string value;
};
struct op_delete_catalog {
  std::string key;
};

using store_op = std::variant<op_append, op_delete, op_purge, op_compact, op_save_consumer,
                              op_delete_consumer, op_delete_stream, op_put_catalog, op_delete_catalog>;

struct store_batch {
  std::vector<store_op> ops;
};

// Per operation, how many messages it removed (purge/compact/delete replies);
// op_delete_catalog counts the catalog entry it removed (0 or 1).
struct batch_result {
  std::vector<std::uint64_t> removed;
};

// Store-wide ceilings; an operation beyond one fails its batch.
struct store_limits {
  std::uint64_t subject_len_max = 4096;
  std::uint64_t record_len_max = 64u * 1024u * 1024u + 64u * 1024u;
  std::uint64_t consumer_name_len_max = 4096;
  std::uint64_t catalog_key_len_max = 480;  // LMDB keys are at most 511 bytes
  std::uint64_t bytes_max = UINT64_MAX;  // memory_store: total stored bytes
};

class store : public store_reader {
 public:
  // Applies every op of `batch` in order, or none of them (error result).
  virtual base::result<batch_result> apply(const store_batch& batch) noexcept = 0;
};

}  // namespace natrium::store
