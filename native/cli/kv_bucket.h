#pragma once
// libnats' KV objects with owners, and the lookups every kv command starts
// with: the bucket (exit 1 "bucket X not found") and one entry.
#include <nats/nats.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace natrium::cli {

class context;

struct kv_store_deleter {
  void operator()(kvStore* p) const noexcept { kvStore_Destroy(p); }
};
struct kv_entry_deleter {
  void operator()(kvEntry* p) const noexcept { kvEntry_Destroy(p); }
};
struct kv_watcher_deleter {
  void operator()(kvWatcher* p) const noexcept { kvWatcher_Destroy(p); }
};
using kv_store_ptr = std::unique_ptr<kvStore, kv_store_deleter>;
using kv_entry_ptr = std::unique_ptr<kvEntry, kv_entry_deleter>;
using kv_watcher_ptr = std::unique_ptr<kvWatcher, kv_watcher_deleter>;

// The bucket; throws cli_error "bucket X not found" (exit 1).
kv_store_ptr open_bucket(context& ctx, const std::string& bucket);

// Like check(), without libnats' "(file.c:123): " prefix in the message.
void kv_check(natsStatus s, const std::string& what);

// "PUT", "DEL", "PURGE".
const char* kv_op_name(kvOperation op);
// The entry's value as bytes.
std::string kv_value(kvEntry* e);
// {"bucket","key","revision","delta"?,"created","operation","value"}.
nlohmann::json kv_entry_json(kvEntry* e);

// `natrium kv watch` (kv_watch.cpp).
void kv_watch(context& ctx, const std::string& bucket, const std::string& filter, long count);

}  // namespace natrium::cli
