#pragma once
// Binary encoding of store records, shared by every backend. Little-endian,
// versioned and checksummed (CRC32C, Castagnoli, software table). Layout:
//   [u8 kind][u8 version][u16 zero][u32 crc32c of bytes 8..end][body]
// message body:  u64 seq, i64 timestamp_ns, u32 subject_len, u32 headers_len,
//                u32 payload_len, subject, headers, payload
// consumer body: u64 x4 (delivered c/s, ack floor c/s), u32 n_pending,
//                n x (u64 stream_seq, u64 consumer_seq, i64 ts), u32 n_redelivered,
//                n x (u64 stream_seq, u64 count)
// stream body:   u64 msgs, bytes, first_seq, last_seq, i64 first_ts, last_ts,
//                u64 num_subjects
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

enum class record_kind : std::uint8_t { message = 1, consumer = 2, stream = 3 };

std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;

std::string encode_message(const stored_msg& msg);
base::result<stored_msg> decode_message(std::string_view record) noexcept;
// The subject / seq of a message record without checksum verification, for
// index scans; the record is verified when it is actually loaded.
std::optional<std::string_view> peek_subject(std::string_view record) noexcept;
std::optional<std::int64_t> peek_timestamp(std::string_view record) noexcept;

std::string encode_consumer(const consumer_state& state);
base::result<consumer_state> decode_consumer(std::string_view record) noexcept;

// Stream bookkeeping (num_deleted is derived, not stored).
std::string encode_stream_state(const stream_state& state);
base::result<stream_state> decode_stream_state(std::string_view record) noexcept;

// num_deleted from the other fields.
std::uint64_t deleted_count(const stream_state& state) noexcept;

}  // namespace natrium::store
