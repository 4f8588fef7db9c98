#include "core/subject/sublist_cache.h"

#include <utility>

#include "core/base/assert.h"

namespace natrium::subject {

namespace {
std::size_t table_size_for(std::size_t max) noexcept {
  std::size_t n = 8;
  while (n < 2 * max) n *= 2;
  return n;
}
}  // namespace

sublist_cache::sublist_cache(std::size_t max, std::size_t sweep_to)
    : max_(max), sweep_to_(sweep_to) {
  if (max_ != 0) NATRIUM_ASSERT(sweep_to_ < max_);
  NATRIUM_ASSERT(max_ < none / 2);
  const std::size_t table_size = table_size_for(max_);
  mask_ = table_size - 1;
  slots_.resize(table_size);
  entries_.resize(max_);
  free_.reserve(max_);
  for (std::size_t i = max_; i > 0; --i) free_.push_back(static_cast<std::uint32_t>(i - 1));
}

sublist_cache::~sublist_cache() = default;

void sublist_cache::put(std::string_view key, result_ptr result) {
  if (max_ == 0) return;
  NATRIUM_ASSERT(result != nullptr);
  const std::uint64_t h = hash_key(key);
  NATRIUM_ASSERT(find_index(key, h) == none);
  if (size_ == max_) {
    while (size_ > sweep_to_) evict_oldest();
  }
  NATRIUM_ASSERT(!free_.empty());
  const std::uint32_t index = free_.back();
  free_.pop_back();
  entry& e = entries_[index];
  e.key.assign(key);
  e.result = std::move(result);
  e.hash = h;
  e.next = none;
  if (tail_ != none) entries_[tail_].next = index;
  tail_ = index;
  if (head_ == none) head_ = index;
  std::size_t pos = h & mask_;
  while (slots_[pos].index != none) pos = (pos + 1) & mask_;
  slots_[pos] = slot{index, tag_of(h)};
  ++size_;
  NATRIUM_ASSERT(size_ <= max_);
}

void sublist_cache::clear() noexcept {
  while (head_ != none) evict_oldest();
  NATRIUM_ASSERT(size_ == 0);
  NATRIUM_ASSERT(tail_ == none);
}

std::vector<std::string> sublist_cache::keys() const {
  std::vector<std::string> out;
  out.reserve(size_);
  for (std::uint32_t i = head_; i != none; i = entries_[i].next) out.push_back(entries_[i].key);
  NATRIUM_ASSERT(out.size() == size_);
  return out;
}

std::size_t sublist_cache::slot_of(std::uint32_t index) const noexcept {
  const std::uint64_t h = entries_[index].hash;
  for (std::size_t pos = h & mask_;; pos = (pos + 1) & mask_) {
    NATRIUM_ASSERT(slots_[pos].index != none);
    if (slots_[pos].index == index) return pos;
  }
}

// Backward-shift deletion: walk the cluster after the hole and move back every
// entry whose home slot lies at or before the hole, so probes stay unbroken.
void sublist_cache::erase_slot(std::size_t pos) noexcept {
  std::size_t hole = pos;
  for (std::size_t i = (pos + 1) & mask_; slots_[i].index != none; i = (i + 1) & mask_) {
    const std::size_t home = entries_[slots_[i].index].hash & mask_;
    if (((i - home) & mask_) >= ((i - hole) & mask_)) {
      slots_[hole] = slots_[i];
      hole = i;
    }
  }
  slots_[hole] = slot{};
}

void sublist_cache::evict_oldest() noexcept {
  const std::uint32_t index = head_;
  NATRIUM_ASSERT(index != none);
  NATRIUM_ASSERT(size_ > 0);
  erase_slot(slot_of(index));
  entry& e = entries_[index];
  head_ = e.next;
  if (tail_ == index) tail_ = none;
  e.key.clear();
  e.result.reset();
  e.next = none;
  free_.push_back(index);
  --size_;
}

}  // namespace natrium::subject
