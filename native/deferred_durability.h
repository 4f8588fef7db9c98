#pragma once
// deferred_durability: a store whose commits may reach the disk after apply()
// returns (lmdb_store with defer_meta_sync). The writer thread
// (storage_thread) reports a batch's storage_done only once durable_mark()
// has reached the committed_mark() read just after its commit, calling sync()
// when nothing else is queued.
#include <cstdint>

#include "core/base/result.h"

namespace natrium::native {

class deferred_durability {
 public:
  virtual ~deferred_durability() = default;
  // Increasing marks: the last commit, and the last commit known durable.
  virtual std::uint64_t committed_mark() const noexcept = 0;
  virtual std::uint64_t durable_mark() const noexcept = 0;
  // Makes every commit durable (durable_mark() == committed_mark() after).
  virtual base::result<bool> sync() noexcept = 0;
};

}  // namespace natrium::native
