#pragma once
// storage_writer: group commit for the native host (ARCHITECTURE.md rule 4).
// The host queues every write_storage batch the node emits during one turn of
// its loop, then commits them all with ONE store::apply (one LMDB write
// transaction, one fsync) and reports one storage_done per ticket, in ticket
// order, only after that commit.
//
// If the merged transaction fails, nothing of it took effect; the batches are
// then applied one by one, in order, so that those before the failing one are
// still made durable and reported ok. The failing batch and every later one
// (which the node built on top of it) are reported with the error and not
// applied.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/server/event.h"
#include "core/store/store_batch.h"

namespace natrium::native {

class storage_writer {
 public:
  // Tickets must increase (the node's order).
  void queue(std::uint64_t ticket, store::store_batch batch);
  bool empty() const noexcept { return pending_.empty(); }
  std::size_t queued() const noexcept { return pending_.size(); }

  // Applies everything queued to `s` and empties the queue; one storage_done
  // per queued ticket, in ticket order.
  std::vector<server::storage_done> commit(store::store& s);

 private:
  struct pending {
    std::uint64_t ticket = 0;
    store::store_batch batch;
  };
  std::vector<server::storage_done> commit_one_by_one(store::store& s, std::vector<pending>& batches);

  std::vector<pending> pending_;
  std::uint64_t last_ticket_ = 0;
};

}  // namespace natrium::native
