#pragma once
// stream_index: the in-memory index of one stream's messages (no payloads):
// per sequence its subject, timestamp and accounted size; per subject its live
// sequences. JetStream's stream state machine decides limits, retention,
// purges, expected-sequence checks and consumer pending counts from it, so
// none of those ever scan the store. Rebuilt at startup from store_reader::scan.
//
// Memory: about 32 bytes per live message (24 in the seq index, 8 in its
// subject's seq list) plus one entry per distinct subject. Only live messages
// are stored, so memory does not grow with the seq span (a KV key written
// once at seq 1 next to one rewritten a billion times costs two entries).
// Both kinds of list are sorted blocks of at most 512 entries. n = live
// messages, s = distinct subjects. Lookups by seq or literal subject are
// O(log n); append is O(1) amortized; remove is O(log n + 512). Filters ""
// and ">" and literal filters are O(log n), except that count_matching also
// sums block sizes from the nearer end (about n / 1024 additions). A wildcard
// filter walks either messages or the s subjects, whichever the operation
// finds cheaper: about O(s log n) at most. Exceptions are marked below.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace natrium::jetstream {

struct msg_meta {
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;
  std::uint64_t size = 0;       // store::stored_size of the message
  std::string_view subject;     // valid until the message is removed
};

class stream_index {
 public:
  stream_index();
  ~stream_index();
  stream_index(stream_index&&) noexcept;
  stream_index& operator=(stream_index&&) noexcept;

  // Appends message `seq`; seq must be > last_seq() (gaps become deleted seqs).
  void append(std::uint64_t seq, std::string_view subject, std::int64_t timestamp_ns, std::uint64_t size);
  // Removes one message; false if it is not live.
  bool remove(std::uint64_t seq);
  // Removes every message; afterwards first_seq() == next_seq and last_seq()
  // == next_seq - 1. next_seq must be >= last_seq() + 1 (purge all: last + 1;
  // ADR-10 purge with a seq past the end: that seq). last_ts() is kept.
  void clear(std::uint64_t next_seq);

  std::uint64_t msgs() const noexcept;
  std::uint64_t bytes() const noexcept;
  // Empty stream: first_seq() == last_seq() + 1.
  std::uint64_t first_seq() const noexcept;
  std::uint64_t last_seq() const noexcept;
  std::int64_t first_ts() const noexcept;   // 0 when empty
  std::int64_t last_ts() const noexcept;    // timestamp of the last appended message (kept when removed)
  std::uint64_t num_subjects() const noexcept;
  std::uint64_t num_deleted() const noexcept;  // interior gaps between first and last

  bool contains(std::uint64_t seq) const noexcept;
  std::optional<msg_meta> get(std::uint64_t seq) const noexcept;
  // The oldest live message (first_seq), if any.
  std::optional<msg_meta> first() const noexcept;

  // Per literal subject: live count, oldest and newest live seq (0 if none).
  std::uint64_t subject_msgs(std::string_view subject) const noexcept;
  std::uint64_t subject_first_seq(std::string_view subject) const noexcept;
  std::uint64_t subject_last_seq(std::string_view subject) const noexcept;

  // Filters: "" and ">" match every subject; otherwise NATS wildcard matching.
  // First live seq >= from whose subject matches `filter`, or 0.
  std::uint64_t next_matching(std::string_view filter, std::uint64_t from) const;
  // Last live seq whose subject matches `filter`, or 0.
  std::uint64_t last_matching(std::string_view filter) const;
  // Live messages with seq >= from matching `filter` (consumer num_pending).
  std::uint64_t count_matching(std::string_view filter, std::uint64_t from) const;
  // Live count per distinct subject matching `filter`, ordered by subject; O(s).
  std::map<std::string, std::uint64_t> subjects_filter(std::string_view filter) const;
  // For each distinct subject matching `filter`, its last live seq, ascending
  // by seq, only those >= from (deliver_policy last_per_subject); O(s log s).
  std::vector<std::uint64_t> last_per_subject(std::string_view filter, std::uint64_t from) const;
  // The seqs an ADR-10 purge removes, ascending: matching `filter`, below
  // `below_seq` when it is > 1 (0 and 1 mean no bound, as in nats-server
  // PurgeEx), or all but the newest `keep` matching messages when keep > 0
  // (below_seq > 1 and keep > 0 together is a programmer error: the API
  // rejects it first). Does not remove them. O(n) at most.
  std::vector<std::uint64_t> select_purge(std::string_view filter, std::uint64_t below_seq,
                                          std::uint64_t keep) const;
  // Deleted seqs between first and last, ascending (deleted_details); O(n +
  // result).
  std::vector<std::uint64_t> deleted() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::jetstream
