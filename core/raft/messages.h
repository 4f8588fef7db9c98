#pragma once
// The values Raft exchanges with its host and its peers: log entries, the hard
// state, snapshots, messages. Plain data; every record that is persisted or
// sent carries a CRC-32C checksum, computed by seal() and checked by valid().
// A record whose checksum does not match is never applied or acted upon.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace natrium::raft {

using peer_id = std::uint64_t;   // 0 = nobody
using term_t = std::uint64_t;    // 0 = before the first election
using index_t = std::uint64_t;   // log positions start at 1; 0 = empty log

// CRC-32C (Castagnoli) of bytes, continuing from `crc` (0 to start).
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size) noexcept;

enum class entry_type : std::uint8_t {
  normal = 0,  // application data (a state-machine command)
  config = 1,  // a membership change (data: encode_config_change)
  empty = 2,   // the no-op a new leader appends to commit earlier terms' entries
};

struct entry {
  term_t term = 0;
  index_t index = 0;
  entry_type type = entry_type::normal;
  std::string data;
  std::uint32_t checksum = 0;

  void seal() noexcept;          // checksum = the CRC of every other field
  bool valid() const noexcept;   // checksum matches
  bool operator==(const entry&) const = default;
};

// [raft part 1] What an entry counts for in byte limits (append batches,
// committed batches): its data plus a fixed per-entry overhead, so that empty
// entries are not free.
inline constexpr std::size_t entry_overhead_bytes = 24;
inline std::size_t entry_bytes(const entry& e) noexcept { return e.data.size() + entry_overhead_bytes; }

// Membership: the set of voters. Single-server changes only (add, remove one
// voter at a time; "replace" is a remove after an add), effective when the
// config entry is appended, as in the Raft thesis (section 4.1).
struct membership {
  std::vector<peer_id> voters;   // sorted, unique
  bool contains(peer_id p) const noexcept;
  std::size_t quorum() const noexcept { return voters.size() / 2 + 1; }
  bool operator==(const membership&) const = default;
};

enum class change_type : std::uint8_t { add_voter = 0, remove_voter = 1 };
struct config_change {
  change_type type = change_type::add_voter;
  peer_id peer = 0;
  bool operator==(const config_change&) const = default;
};
std::string encode_config_change(const config_change& c);
std::optional<config_change> decode_config_change(const std::string& data);

// [raft part 1] A config entry's data is the change followed by the complete
// membership that results from it (encode_config_entry). Carrying the result,
// not only the delta, lets a node that replays the log from index 1 without
// knowing the cluster's initial voters (a voter added later) learn the right
// set, and makes every node agree on it byte for byte.
// Layout: encode_config_change (9 bytes: type, peer LE64), count LE32, voters LE64 each.
struct config_entry_data {
  config_change change;
  membership after;
  bool operator==(const config_entry_data&) const = default;
};
std::string encode_config_entry(const config_entry_data& c);
std::optional<config_entry_data> decode_config_entry(const std::string& data);

// Persisted before any message that depends on it is sent.
struct hard_state {
  term_t term = 0;
  peer_id vote = 0;     // whom this node voted for in `term` (0: nobody)
  index_t commit = 0;   // a hint: commit is never lowered, and never above the log
  // Repairing (a damaged log was cut at restart): no vote until the log
  // reaches this index. Persisted, so that a restart in the middle of the
  // repair, after the damaged records were rewritten, does not forget it.
  index_t repair_until = 0;
  std::uint32_t checksum = 0;

  void seal() noexcept;
  bool valid() const noexcept;
  bool operator==(const hard_state&) const = default;
};

// The state machine's state at (index, term) with the membership at that
// point; the log before index+1 can then be dropped.
struct snapshot {
  index_t index = 0;
  term_t term = 0;
  membership members;
  std::string data;     // opaque: the host's state-machine image
  std::uint32_t checksum = 0;

  void seal() noexcept;
  bool valid() const noexcept;
  bool operator==(const snapshot&) const = default;
};

enum class msg_type : std::uint8_t {
  append = 0,            // entries after (index, log_term), commit
  append_response = 1,   // reject=false: index = last matching index; reject=true: reject_hint
  vote = 2,              // candidate's last (index, log_term)
  vote_response = 3,     // reject = vote refused
  pre_vote = 4,          // term = the term the sender would campaign in; changes nobody's term
  pre_vote_response = 5,
  heartbeat = 6,         // commit (bounded by the follower's match), context (read index round)
  heartbeat_response = 7,
  install_snapshot = 8,  // snap
  timeout_now = 9,       // leadership transfer: campaign now, skipping pre-vote
};

inline constexpr std::uint64_t vote_context_transfer = 1;

struct message {
  msg_type type = msg_type::append;
  peer_id from = 0;
  peer_id to = 0;
  term_t term = 0;
  term_t log_term = 0;
  index_t index = 0;
  std::vector<entry> entries;
  index_t commit = 0;
  bool reject = false;
  index_t reject_hint = 0;
  std::optional<snapshot> snap;
  std::uint64_t context = 0;   // read-index rounds (heartbeat / heartbeat_response);
                               // vote / pre_vote: vote_context_transfer marks an election
                               // started by timeout_now, which ignores leader stickiness
  std::uint32_t checksum = 0;  // over every field above, entries and snapshot included

  void seal() noexcept;
  bool valid() const noexcept;
  bool operator==(const message&) const = default;
};

}  // namespace natrium::raft
