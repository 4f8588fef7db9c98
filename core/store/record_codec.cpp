#include "core/store/record_codec.h"

#include <array>
#include <cstring>

namespace natrium::store {
namespace {

// crc_tables[0] is the byte-at-a-time table; crc_tables[k][b] is the CRC of
// byte b followed by k zero bytes (slicing-by-8).
using crc_table_set = std::array<std::array<std::uint32_t, 256>, 8>;
constexpr crc_table_set make_crc_tables() {
  crc_table_set t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : (c >> 1);
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
  return t;
}
constexpr crc_table_set crc_tables = make_crc_tables();
static_assert(crc_tables[0][1] == 0xF26B8303u);
static_assert(crc_tables[0][128] == 0x82F63B78u);

std::uint32_t load_le32(const unsigned char* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// `crc` is the running (inverted) register; the caller inverts before and after.
std::uint32_t crc32c_sliced(const unsigned char* p, std::size_t n, std::uint32_t crc) noexcept {
  const auto& t = crc_tables;
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint32_t lo = crc ^ load_le32(p);
    const std::uint32_t hi = load_le32(p + 4);
    crc = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFFu] ^ t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) crc = t[0][(crc ^ *p) & 0xFFu] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NATRIUM_CRC32C_HW 1
// The SSE4.2 crc32 instruction computes the same CRC32C (same polynomial,
// reflected, register not inverted), 8 bytes per instruction.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_hw(const unsigned char* p, std::size_t n,
                                                         std::uint32_t crc) noexcept {
  std::uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);  // x86-64 is little-endian, as the table form assumes
    c = __builtin_ia32_crc32di(c, v);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = __builtin_ia32_crc32qi(c32, *p);
  return c32;
}
bool cpu_has_sse42() noexcept { return __builtin_cpu_supports("sse4.2") != 0; }
#endif

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}

// Bounds-checked little-endian reader over one record.
class reader {
 public:
  explicit reader(std::string_view s, std::size_t pos) : s_(s), pos_(pos) {}
  bool u32(std::uint32_t& v) noexcept {
    if (s_.size() - pos_ < 4) return false;
    v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s_[pos_ + static_cast<std::size_t>(i)]);
    pos_ += 4;
    return true;
  }
  bool u64(std::uint64_t& v) noexcept {
    if (s_.size() - pos_ < 8) return false;
    v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(s_[pos_ + static_cast<std::size_t>(i)]);
    pos_ += 8;
    return true;
  }
  bool i64(std::int64_t& v) noexcept {
    std::uint64_t u = 0;
    if (!u64(u)) return false;
    v = static_cast<std::int64_t>(u);
    return true;
  }
  bool bytes(std::size_t n, std::string& out) {
    if (s_.size() - pos_ < n) return false;
    out.assign(s_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const noexcept { return pos_ == s_.size(); }
  std::size_t remaining() const noexcept { return s_.size() - pos_; }

 private:
  std::string_view s_;
  std::size_t pos_;
};

void begin_record(std::string& out, record_kind kind) {
  NATRIUM_ASSERT(out.empty());
  out.push_back(static_cast<char>(kind));
  out.push_back(static_cast<char>(record_version));
  out.append(6, '\0');  // u16 reserved + u32 crc, filled by seal_record
  NATRIUM_ASSERT(out.size() == record_header_len);
}

void seal_record(std::string& out) {
  NATRIUM_ASSERT(out.size() >= record_header_len);
  const std::uint32_t crc = crc32c(std::string_view(out).substr(record_header_len));
  for (int i = 0; i < 4; ++i) out[4 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xFFu);
  NATRIUM_ASSERT(crc32c(std::string_view(out).substr(record_header_len)) == crc);
}

// Checks size, kind, version and reserved bytes; returns an error text or null.
const char* check_header(std::string_view rec, record_kind kind) noexcept {
  NATRIUM_ASSERT(record_header_len == 8);
  if (rec.size() < record_header_len) return "store: record truncated";
  if (static_cast<std::uint8_t>(rec[0]) != static_cast<std::uint8_t>(kind)) return "store: record kind mismatch";
  if (static_cast<std::uint8_t>(rec[1]) != record_version) return "store: record version unknown";
  if (rec[2] != '\0' || rec[3] != '\0') return "store: record reserved bytes set";
  return nullptr;
}

// check_header, then the checksum; returns an error text or null.
const char* check_record(std::string_view rec, record_kind kind) noexcept {
  if (const char* e = check_header(rec, kind)) return e;
  NATRIUM_ASSERT(rec.size() >= record_header_len);
  std::uint32_t stored = 0;
  reader r(rec, 4);
  NATRIUM_ASSERT(r.u32(stored));
  if (crc32c(rec.substr(record_header_len)) != stored) return "store: record checksum mismatch";
  return nullptr;
}

}  // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) noexcept {
  NATRIUM_ASSERT(crc_tables[0][0] == 0u);
  NATRIUM_ASSERT(data.data() != nullptr || data.empty());
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
#ifdef NATRIUM_CRC32C_HW
  if (cpu_has_sse42()) return ~crc32c_hw(p, data.size(), ~crc);
#endif
  return ~crc32c_sliced(p, data.size(), ~crc);
}

std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc) noexcept {
  NATRIUM_ASSERT(crc_tables[0][0] == 0u);
  NATRIUM_ASSERT(data.data() != nullptr || data.empty());
  return ~crc32c_sliced(reinterpret_cast<const unsigned char*>(data.data()), data.size(), ~crc);
}

std::string encode_message(const stored_msg& msg) {
  NATRIUM_ASSERT(msg.seq > 0);
  NATRIUM_ASSERT(msg.subject.size() <= UINT32_MAX);
  NATRIUM_ASSERT(msg.headers.size() <= UINT32_MAX);
  NATRIUM_ASSERT(msg.payload.size() <= UINT32_MAX);
  std::string out;
  out.reserve(message_fixed_len + msg.subject.size() + msg.headers.size() + msg.payload.size());
  begin_record(out, record_kind::message);
  put_u64(out, msg.seq);
  put_u64(out, static_cast<std::uint64_t>(msg.timestamp_ns));
  put_u32(out, static_cast<std::uint32_t>(msg.subject.size()));
  put_u32(out, static_cast<std::uint32_t>(msg.headers.size()));
  put_u32(out, static_cast<std::uint32_t>(msg.payload.size()));
  out.append(msg.subject).append(msg.headers).append(msg.payload);
  seal_record(out);
  return out;
}

base::result<stored_msg> decode_message(std::string_view rec) noexcept {
  if (const char* e = check_record(rec, record_kind::message)) return base::error{e};
  reader r(rec, record_header_len);
  stored_msg m;
  std::uint32_t subject_len = 0, headers_len = 0, payload_len = 0;
  if (!r.u64(m.seq) || !r.i64(m.timestamp_ns) || !r.u32(subject_len) || !r.u32(headers_len) || !r.u32(payload_len))
    return base::error{"store: message record truncated"};
  if (r.remaining() != std::uint64_t{subject_len} + headers_len + payload_len)
    return base::error{"store: message record length mismatch"};
  NATRIUM_ASSERT(r.bytes(subject_len, m.subject));
  NATRIUM_ASSERT(r.bytes(headers_len, m.headers));
  NATRIUM_ASSERT(r.bytes(payload_len, m.payload));
  NATRIUM_ASSERT(r.done());
  if (m.seq == 0) return base::error{"store: message record has seq 0"};
  return m;
}

std::optional<std::string_view> peek_subject(std::string_view rec) noexcept {
  NATRIUM_ASSERT(message_fixed_len == 36);
  if (rec.size() < message_fixed_len) return std::nullopt;
  std::uint32_t subject_len = 0;
  reader r(rec, record_header_len + 16);
  NATRIUM_ASSERT(r.u32(subject_len));
  if (rec.size() - message_fixed_len < subject_len) return std::nullopt;
  return rec.substr(message_fixed_len, subject_len);
}

std::optional<std::int64_t> peek_timestamp(std::string_view rec) noexcept {
  NATRIUM_ASSERT(record_header_len + 16 <= message_fixed_len);
  if (rec.size() < message_fixed_len) return std::nullopt;
  std::int64_t ts = 0;
  reader r(rec, record_header_len + 8);
  NATRIUM_ASSERT(r.i64(ts));
  return ts;
}

base::result<message_meta> decode_message_meta(std::string_view rec, bool verify_checksum) noexcept {
  const record_kind kind = record_kind::message;
  if (const char* e = verify_checksum ? check_record(rec, kind) : check_header(rec, kind)) return base::error{e};
  reader r(rec, record_header_len);
  message_meta m;
  std::uint32_t subject_len = 0;
  if (!r.u64(m.seq) || !r.i64(m.timestamp_ns) || !r.u32(subject_len) || !r.u32(m.headers_len) ||
      !r.u32(m.payload_len))
    return base::error{"store: message record truncated"};
  if (r.remaining() != std::uint64_t{subject_len} + m.headers_len + m.payload_len)
    return base::error{"store: message record length mismatch"};
  if (m.seq == 0) return base::error{"store: message record has seq 0"};
  m.subject = rec.substr(message_fixed_len, subject_len);
  NATRIUM_ASSERT(m.subject.size() == subject_len);
  NATRIUM_ASSERT(rec.size() == message_fixed_len + subject_len + m.headers_len + m.payload_len);
  return m;
}

std::string encode_catalog(std::string_view key, std::string_view value) {
  NATRIUM_ASSERT(!key.empty());
  NATRIUM_ASSERT(key.size() <= UINT32_MAX);
  std::string out;
  out.reserve(record_header_len + 4 + key.size() + value.size());
  begin_record(out, record_kind::catalog);
  put_u32(out, static_cast<std::uint32_t>(key.size()));
  out.append(key).append(value);
  seal_record(out);
  return out;
}

base::result<std::string> decode_catalog(std::string_view rec, std::string_view key) noexcept {
  if (const char* e = check_record(rec, record_kind::catalog)) return base::error{e};
  reader r(rec, record_header_len);
  std::uint32_t key_len = 0;
  if (!r.u32(key_len) || r.remaining() < key_len) return base::error{"store: catalog record truncated"};
  const std::size_t value_at = record_header_len + 4 + key_len;
  if (rec.substr(record_header_len + 4, key_len) != key) return base::error{"store: catalog record key mismatch"};
  std::string value(rec.substr(value_at));
  NATRIUM_ASSERT(value_at + value.size() == rec.size());
  return value;
}

std::string encode_consumer(const consumer_state& s) {
  NATRIUM_ASSERT(s.pending.size() <= UINT32_MAX);
  NATRIUM_ASSERT(s.redelivered.size() <= UINT32_MAX);
  std::string out;
  out.reserve(record_header_len + 40 + 24 * s.pending.size() + 16 * s.redelivered.size());
  begin_record(out, record_kind::consumer);
  put_u64(out, s.delivered_consumer_seq);
  put_u64(out, s.delivered_stream_seq);
  put_u64(out, s.ack_floor_consumer_seq);
  put_u64(out, s.ack_floor_stream_seq);
  put_u32(out, static_cast<std::uint32_t>(s.pending.size()));
  for (const auto& [seq, p] : s.pending) {
    put_u64(out, seq);
    put_u64(out, p.consumer_seq);
    put_u64(out, static_cast<std::uint64_t>(p.timestamp_ns));
  }
  put_u32(out, static_cast<std::uint32_t>(s.redelivered.size()));
  for (const auto& [seq, n] : s.redelivered) {
    put_u64(out, seq);
    put_u64(out, n);
  }
  seal_record(out);
  return out;
}

base::result<consumer_state> decode_consumer(std::string_view rec) noexcept {
  if (const char* e = check_record(rec, record_kind::consumer)) return base::error{e};
  reader r(rec, record_header_len);
  consumer_state s;
  std::uint32_t n = 0;
  if (!r.u64(s.delivered_consumer_seq) || !r.u64(s.delivered_stream_seq) || !r.u64(s.ack_floor_consumer_seq) ||
      !r.u64(s.ack_floor_stream_seq) || !r.u32(n) || r.remaining() / 24 < n)
    return base::error{"store: consumer record truncated"};
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint64_t seq = 0;
    pending_entry p;
    NATRIUM_ASSERT(r.u64(seq) && r.u64(p.consumer_seq) && r.i64(p.timestamp_ns));
    s.pending.emplace(seq, p);
  }
  if (!r.u32(n) || r.remaining() != std::size_t{n} * 16) return base::error{"store: consumer record truncated"};
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint64_t seq = 0, count = 0;
    NATRIUM_ASSERT(r.u64(seq) && r.u64(count));
    s.redelivered.emplace(seq, count);
  }
  NATRIUM_ASSERT(r.done());
  return s;
}

std::string encode_stream_state(const stream_state& s) {
  NATRIUM_ASSERT(s.first_seq <= s.last_seq + 1);
  NATRIUM_ASSERT(s.msgs <= s.last_seq + 1 - s.first_seq);
  std::string out;
  out.reserve(record_header_len + 56);
  begin_record(out, record_kind::stream);
  put_u64(out, s.msgs);
  put_u64(out, s.bytes);
  put_u64(out, s.first_seq);
  put_u64(out, s.last_seq);
  put_u64(out, static_cast<std::uint64_t>(s.first_ts_ns));
  put_u64(out, static_cast<std::uint64_t>(s.last_ts_ns));
  put_u64(out, s.num_subjects);
  seal_record(out);
  return out;
}

base::result<stream_state> decode_stream_state(std::string_view rec) noexcept {
  if (const char* e = check_record(rec, record_kind::stream)) return base::error{e};
  reader r(rec, record_header_len);
  stream_state s;
  if (!r.u64(s.msgs) || !r.u64(s.bytes) || !r.u64(s.first_seq) || !r.u64(s.last_seq) || !r.i64(s.first_ts_ns) ||
      !r.i64(s.last_ts_ns) || !r.u64(s.num_subjects) || !r.done())
    return base::error{"store: stream record length mismatch"};
  if (s.first_seq > s.last_seq + 1 || s.msgs > s.last_seq + 1 - s.first_seq)
    return base::error{"store: stream record inconsistent"};
  s.num_deleted = deleted_count(s);
  NATRIUM_ASSERT(s.num_deleted <= s.last_seq);
  NATRIUM_ASSERT(r.done());
  return s;
}

std::uint64_t deleted_count(const stream_state& s) noexcept {
  NATRIUM_ASSERT(s.first_seq <= s.last_seq + 1);
  if (s.msgs == 0) return 0;
  const std::uint64_t span = s.last_seq + 1 - s.first_seq;
  NATRIUM_ASSERT(span >= s.msgs);
  return span - s.msgs;
}

}  // namespace natrium::store
