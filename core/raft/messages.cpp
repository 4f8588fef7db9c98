// CRC-32C, the checksums of every raft record, and the config change codec.
// Checksums cover a fixed little-endian serialisation of each field, so they
// are the same on every host (native and em++).
#include "core/raft/messages.h"

#include <algorithm>
#include <array>

#include "core/base/assert.h"

namespace natrium::raft {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc32c_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> crc32c_table = make_crc32c_table();

// Slicing-by-8: the same CRC, eight bytes per step (the tables extend the
// byte table: slice[k][i] is the CRC of byte i followed by k zero bytes).
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_slices() {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  t[0] = make_crc32c_table();
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}
constexpr std::array<std::array<std::uint32_t, 256>, 8> crc32c_slices = make_slices();

// Feeds fields into a running CRC in a fixed layout.
class hasher {
 public:
  void u8(std::uint8_t v) noexcept { crc_ = crc32c(crc_, &v, 1); }
  void u64(std::uint64_t v) noexcept {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    crc_ = crc32c(crc_, b, 8);
  }
  void str(const std::string& s) noexcept {
    u64(s.size());
    crc_ = crc32c(crc_, s.data(), s.size());
  }
  void entry_fields(const entry& e) noexcept {
    u64(e.term);
    u64(e.index);
    u8(static_cast<std::uint8_t>(e.type));
    str(e.data);
  }
  void members(const membership& m) noexcept {
    u64(m.voters.size());
    for (peer_id p : m.voters) u64(p);
  }
  void snapshot_fields(const snapshot& s) noexcept {
    u64(s.index);
    u64(s.term);
    members(s.members);
    str(s.data);
  }
  std::uint32_t value() const noexcept { return crc_; }

 private:
  std::uint32_t crc_ = 0;
};

std::uint32_t entry_crc(const entry& e) noexcept {
  hasher h;
  h.u8('E');
  h.entry_fields(e);
  return h.value();
}

std::uint32_t hard_crc(const hard_state& s) noexcept {
  hasher h;
  h.u8('H');
  h.u64(s.term);
  h.u64(s.vote);
  h.u64(s.commit);
  h.u64(s.repair_until);
  return h.value();
}

std::uint32_t snapshot_crc(const snapshot& s) noexcept {
  hasher h;
  h.u8('S');
  h.snapshot_fields(s);
  return h.value();
}

std::uint32_t message_crc(const message& m) noexcept {
  hasher h;
  h.u8('M');
  h.u8(static_cast<std::uint8_t>(m.type));
  h.u64(m.from);
  h.u64(m.to);
  h.u64(m.term);
  h.u64(m.log_term);
  h.u64(m.index);
  h.u64(m.entries.size());
  for (const entry& e : m.entries) {
    h.entry_fields(e);
    h.u64(e.checksum);
  }
  h.u64(m.commit);
  h.u8(m.reject ? 1 : 0);
  h.u64(m.reject_hint);
  h.u8(m.snap ? 1 : 0);
  if (m.snap) {
    h.snapshot_fields(*m.snap);
    h.u64(m.snap->checksum);
  }
  h.u64(m.context);
  return h.value();
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t get_u64(const std::string& in, std::size_t at) {
  NATRIUM_ASSERT(at + 8 <= in.size());
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

constexpr std::size_t change_size = 9;

}  // namespace

std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  std::size_t i = 0;
  const auto& t = crc32c_slices;
  for (; i + 8 <= size; i += 8) {
    const std::uint32_t lo = crc ^ (static_cast<std::uint32_t>(p[i]) | static_cast<std::uint32_t>(p[i + 1]) << 8 |
                                    static_cast<std::uint32_t>(p[i + 2]) << 16 | static_cast<std::uint32_t>(p[i + 3]) << 24);
    const std::uint32_t hi = static_cast<std::uint32_t>(p[i + 4]) | static_cast<std::uint32_t>(p[i + 5]) << 8 |
                             static_cast<std::uint32_t>(p[i + 6]) << 16 | static_cast<std::uint32_t>(p[i + 7]) << 24;
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][hi & 0xFF] ^
          t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
  }
  for (; i < size; ++i) crc = crc32c_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void entry::seal() noexcept { checksum = entry_crc(*this); }
bool entry::valid() const noexcept { return checksum == entry_crc(*this); }
void hard_state::seal() noexcept { checksum = hard_crc(*this); }
bool hard_state::valid() const noexcept { return checksum == hard_crc(*this); }
void snapshot::seal() noexcept { checksum = snapshot_crc(*this); }
bool snapshot::valid() const noexcept { return checksum == snapshot_crc(*this); }
void message::seal() noexcept { checksum = message_crc(*this); }
bool message::valid() const noexcept { return checksum == message_crc(*this); }

bool membership::contains(peer_id p) const noexcept {
  return std::binary_search(voters.begin(), voters.end(), p);
}

std::string encode_config_change(const config_change& c) {
  std::string out;
  out.push_back(static_cast<char>(c.type));
  put_u64(out, c.peer);
  NATRIUM_ASSERT(out.size() == change_size);
  return out;
}

std::optional<config_change> decode_config_change(const std::string& data) {
  if (data.size() != change_size) return std::nullopt;
  const auto t = static_cast<std::uint8_t>(data[0]);
  if (t > static_cast<std::uint8_t>(change_type::remove_voter)) return std::nullopt;
  config_change c;
  c.type = static_cast<change_type>(t);
  c.peer = get_u64(data, 1);
  if (c.peer == 0) return std::nullopt;
  return c;
}

std::string encode_config_entry(const config_entry_data& c) {
  NATRIUM_ASSERT(std::is_sorted(c.after.voters.begin(), c.after.voters.end()));
  std::string out = encode_config_change(c.change);
  const auto n = static_cast<std::uint32_t>(c.after.voters.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(n >> (8 * i)));
  for (peer_id p : c.after.voters) put_u64(out, p);
  NATRIUM_ASSERT(out.size() == change_size + 4 + 8 * c.after.voters.size());
  return out;
}

std::optional<config_entry_data> decode_config_entry(const std::string& data) {
  if (data.size() < change_size + 4) return std::nullopt;
  auto change = decode_config_change(data.substr(0, change_size));
  if (!change) return std::nullopt;
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= std::uint32_t(static_cast<unsigned char>(data[change_size + i])) << (8 * i);
  if (data.size() != change_size + 4 + 8 * std::size_t(n)) return std::nullopt;
  config_entry_data out;
  out.change = *change;
  for (std::uint32_t i = 0; i < n; ++i) {
    const peer_id p = get_u64(data, change_size + 4 + 8 * std::size_t(i));
    if (p == 0) return std::nullopt;
    if (!out.after.voters.empty() && p <= out.after.voters.back()) return std::nullopt;  // sorted, unique
    out.after.voters.push_back(p);
  }
  return out;
}

}  // namespace natrium::raft
