#pragma once
// The sublist's result cache: literal subject -> immutable match result.
//
// A fixed-capacity open-addressing table (linear probing, backward-shift
// deletion, load <= 1/2) over a slab of entries that are linked in insertion
// order. The table never rehashes and never iterates in hash order: eviction
// and for_each follow the FIFO list, so the cache's contents depend only on the
// sequence of operations, on every standard library [STYLE determinism].
//
// Bound: it never holds more than `max` entries. Putting into a full cache
// first evicts the oldest entries until `sweep_to` remain. max == 0 disables it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace natrium::subject {

struct match_result;

// A fast 64-bit string hash in the style of wyhash: 16 bytes per 64x64->128
// multiply, overlapping loads for the tail. It only decides where entries sit
// in a table, never any observable order.
namespace hash_detail {
inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline std::uint64_t load32(const char* p) noexcept {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
__extension__ typedef unsigned __int128 u128;
inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) noexcept {
  const u128 r = static_cast<u128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
}  // namespace hash_detail

inline std::uint64_t hash_key(std::string_view s) noexcept {
  using namespace hash_detail;
  constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL;
  constexpr std::uint64_t k1 = 0xe7037ed1a0b428dbULL;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t seed = k0 ^ n;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n <= 16) {
    if (n >= 4) {
      const std::size_t off = (n >> 3) << 2;
      a = (load32(p) << 32) | load32(p + off);
      b = (load32(p + n - 4) << 32) | load32(p + n - 4 - off);
    } else if (n > 0) {
      a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
          (std::uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) | static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    std::size_t i = n;
    for (; i > 16; i -= 16, p += 16) seed = mum(load64(p) ^ k1, load64(p + 8) ^ seed);
    a = load64(p + i - 16);
    b = load64(p + i - 8);
  }
  return mum(k1 ^ n, mum(a ^ k1, b ^ seed));
}

class sublist_cache {
 public:
  using result_ptr = std::shared_ptr<const match_result>;

  sublist_cache(std::size_t max, std::size_t sweep_to);
  ~sublist_cache();
  sublist_cache(const sublist_cache&) = delete;
  sublist_cache& operator=(const sublist_cache&) = delete;

  bool enabled() const noexcept { return max_ != 0; }
  std::size_t size() const noexcept { return size_; }
  std::size_t max() const noexcept { return max_; }

  // The cached result for `key`, or nullptr. One probe sequence, no allocation.
  result_ptr* find(std::string_view key) noexcept {
    const std::uint32_t index = find_index(key, hash_key(key));
    return index == none ? nullptr : &entries_[index].result;
  }
  const result_ptr* find(std::string_view key) const noexcept {
    const std::uint32_t index = find_index(key, hash_key(key));
    return index == none ? nullptr : &entries_[index].result;
  }

  // Adds `key` (which must be absent). No-op when disabled.
  void put(std::string_view key, result_ptr result);
  void clear() noexcept;

  // fn(std::string_view key, result_ptr& result) for every entry, oldest
  // first; fn may replace the result but must not put or clear.
  template <typename Fn>
  void for_each(Fn&& fn) {
    for (std::uint32_t i = head_; i != none; i = entries_[i].next) {
      fn(std::string_view(entries_[i].key), entries_[i].result);
    }
  }

  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (std::uint32_t i = head_; i != none; i = entries_[i].next) {
      fn(std::string_view(entries_[i].key), entries_[i].result);
    }
  }

  // The keys, oldest first (tests and monitoring).
  std::vector<std::string> keys() const;

 private:
  static constexpr std::uint32_t none = 0xffffffffU;

  struct entry {
    std::string key;
    result_ptr result;
    std::uint64_t hash = 0;
    std::uint32_t next = none;  // the next newer entry (FIFO order)
  };
  struct slot {
    std::uint32_t index = none;  // entry index, or none when empty
    std::uint32_t tag = 0;       // high bits of the hash, to skip most key compares
  };

  static std::uint32_t tag_of(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 32); }

  std::uint32_t find_index(std::string_view key, std::uint64_t h) const noexcept {
    for (std::size_t pos = h & mask_;; pos = (pos + 1) & mask_) {
      const slot s = slots_[pos];
      if (s.index == none) return none;
      if (s.tag == tag_of(h)) {
        const entry& e = entries_[s.index];
        if (e.hash == h && e.key == key) return s.index;
      }
    }
  }

  std::size_t slot_of(std::uint32_t index) const noexcept;
  void erase_slot(std::size_t pos) noexcept;
  void evict_oldest() noexcept;

  std::size_t max_;
  std::size_t sweep_to_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  std::uint32_t head_ = none;  // oldest
  std::uint32_t tail_ = none;  // newest
  std::vector<entry> entries_;       // max_ entries, allocated once
  std::vector<std::uint32_t> free_;  // unused entry indexes (a stack)
  std::vector<slot> slots_;          // power of two, >= 2 * max_
};

}  // namespace natrium::subject
