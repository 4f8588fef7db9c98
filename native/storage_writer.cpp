#include "native/storage_writer.h"

#include <iterator>
#include <utility>

#include "core/base/assert.h"

namespace natrium::native {

void storage_writer::queue(std::uint64_t ticket, store::store_batch batch) {
  NATRIUM_ASSERT(ticket > last_ticket_);
  last_ticket_ = ticket;
  pending_.push_back({ticket, std::move(batch)});
}

std::vector<server::storage_done> storage_writer::commit(store::store& s) {
  std::vector<pending> batches = std::move(pending_);
  pending_.clear();
  std::vector<server::storage_done> done;
  done.reserve(batches.size());
  if (batches.empty()) return done;
  if (batches.size() == 1) {
    auto r = s.apply(batches.front().batch);
    done.push_back({batches.front().ticket, r.ok(), r.ok() ? std::string() : r.err().text});
    return done;
  }
  // Group commit: every op of every batch, in ticket order, in one transaction.
  std::vector<std::size_t> counts;
  counts.reserve(batches.size());
  store::store_batch merged;
  std::size_t total = 0;
  for (const pending& p : batches) total += p.batch.ops.size();
  merged.ops.reserve(total);
  for (pending& p : batches) {
    counts.push_back(p.batch.ops.size());
    std::move(p.batch.ops.begin(), p.batch.ops.end(), std::back_inserter(merged.ops));
    p.batch.ops.clear();
  }
  NATRIUM_ASSERT(merged.ops.size() == total);
  auto r = s.apply(merged);
  if (r.ok()) {
    for (const pending& p : batches) done.push_back({p.ticket, true, {}});
    return done;
  }
  // Nothing was applied: hand every batch its ops back and find the culprit.
  std::size_t at = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    auto first = merged.ops.begin() + static_cast<std::ptrdiff_t>(at);
    auto last = first + static_cast<std::ptrdiff_t>(counts[i]);
    batches[i].batch.ops.assign(std::make_move_iterator(first), std::make_move_iterator(last));
    at += counts[i];
  }
  NATRIUM_ASSERT(at == total);
  return commit_one_by_one(s, batches);
}

std::vector<server::storage_done> storage_writer::commit_one_by_one(store::store& s, std::vector<pending>& batches) {
  std::vector<server::storage_done> done;
  done.reserve(batches.size());
  std::string failed;  // the first failure's text; later batches are not applied
  for (const pending& p : batches) {
    if (!failed.empty()) {
      done.push_back({p.ticket, false, "not applied after an earlier batch failed: " + failed});
      continue;
    }
    auto r = s.apply(p.batch);
    if (!r.ok()) failed = r.err().text.empty() ? "store error" : r.err().text;
    done.push_back({p.ticket, r.ok(), r.ok() ? std::string() : failed});
  }
  NATRIUM_ASSERT(done.size() == batches.size());
  return done;
}

}  // namespace natrium::native
