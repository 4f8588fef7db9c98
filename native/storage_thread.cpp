#include "native/storage_thread.h"

#include <iterator>
#include <utility>

#include "core/base/assert.h"

namespace natrium::native {

storage_thread::storage_thread(store::store& s, deliver_fn deliver, deferred_durability* durability)
    : store_(s), deliver_(std::move(deliver)), durability_(durability), thread_([this] { run(); }) {}

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
      // Held results wait for the next commit or a sync: never sleep on them.
      if (held_.empty()) cv_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
      std::swap(group, queued_);
      stop_after = stopping_;
    }
    const bool idle = group.empty();
    if (!idle) hold(group.commit(store_));
    if (stop_after) {
      // Anything queued while this last commit ran is committed too.
      std::unique_lock<std::mutex> lock(mu_);
      std::swap(group, queued_);
      lock.unlock();
      if (!group.empty()) hold(group.commit(store_));
      last_ = take_durable(true);
      NATRIUM_ASSERT(held_.empty());
      return;
    }
    std::vector<server::storage_done> done = take_durable(idle);
    if (!done.empty()) deliver_(std::move(done));
  }
}

void storage_thread::hold(std::vector<server::storage_done> done) {
  if (done.empty()) return;
  held_.push_back({durability_ ? durability_->committed_mark() : 0, std::move(done)});
}

std::vector<server::storage_done> storage_thread::take_durable(bool sync_now) {
  std::vector<server::storage_done> out;
  if (held_.empty()) return out;
  if (durability_ && sync_now) {
    if (auto r = durability_->sync(); !r) {
      for (held& h : held_) {
        for (server::storage_done& d : h.done) {
          if (d.ok) d = {d.ticket, false, "store sync failed: " + r.err().text};
        }
        std::move(h.done.begin(), h.done.end(), std::back_inserter(out));
      }
      held_.clear();
      return out;
    }
  }
  const std::uint64_t durable = durability_ ? durability_->durable_mark() : 0;
  std::size_t n = 0;
  while (n < held_.size() && held_[n].mark <= durable) {
    std::move(held_[n].done.begin(), held_[n].done.end(), std::back_inserter(out));
    ++n;
  }
  held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(n));
  NATRIUM_ASSERT(!sync_now || held_.empty());
  return out;
}

}  // namespace natrium::native
