#include "native/storage_thread.h"

#include <utility>

namespace natrium::native {

storage_thread::storage_thread(store::store& s, deliver_fn deliver)
    : store_(s), deliver_(std::move(deliver)), thread_([this] { run(); }) {}

storage_thread::~storage_thread() { (void)stop(); }

void storage_thread::queue(std::uint64_t ticket, store::store_batch batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.queue(ticket, std::move(batch));
  }
  cv_.notify_one();
}

std::vector<server::storage_done> storage_thread::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return {};
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  return std::move(last_);
}

void storage_thread::run() {
  for (;;) {
    storage_writer group;
    bool stop_after = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      std::swap(group, queued_);
      stop_after = stopping_;
    }
    std::vector<server::storage_done> done = group.commit(store_);
    if (stop_after) {
      // Anything queued while this last commit ran is committed too.
      std::unique_lock<std::mutex> lock(mu_);
      std::swap(group, queued_);
      lock.unlock();
      for (auto& d : group.commit(store_)) done.push_back(std::move(d));
      last_ = std::move(done);
      return;
    }
    if (!done.empty()) deliver_(std::move(done));
  }
}

}  // namespace natrium::native
