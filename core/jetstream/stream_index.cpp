#include "core/jetstream/stream_index.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <utility>

#include "core/base/assert.h"
#include "core/store/memory_store.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {
namespace {

// Items per block of a block_list. Removing an item moves at most half a
// block; appending moves nothing.
constexpr std::size_t block_max = 512;
// Two neighbouring blocks holding this many items or fewer are merged, so
// blocks stay at least a quarter full on average.
constexpr std::size_t merge_max = block_max / 2;
static_assert(merge_max > 0 && merge_max < block_max);

// One live message. The size is a stored_size, bounded by the payload
// ceiling (64 MiB), so 32 bits hold it.
struct slot {
  std::uint64_t seq = 0;
  std::int64_t timestamp_ns = 0;
  std::uint32_t size = 0;
  std::uint32_t subject_id = 0;
};
static_assert(sizeof(slot) == 24);

std::uint64_t key_of(std::uint64_t seq) noexcept { return seq; }
std::uint64_t key_of(const slot& s) noexcept { return s.seq; }

// block_list: items with strictly increasing keys, kept in blocks of at most
// block_max. Only live items are stored (memory follows the live count, not
// the seq span). A block erases from its front by advancing `head`, so the
// oldest item goes in O(1); any other item in O(block_max); lookups are a
// binary search over blocks and then within one. Blocks are never empty.
template <class T>
class block_list {
 public:
  struct pos {
    std::size_t blk = 0;
    std::size_t idx = 0;  // into blocks_[blk].items, >= its head
  };

  std::uint64_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const T& front() const noexcept {
    NATRIUM_ASSERT(!blocks_.empty());
    return blocks_.front().items[blocks_.front().head];
  }
  const T& back() const noexcept {
    NATRIUM_ASSERT(!blocks_.empty());
    return blocks_.back().items.back();
  }
  pos begin() const noexcept { return pos{0, blocks_.empty() ? 0 : blocks_.front().head}; }
  bool is_end(pos p) const noexcept { return p.blk == blocks_.size(); }
  const T& at(pos p) const noexcept {
    NATRIUM_ASSERT(p.blk < blocks_.size());
    NATRIUM_ASSERT(p.idx >= blocks_[p.blk].head && p.idx < blocks_[p.blk].items.size());
    return blocks_[p.blk].items[p.idx];
  }

  // The first item with key >= `key`, or the end.
  pos lower_bound(std::uint64_t key) const noexcept {
    const auto b = std::partition_point(blocks_.begin(), blocks_.end(),
                                        [key](const block& x) { return x.last_key < key; });
    if (b == blocks_.end()) return pos{blocks_.size(), 0};
    const auto first = b->items.begin() + static_cast<std::ptrdiff_t>(b->head);
    const auto it = std::lower_bound(first, b->items.end(), key,
                                     [](const T& t, std::uint64_t k) { return key_of(t) < k; });
    NATRIUM_ASSERT(it != b->items.end());
    NATRIUM_ASSERT(key_of(*it) >= key);
    return pos{static_cast<std::size_t>(b - blocks_.begin()), static_cast<std::size_t>(it - b->items.begin())};
  }

  const T* find(std::uint64_t key) const noexcept {
    const pos p = lower_bound(key);
    if (is_end(p) || key_of(at(p)) != key) return nullptr;
    return &at(p);
  }

  void push_back(const T& item) {
    if (!blocks_.empty()) NATRIUM_ASSERT(key_of(item) > key_of(back()));
    if (blocks_.empty() || blocks_.back().items.size() >= block_max) blocks_.emplace_back();
    blocks_.back().items.push_back(item);
    blocks_.back().last_key = key_of(item);
    ++size_;
    NATRIUM_ASSERT(blocks_.back().items.size() <= block_max);
  }

  // Removes the item with `key`; empty if there is none.
  std::optional<T> erase(std::uint64_t key) {
    const pos p = lower_bound(key);
    if (is_end(p) || key_of(at(p)) != key) return std::nullopt;
    const T item = at(p);
    erase_at(p);
    NATRIUM_ASSERT(find(key) == nullptr);
    return item;
  }

  // How many items have key >= `key`: counts block sizes from the nearer end,
  // O(log n + blocks / 2).
  std::uint64_t count_ge(std::uint64_t key) const noexcept {
    const pos p = lower_bound(key);
    if (is_end(p)) return 0;
    const block& b = blocks_[p.blk];
    if (p.blk < blocks_.size() / 2) {
      std::uint64_t below = p.idx - b.head;
      for (std::size_t i = 0; i < p.blk; ++i) below += blocks_[i].live();
      NATRIUM_ASSERT(below < size_);
      return size_ - below;
    }
    std::uint64_t n = b.items.size() - p.idx;
    for (std::size_t i = p.blk + 1; i < blocks_.size(); ++i) n += blocks_[i].live();
    NATRIUM_ASSERT(n > 0 && n <= size_);
    return n;
  }

  // Calls f(item) from `p` on, ascending, until f returns true.
  template <class F>
  void scan_from(pos p, F&& f) const {
    for (std::size_t bi = p.blk; bi < blocks_.size(); ++bi) {
      const block& b = blocks_[bi];
      for (std::size_t i = bi == p.blk ? p.idx : b.head; i < b.items.size(); ++i)
        if (f(b.items[i])) return;
    }
  }
  // Calls f(item) from the newest item down until f returns true.
  template <class F>
  void scan_back(F&& f) const {
    for (std::size_t bi = blocks_.size(); bi-- > 0;) {
      const block& b = blocks_[bi];
      for (std::size_t i = b.items.size(); i-- > b.head;)
        if (f(b.items[i])) return;
    }
  }

  void clear() noexcept {
    std::vector<block>().swap(blocks_);
    size_ = 0;
  }

 private:
  struct block {
    std::vector<T> items;
    std::size_t head = 0;        // items before head were erased
    std::uint64_t last_key = 0;  // key_of(items.back()), kept here for the block search
    std::size_t live() const noexcept { return items.size() - head; }
  };

  // Closes the hole at p by moving the shorter side of the block.
  void erase_at(pos p) {
    block& b = blocks_[p.blk];
    NATRIUM_ASSERT(b.live() > 0);
    const auto at_it = b.items.begin() + static_cast<std::ptrdiff_t>(p.idx);
    if (p.idx - b.head <= b.items.size() - p.idx - 1) {
      std::move_backward(b.items.begin() + static_cast<std::ptrdiff_t>(b.head), at_it, at_it + 1);
      ++b.head;
    } else {
      b.items.erase(at_it);
    }
    NATRIUM_ASSERT(size_ > 0);
    --size_;
    if (b.live() == 0) {
      blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(p.blk));
      return;
    }
    b.last_key = key_of(b.items.back());
    if (p.blk + 1 < blocks_.size() && b.live() + blocks_[p.blk + 1].live() <= merge_max) {
      merge_next(p.blk);
    } else if (p.blk > 0 && blocks_[p.blk - 1].live() + b.live() <= merge_max) {
      merge_next(p.blk - 1);
    }
  }

  // Moves block i + 1's items to the end of block i and drops block i + 1.
  void merge_next(std::size_t i) {
    NATRIUM_ASSERT(i + 1 < blocks_.size());
    block& dst = blocks_[i];
    block& src = blocks_[i + 1];
    NATRIUM_ASSERT(dst.live() + src.live() <= merge_max);
    dst.items.erase(dst.items.begin(), dst.items.begin() + static_cast<std::ptrdiff_t>(dst.head));
    dst.head = 0;
    dst.items.insert(dst.items.end(), src.items.begin() + static_cast<std::ptrdiff_t>(src.head), src.items.end());
    dst.last_key = src.last_key;
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(i + 1));
  }

  std::vector<block> blocks_;
  std::uint64_t size_ = 0;
};

// One subject's live seqs. A single seq is kept inline, without allocating:
// the common case in KV buckets, where each key keeps one revision.
class seq_list {
 public:
  std::uint64_t size() const noexcept { return one_ != 0 ? 1 : many_.size(); }
  bool empty() const noexcept { return one_ == 0 && many_.empty(); }
  std::uint64_t front() const noexcept { return one_ != 0 ? one_ : many_.front(); }
  std::uint64_t back() const noexcept { return one_ != 0 ? one_ : many_.back(); }

  // The first seq >= `seq`, or 0.
  std::uint64_t next_ge(std::uint64_t seq) const noexcept {
    if (one_ != 0) return one_ >= seq ? one_ : 0;
    const auto p = many_.lower_bound(seq);
    return many_.is_end(p) ? 0 : many_.at(p);
  }
  std::uint64_t count_ge(std::uint64_t seq) const noexcept {
    if (one_ != 0) return one_ >= seq ? 1 : 0;
    return many_.count_ge(seq);
  }
  // Calls f(seq) ascending until it returns true.
  template <class F>
  void scan(F&& f) const {
    if (one_ != 0) {
      f(one_);
      return;
    }
    many_.scan_from(many_.begin(), f);
  }

  void push_back(std::uint64_t seq) {
    NATRIUM_ASSERT(seq > 0);
    if (!empty()) NATRIUM_ASSERT(seq > back());
    if (empty()) {
      one_ = seq;
      return;
    }
    if (one_ != 0) {
      many_.push_back(one_);
      one_ = 0;
    }
    many_.push_back(seq);
  }
  bool erase(std::uint64_t seq) {
    if (one_ != 0) {
      if (one_ != seq) return false;
      one_ = 0;
      return true;
    }
    if (!many_.erase(seq)) return false;
    if (many_.size() == 1) {  // back inline, freeing the blocks
      one_ = many_.front();
      many_.clear();
    }
    if (one_ != 0) NATRIUM_ASSERT(many_.empty());
    return true;
  }
  void clear() noexcept {
    one_ = 0;
    many_.clear();
  }

 private:
  std::uint64_t one_ = 0;  // the only seq, or 0 (then many_ holds them, if any)
  block_list<std::uint64_t> many_;
};

struct subject_entry {
  std::string name;      // empty while the id is free
  std::uint32_t id = 0;  // index in stream_index::impl::subjects
  seq_list seqs;         // live seqs, ascending; never empty while in use
};

// subject_table: subject name -> id, open addressing with linear probing.
// A slot holds (32-bit hash << 32) | (id + 1), 0 when empty; its home is the
// hash masked to the table size, so growing never rereads the names.
// Removal shifts the rest of the cluster back instead of leaving tombstones.
// The table is at most half full.
class subject_table {
 public:
  static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

  std::size_t size() const noexcept { return size_; }

  // The id of `name`, or none; name_of(id) gives an id's name.
  template <class NameOf>
  std::uint32_t find(std::string_view name, NameOf&& name_of) const noexcept {
    if (slots_.empty()) return none;
    const std::uint32_t h = hash(name);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t v = slots_[i];
      if (v == 0) return none;
      if (static_cast<std::uint32_t>(v >> 32) == h && name_of(id_of(v)) == name) return id_of(v);
    }
  }

  void insert(std::string_view name, std::uint32_t id) {
    NATRIUM_ASSERT(id != none);
    if ((size_ + 1) * 2 > slots_.size()) grow();
    place((static_cast<std::uint64_t>(hash(name)) << 32) | (static_cast<std::uint64_t>(id) + 1));
    ++size_;
    NATRIUM_ASSERT(size_ * 2 <= slots_.size());
  }

  void erase(std::string_view name, std::uint32_t id) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash(name) & mask;
    while (slots_[i] == 0 || id_of(slots_[i]) != id) {
      NATRIUM_ASSERT(slots_[i] != 0);  // the entry must be there
      i = (i + 1) & mask;
    }
    slots_[i] = 0;
    for (std::size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
      const std::size_t home = static_cast<std::size_t>(slots_[j] >> 32) & mask;
      // Entry j may move into the hole at i unless its home lies in (i, j].
      const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      slots_[j] = 0;
      i = j;
    }
    NATRIUM_ASSERT(size_ > 0);
    --size_;
  }

  void clear() noexcept {
    std::vector<std::uint64_t>().swap(slots_);
    size_ = 0;
  }

 private:
  static std::uint32_t hash(std::string_view name) noexcept {
    const std::size_t h = std::hash<std::string_view>{}(name);
    return static_cast<std::uint32_t>(h ^ (static_cast<std::uint64_t>(h) >> 32));
  }
  static std::uint32_t id_of(std::uint64_t slot) noexcept {
    return static_cast<std::uint32_t>(slot & 0xffffffffu) - 1;
  }
  void place(std::uint64_t v) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(v >> 32) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
  }
  void grow() {
    std::vector<std::uint64_t> old(slots_.empty() ? 16 : slots_.size() * 2, 0);
    old.swap(slots_);
    NATRIUM_ASSERT((slots_.size() & (slots_.size() - 1)) == 0);
    for (const std::uint64_t v : old)
      if (v != 0) place(v);
  }

  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

enum class filter_kind { all, literal, wildcard };

filter_kind classify(std::string_view filter) noexcept {
  if (store::filter_is_all(filter)) return filter_kind::all;
  if (store::filter_is_literal(filter)) return filter_kind::literal;
  return filter_kind::wildcard;
}

constexpr std::uint64_t no_bound = std::numeric_limits<std::uint64_t>::max();

}  // namespace

// Wildcard filters either walk messages (checking each one's subject) or walk
// the distinct subjects (then each one's seq list). A walk over messages gives
// up after about as many steps as there are subjects and switches over, so a
// wildcard query costs O(min(messages walked, subjects) + ...).
struct stream_index::impl {
  block_list<slot> msgs;
  std::deque<subject_entry> subjects;  // by subject id; addresses are stable
  std::vector<std::uint32_t> free_ids;
  subject_table ids;  // live subjects only
  std::uint64_t last_seq = 0;
  std::uint64_t bytes = 0;
  std::int64_t last_ts = 0;

  std::uint64_t first_seq() const noexcept { return msgs.empty() ? last_seq + 1 : msgs.front().seq; }
  std::uint64_t scan_budget() const noexcept { return subjects.size() + 16; }
  const std::string& name_of(const slot& s) const noexcept {
    NATRIUM_ASSERT(s.subject_id < subjects.size());
    NATRIUM_ASSERT(!subjects[s.subject_id].name.empty());
    return subjects[s.subject_id].name;
  }
  msg_meta meta(const slot& s) const noexcept { return msg_meta{s.seq, s.timestamp_ns, s.size, name_of(s)}; }

  std::uint32_t find_id(std::string_view subj) const noexcept {
    return ids.find(subj, [this](std::uint32_t id) -> std::string_view { return subjects[id].name; });
  }

  const subject_entry* lookup(std::string_view subj) const noexcept {
    const std::uint32_t id = find_id(subj);
    if (id == subject_table::none) return nullptr;
    const subject_entry& e = subjects[id];
    NATRIUM_ASSERT(e.name == subj);
    NATRIUM_ASSERT(!e.seqs.empty());
    return &e;
  }

  std::uint32_t intern(std::string_view subj) {
    std::uint32_t id = find_id(subj);
    if (id != subject_table::none) return id;
    if (free_ids.empty()) {
      NATRIUM_ASSERT(subjects.size() < subject_table::none);
      id = static_cast<std::uint32_t>(subjects.size());
      subjects.emplace_back();
    } else {
      id = free_ids.back();
      free_ids.pop_back();
    }
    subject_entry& e = subjects[id];
    NATRIUM_ASSERT(e.name.empty() && e.seqs.empty());
    e.name.assign(subj);
    e.id = id;
    ids.insert(e.name, id);
    return id;
  }

  void release(std::uint32_t id) {
    subject_entry& e = subjects[id];
    NATRIUM_ASSERT(e.seqs.empty());
    NATRIUM_ASSERT(!e.name.empty());
    ids.erase(e.name, id);
    std::string().swap(e.name);
    e.seqs.clear();
    free_ids.push_back(id);
  }

  // Calls f(entry) for each live subject matching `filter`, in id order.
  template <class F>
  void for_each_subject(std::string_view filter, F&& f) const {
    const filter_kind k = classify(filter);
    if (k == filter_kind::literal) {
      if (const subject_entry* e = lookup(filter)) f(*e);
      return;
    }
    for (const subject_entry& e : subjects) {
      if (e.name.empty()) continue;
      if (k == filter_kind::all || subject::matches(filter, e.name)) f(e);
    }
  }

  std::uint64_t next_wild(std::string_view filter, std::uint64_t from) const;
  std::uint64_t last_wild(std::string_view filter) const;
  std::uint64_t count_wild(std::string_view filter, std::uint64_t from) const;
  void purge_wild(std::string_view filter, std::uint64_t bound, std::uint64_t max_out,
                  std::vector<std::uint64_t>& out) const;
};

std::uint64_t stream_index::impl::next_wild(std::string_view filter, std::uint64_t from) const {
  std::uint64_t budget = scan_budget();
  std::uint64_t found = 0;
  std::uint64_t resume = 0;  // set when the walk gave up: first seq not yet checked
  msgs.scan_from(msgs.lower_bound(from), [&](const slot& s) {
    if (budget == 0) {
      resume = s.seq;
      return true;
    }
    --budget;
    if (!subject::matches(filter, name_of(s))) return false;
    found = s.seq;
    return true;
  });
  if (resume == 0) return found;
  NATRIUM_ASSERT(found == 0);
  std::uint64_t best = 0;
  for_each_subject(filter, [&](const subject_entry& e) {
    const std::uint64_t next = e.seqs.next_ge(resume);
    if (next != 0 && (best == 0 || next < best)) best = next;
  });
  if (best != 0) NATRIUM_ASSERT(best >= resume && best <= last_seq);
  return best;
}

std::uint64_t stream_index::impl::last_wild(std::string_view filter) const {
  std::uint64_t budget = scan_budget();
  std::uint64_t found = 0;
  bool gave_up = false;
  msgs.scan_back([&](const slot& s) {
    if (budget == 0) {
      gave_up = true;
      return true;
    }
    --budget;
    if (!subject::matches(filter, name_of(s))) return false;
    found = s.seq;
    return true;
  });
  if (!gave_up) return found;
  NATRIUM_ASSERT(found == 0);
  std::uint64_t best = 0;
  for_each_subject(filter, [&](const subject_entry& e) { best = std::max(best, e.seqs.back()); });
  NATRIUM_ASSERT(best <= last_seq);
  return best;
}

std::uint64_t stream_index::impl::count_wild(std::string_view filter, std::uint64_t from) const {
  std::uint64_t n = 0;
  if (from <= first_seq()) {
    for_each_subject(filter, [&](const subject_entry& e) { n += e.seqs.size(); });
    NATRIUM_ASSERT(n <= msgs.size());
    return n;
  }
  const std::uint64_t tail = msgs.count_ge(from);
  if (tail <= scan_budget()) {
    msgs.scan_from(msgs.lower_bound(from), [&](const slot& s) {
      if (subject::matches(filter, name_of(s))) ++n;
      return false;
    });
  } else {
    for_each_subject(filter, [&](const subject_entry& e) { n += e.seqs.count_ge(from); });
  }
  NATRIUM_ASSERT(n <= tail);
  return n;
}

// The oldest matching seqs below `bound`, at most max_out of them. When the
// matching subjects hold few of the messages their seq lists are merged;
// otherwise the messages are walked with a per-subject match table.
void stream_index::impl::purge_wild(std::string_view filter, std::uint64_t bound, std::uint64_t max_out,
                                    std::vector<std::uint64_t>& out) const {
  std::vector<std::uint8_t> hit(subjects.size(), 0);
  std::uint64_t matching = 0;
  for_each_subject(filter, [&](const subject_entry& e) {
    hit[e.id] = 1;
    matching += e.seqs.size();
  });
  if (matching == 0) return;
  if (matching * 8 < msgs.size()) {
    for_each_subject(filter, [&](const subject_entry& e) {
      e.seqs.scan([&](std::uint64_t seq) {
        if (seq >= bound) return true;
        out.push_back(seq);
        return false;
      });
    });
    std::sort(out.begin(), out.end());
    if (out.size() > max_out) out.resize(static_cast<std::size_t>(max_out));
    return;
  }
  msgs.scan_from(msgs.begin(), [&](const slot& s) {
    if (s.seq >= bound || out.size() >= max_out) return true;
    if (hit[s.subject_id] != 0) out.push_back(s.seq);
    return false;
  });
  NATRIUM_ASSERT(out.size() <= matching);
}

stream_index::stream_index() : impl_(std::make_unique<impl>()) {}
stream_index::~stream_index() = default;
stream_index::stream_index(stream_index&&) noexcept = default;
stream_index& stream_index::operator=(stream_index&&) noexcept = default;

void stream_index::append(std::uint64_t seq, std::string_view subj, std::int64_t timestamp_ns, std::uint64_t size) {
  impl& m = *impl_;
  NATRIUM_ASSERT(seq > m.last_seq);
  NATRIUM_ASSERT(!subj.empty());
  NATRIUM_ASSERT(size <= std::numeric_limits<std::uint32_t>::max());
  const std::uint32_t id = m.intern(subj);
  m.subjects[id].seqs.push_back(seq);
  m.msgs.push_back(slot{seq, timestamp_ns, static_cast<std::uint32_t>(size), id});
  m.bytes += size;
  m.last_seq = seq;
  m.last_ts = timestamp_ns;
  NATRIUM_ASSERT(m.first_seq() <= seq);
}

bool stream_index::remove(std::uint64_t seq) {
  impl& m = *impl_;
  const std::optional<slot> s = m.msgs.erase(seq);
  if (!s) return false;
  subject_entry& e = m.subjects[s->subject_id];
  const bool in_subject = e.seqs.erase(seq);
  NATRIUM_ASSERT(in_subject);
  if (e.seqs.empty()) m.release(s->subject_id);
  NATRIUM_ASSERT(m.bytes >= s->size);
  m.bytes -= s->size;
  if (m.msgs.empty()) NATRIUM_ASSERT(m.bytes == 0 && m.ids.size() == 0);
  return true;
}

void stream_index::clear(std::uint64_t next_seq) {
  impl& m = *impl_;
  NATRIUM_ASSERT(next_seq >= m.last_seq + 1);
  m.msgs.clear();
  std::deque<subject_entry>().swap(m.subjects);
  std::vector<std::uint32_t>().swap(m.free_ids);
  m.ids.clear();
  m.bytes = 0;
  m.last_seq = next_seq - 1;
  NATRIUM_ASSERT(m.first_seq() == next_seq);
  NATRIUM_ASSERT(num_subjects() == 0);
}

std::uint64_t stream_index::msgs() const noexcept { return impl_->msgs.size(); }
std::uint64_t stream_index::bytes() const noexcept { return impl_->bytes; }
std::uint64_t stream_index::first_seq() const noexcept { return impl_->first_seq(); }
std::uint64_t stream_index::last_seq() const noexcept { return impl_->last_seq; }
std::int64_t stream_index::first_ts() const noexcept {
  return impl_->msgs.empty() ? 0 : impl_->msgs.front().timestamp_ns;
}
std::int64_t stream_index::last_ts() const noexcept { return impl_->last_ts; }
std::uint64_t stream_index::num_subjects() const noexcept { return impl_->ids.size(); }

std::uint64_t stream_index::num_deleted() const noexcept {
  const impl& m = *impl_;
  if (m.msgs.empty()) return 0;
  const std::uint64_t span = m.last_seq - m.first_seq() + 1;
  NATRIUM_ASSERT(span >= m.msgs.size());
  return span - m.msgs.size();
}

bool stream_index::contains(std::uint64_t seq) const noexcept {
  const impl& m = *impl_;
  if (seq < m.first_seq() || seq > m.last_seq) return false;
  return m.msgs.find(seq) != nullptr;
}

std::optional<msg_meta> stream_index::get(std::uint64_t seq) const noexcept {
  const impl& m = *impl_;
  if (seq < m.first_seq() || seq > m.last_seq) return std::nullopt;
  const slot* s = m.msgs.find(seq);
  if (s == nullptr) return std::nullopt;
  NATRIUM_ASSERT(s->seq == seq);
  return m.meta(*s);
}

std::optional<msg_meta> stream_index::first() const noexcept {
  const impl& m = *impl_;
  if (m.msgs.empty()) return std::nullopt;
  NATRIUM_ASSERT(m.msgs.front().seq == m.first_seq());
  return m.meta(m.msgs.front());
}

std::uint64_t stream_index::subject_msgs(std::string_view subj) const noexcept {
  const subject_entry* e = impl_->lookup(subj);
  return e == nullptr ? 0 : e->seqs.size();
}
std::uint64_t stream_index::subject_first_seq(std::string_view subj) const noexcept {
  const subject_entry* e = impl_->lookup(subj);
  return e == nullptr ? 0 : e->seqs.front();
}
std::uint64_t stream_index::subject_last_seq(std::string_view subj) const noexcept {
  const subject_entry* e = impl_->lookup(subj);
  return e == nullptr ? 0 : e->seqs.back();
}

std::uint64_t stream_index::next_matching(std::string_view filter, std::uint64_t from) const {
  const impl& m = *impl_;
  switch (classify(filter)) {
    case filter_kind::all: {
      const auto p = m.msgs.lower_bound(from);
      return m.msgs.is_end(p) ? 0 : m.msgs.at(p).seq;
    }
    case filter_kind::literal: {
      const subject_entry* e = m.lookup(filter);
      if (e == nullptr) return 0;
      return e->seqs.next_ge(from);
    }
    case filter_kind::wildcard: return m.next_wild(filter, from);
  }
  NATRIUM_ASSERT(false);
  return 0;
}

std::uint64_t stream_index::last_matching(std::string_view filter) const {
  const impl& m = *impl_;
  switch (classify(filter)) {
    case filter_kind::all: return m.msgs.empty() ? 0 : m.msgs.back().seq;
    case filter_kind::literal: {
      const subject_entry* e = m.lookup(filter);
      return e == nullptr ? 0 : e->seqs.back();
    }
    case filter_kind::wildcard: return m.last_wild(filter);
  }
  NATRIUM_ASSERT(false);
  return 0;
}

std::uint64_t stream_index::count_matching(std::string_view filter, std::uint64_t from) const {
  const impl& m = *impl_;
  switch (classify(filter)) {
    case filter_kind::all: return from <= m.first_seq() ? m.msgs.size() : m.msgs.count_ge(from);
    case filter_kind::literal: {
      const subject_entry* e = m.lookup(filter);
      if (e == nullptr) return 0;
      return from <= e->seqs.front() ? e->seqs.size() : e->seqs.count_ge(from);
    }
    case filter_kind::wildcard: return m.count_wild(filter, from);
  }
  NATRIUM_ASSERT(false);
  return 0;
}

std::map<std::string, std::uint64_t> stream_index::subjects_filter(std::string_view filter) const {
  std::map<std::string, std::uint64_t> out;
  impl_->for_each_subject(filter, [&](const subject_entry& e) { out.emplace(e.name, e.seqs.size()); });
  NATRIUM_ASSERT(out.size() <= num_subjects());
  return out;
}

std::vector<std::uint64_t> stream_index::last_per_subject(std::string_view filter, std::uint64_t from) const {
  std::vector<std::uint64_t> out;
  impl_->for_each_subject(filter, [&](const subject_entry& e) {
    if (e.seqs.back() >= from) out.push_back(e.seqs.back());
  });
  std::sort(out.begin(), out.end());
  NATRIUM_ASSERT(out.size() <= num_subjects());
  return out;
}

std::vector<std::uint64_t> stream_index::select_purge(std::string_view filter, std::uint64_t below_seq,
                                                      std::uint64_t keep) const {
  NATRIUM_ASSERT(below_seq <= 1 || keep == 0);
  const impl& m = *impl_;
  std::uint64_t max_out = no_bound;
  if (keep > 0) {
    const std::uint64_t total = count_matching(filter, 0);
    if (keep >= total) return {};
    max_out = total - keep;
  }
  const std::uint64_t bound = below_seq > 1 ? below_seq : no_bound;
  std::vector<std::uint64_t> out;
  const auto take = [&](std::uint64_t seq) {
    if (seq >= bound || out.size() >= max_out) return true;
    out.push_back(seq);
    return false;
  };
  switch (classify(filter)) {
    case filter_kind::all: m.msgs.scan_from(m.msgs.begin(), [&](const slot& s) { return take(s.seq); }); break;
    case filter_kind::literal:
      if (const subject_entry* e = m.lookup(filter)) e->seqs.scan(take);
      break;
    case filter_kind::wildcard: m.purge_wild(filter, bound, max_out, out); break;
  }
  NATRIUM_ASSERT(out.size() <= max_out);
  NATRIUM_ASSERT_SLOW(std::is_sorted(out.begin(), out.end()));
  return out;
}

std::vector<std::uint64_t> stream_index::deleted() const {
  const impl& m = *impl_;
  std::vector<std::uint64_t> out;
  const std::uint64_t n = num_deleted();
  if (n == 0) return out;
  out.reserve(static_cast<std::size_t>(n));
  std::uint64_t expect = m.first_seq();
  m.msgs.scan_from(m.msgs.begin(), [&](const slot& s) {
    for (; expect < s.seq; ++expect) out.push_back(expect);
    expect = s.seq + 1;
    return false;
  });
  for (; expect <= m.last_seq; ++expect) out.push_back(expect);
  NATRIUM_ASSERT(out.size() == n);
  return out;
}

}  // namespace natrium::jetstream
