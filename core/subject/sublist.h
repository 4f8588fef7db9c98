#pragma once
// Sublist: the subscription index. A trie over subject tokens with '*' and '>'
// nodes, plus a bounded cache of match results keyed by literal subject with
// deterministic (FIFO) eviction: at cache_max entries it sweeps down to
// cache_sweep_to, oldest first (nats-server evicts in random map order).
//
// The sublist does not own subscriptions: the server's connection does, and
// removes each one before destroying it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/limits.h"

namespace natrium::subject {

struct subscription {
  std::string subject;
  std::string queue;          // empty: plain subscription
  std::string sid;
  std::uint64_t owner = 0;    // the connection id that owns it (0: removed, skip it)
  void* owner_data = nullptr; // opaque to the sublist: the server's connection object
  std::int64_t max_msgs = 0;  // auto-unsubscribe after this many (0: none)
  std::int64_t delivered = 0;
};

struct queue_group {
  std::string_view name;                 // view into members[0]->queue
  std::vector<subscription*> members;    // in insertion order
};

struct match_result {
  std::vector<subscription*> plain;      // in insertion order (across all matching nodes)
  std::vector<queue_group> queues;       // one entry per distinct queue name, sorted by name
};

struct sublist_stats {
  std::size_t subscriptions = 0;
  std::size_t cache_entries = 0;
  std::uint64_t matches = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t inserts = 0;
  std::uint64_t removes = 0;
  // Fanout of the cached results (plain subscriptions + queue groups each), as
  // nats-server's SublistStats: the largest and the sum over cache_entries.
  std::size_t fanout_max = 0;
  std::uint64_t fanout_total = 0;
};

class sublist {
 public:
  explicit sublist(std::size_t cache_max = base::sublist_cache_max,
                   std::size_t cache_sweep_to = base::sublist_cache_sweep_to);
  ~sublist();
  sublist(const sublist&) = delete;
  sublist& operator=(const sublist&) = delete;

  // Returns false (and inserts nothing) if s->subject is not a valid subject
  // or if s is already in the list.
  [[nodiscard]] bool insert(subscription* s);
  // Returns false if s was not in the list.
  bool remove(subscription* s);
  // All subscriptions matching the literal subject. The result is shared with
  // the cache and immutable; it stays valid while the caller holds it, even if
  // subscriptions are inserted or removed meanwhile (the pointers inside may
  // then refer to removed subscriptions: the caller checks, see server/node).
  std::shared_ptr<const match_result> match(std::string_view literal_subject);

  std::size_t count() const noexcept;
  sublist_stats stats() const noexcept;
  // Every subscription, in a deterministic order (by subject, then insertion).
  std::vector<subscription*> all() const;
  // The cached literal subjects, oldest first (tests, monitoring).
  std::vector<std::string> cache_keys() const;
  // Trie nodes below the root; 0 when empty (removal prunes empty nodes).
  std::size_t trie_nodes() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::subject
