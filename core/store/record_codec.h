#pragma once
// Binary encoding of store records, shared by every backend. Little-endian,
// versioned and checksummed (CRC32C, Castagnoli: SSE4.2 instructions on
// x86-64 when the CPU has them, else a slicing-by-8 table; same values).
// Layout:
//   [u8 kind][u8 version][u16 zero][u32 crc32c of bytes 8..end][body]
// message body:  u64 seq, i64 timestamp_ns, u32 subject_len, u32 headers_len,
//                u32 payload_len, subject, headers, payload
// consumer body: u64 x4 (delivered c/s, ack floor c/s), u32 n_pending,
//                n x (u64 stream_seq, u64 consumer_seq, i64 ts), u32 n_redelivered,
//                n x (u64 stream_seq, u64 count)
// stream body:   u64 msgs, bytes, first_seq, last_seq, i64 first_ts, last_ts,
//                u64 num_subjects
// catalog body:  u32 key_len, key, value (decoding checks the key it is stored
//                under, so a value misplaced under another key is detected)
// Decoding verifies the checksum and every length; failures are error results.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/store/store.h"

namespace natrium::store {

inline constexpr std::uint8_t record_version = 1;
inline constexpr std::size_t record_header_len = 8;
inline constexpr std::size_t message_fixed_len = record_header_len + 8 + 8 + 4 + 4 + 4;

enum class record_kind : std::uint8_t { message = 1, consumer = 2, stream = 3, catalog = 4 };

// Scans (store_reader::scan) verify the checksum of message records up to this
// size. Their bytes are in the page a scan reads anyway (LMDB keeps values
// over about 2 KiB on overflow pages), so it costs little; larger records are
// checked for structure only and verified in full when loaded.
inline constexpr std::size_t scan_verify_len_max = 2048;
static_assert(scan_verify_len_max > message_fixed_len);

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;
// The table form only (tests check that both forms agree).
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc = 0) noexcept;

std::string encode_message(const stored_msg& msg);
base::result<stored_msg> decode_message(std::string_view record) noexcept;
// The subject / seq of a message record without checksum verification, for
// index scans; the record is verified when it is actually loaded.
std::optional<std::string_view> peek_subject(std::string_view record) noexcept;
std::optional<std::int64_t> peek_timestamp(std::string_view record) noexcept;

// A message record's metadata; `subject` points into the record (no copies).
struct message_meta {
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;
  std::string_view subject;
  std::uint32_t headers_len = 0;
  std::uint32_t payload_len = 0;
};
// Checks kind, version, reserved bytes and lengths, and the checksum when
// `verify_checksum`; reads only the fixed header and the subject otherwise.
base::result<message_meta> decode_message_meta(std::string_view record, bool verify_checksum) noexcept;

std::string encode_consumer(const consumer_state& state);
base::result<consumer_state> decode_consumer(std::string_view record) noexcept;

// Stream bookkeeping (num_deleted is derived, not stored).
std::string encode_stream_state(const stream_state& state);
base::result<stream_state> decode_stream_state(std::string_view record) noexcept;

// A catalog value stored under `key`.
std::string encode_catalog(std::string_view key, std::string_view value);
base::result<std::string> decode_catalog(std::string_view record, std::string_view key) noexcept;

// num_deleted from the other fields.
std::uint64_t deleted_count(const stream_state& state) noexcept;

}  // namespace natrium::store
