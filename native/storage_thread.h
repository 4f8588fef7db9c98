#pragma once
// storage_thread: the native host's writer thread (decision 0001, point 4).
// The io thread hands it write_storage batches; it commits everything queued
// since its last commit in one store transaction (group commit: one LMDB
// transaction and its fsyncs), then hands the storage_done results back
// through `deliver`, which the host makes post them to its io thread. While a
// commit waits for the disk, the io thread keeps serving clients and the next
// group fills up.
//
// With a deferred_durability store (lmdb_store with defer_meta_sync), a
// commit is durable only after the next one's flush: the thread holds each
// group's results until durable_mark() reaches that group's commit, commits
// the next group meanwhile if there is one, and sync()s when there is not.
// Results always leave in ticket order and never before they are durable.
//
// Reads of the store stay on the io thread, concurrently with the commit: LMDB
// readers see the last committed snapshot (the env is opened with MDB_NOTLS),
// and the store is opened with its whole map size so it never remaps under a
// reader. The core only relies on reads of what its index says is there.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/server/event.h"
#include "core/store/store.h"
#include "core/store/store_batch.h"
#include "native/deferred_durability.h"
#include "native/storage_writer.h"

namespace natrium::native {

class storage_thread {
 public:
  using deliver_fn = std::function<void(std::vector<server::storage_done>)>;

  // `durability`: the same store's deferred_durability, if it defers.
  storage_thread(store::store& s, deliver_fn deliver, deferred_durability* durability = nullptr);
  ~storage_thread();  // stop()s
  storage_thread(const storage_thread&) = delete;
  storage_thread& operator=(const storage_thread&) = delete;

  // Called on the io thread. Tickets must increase.
  void queue(std::uint64_t ticket, store::store_batch batch);
  // Commits what is queued, stops the thread and returns the results of that
  // last commit (not delivered: the io loop is gone by then).
  std::vector<server::storage_done> stop();

 private:
  struct held {
    std::uint64_t mark = 0;  // committed_mark() after the group's commit
    std::vector<server::storage_done> done;
  };
  void run();
  void hold(std::vector<server::storage_done> done);
  // The held results that are durable, in order; with `sync_now`, sync()s
  // first so that all of them are (a failed sync fails every held result).
  std::vector<server::storage_done> take_durable(bool sync_now);

  store::store& store_;
  deliver_fn deliver_;
  deferred_durability* durability_;
  std::vector<held> held_;  // writer thread only
  std::mutex mu_;
  std::condition_variable cv_;
  storage_writer queued_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::vector<server::storage_done> last_;
  std::thread thread_;
};

}  // namespace natrium::native
