#include "tests/sim/cluster/kv_machine.h"

namespace natrium::sim::cluster {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_str(std::string& out, const std::string& s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

struct reader {
  const std::string& s;
  std::size_t at = 0;
  bool ok = true;
  std::uint32_t u32() {
    if (at + 4 > s.size()) { ok = false; return 0; }
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
    at += 4;
    return v;
  }
  std::string str() {
    const std::uint32_t n = u32();
    if (!ok || at + n > s.size()) { ok = false; return {}; }
    std::string v = s.substr(at, n);
    at += n;
    return v;
  }
};

}  // namespace

std::string encode(const kv_command& c) {
  std::string out;
  out.push_back(c.is_cas ? 'C' : 'P');
  put_u32(out, static_cast<std::uint32_t>(c.client));
  put_u32(out, static_cast<std::uint32_t>(c.op));
  put_str(out, c.key);
  out.push_back(c.expected ? 1 : 0);
  put_str(out, c.expected.value_or(""));
  put_str(out, c.value);
  return out;
}

std::optional<kv_command> decode_command(const std::string& data) {
  if (data.empty() || (data[0] != 'C' && data[0] != 'P')) return std::nullopt;
  kv_command c;
  c.is_cas = data[0] == 'C';
  reader r{data, 1};
  c.client = static_cast<int>(r.u32());
  c.op = r.u32();
  c.key = r.str();
  if (!r.ok || r.at >= data.size()) return std::nullopt;
  const bool has_expected = data[r.at++] != 0;
  std::string expected = r.str();
  if (has_expected) c.expected = std::move(expected);
  c.value = r.str();
  if (!r.ok || r.at != data.size()) return std::nullopt;
  return c;
}

bool kv_machine::apply(const kv_command& c) {
  if (c.is_cas) {
    if (get(c.key) != c.expected) return false;
  }
  values_[c.key] = c.value;
  return true;
}

std::optional<std::string> kv_machine::get(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string kv_machine::snapshot() const {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(values_.size()));
  for (const auto& [k, v] : values_) {
    put_str(out, k);
    put_str(out, v);
  }
  return out;
}

bool kv_machine::restore(const std::string& image) {
  reader r{image};
  const std::uint32_t n = r.u32();
  std::map<std::string, std::string> m;
  for (std::uint32_t i = 0; i < n && r.ok; ++i) {
    std::string k = r.str();
    m[k] = r.str();
  }
  if (!r.ok || r.at != image.size()) return false;
  values_ = std::move(m);
  return true;
}

std::uint64_t kv_machine::digest() const {
  std::uint64_t h = 14695981039346656037ULL;
  for (char ch : snapshot()) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace natrium::sim::cluster
