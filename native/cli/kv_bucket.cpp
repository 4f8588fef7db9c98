#include "native/cli/kv_bucket.h"

#include <fmt/format.h>

#include "native/cli/cli_context.h"
#include "native/cli/kv_common.h"

namespace natrium::cli {

kv_store_ptr open_bucket(context& ctx, const std::string& bucket) {
  kvStore* kv = nullptr;
  const natsStatus s = js_KeyValue(&kv, ctx.js(), bucket.c_str());
  if (s == NATS_NOT_FOUND) throw cli_error(fmt::format("bucket {} not found", bucket));
  kv_check(s, fmt::format("bucket {}", bucket));
  return kv_store_ptr(kv);
}

void kv_check(natsStatus s, const std::string& what) {
  if (s == NATS_OK) return;
  const char* last = nats_GetLastError(nullptr);
  std::string text = last != nullptr && *last != '\0' ? last : natsStatus_GetText(s);
  if (text.size() > 1 && text.front() == '(') {
    if (const auto end = text.find("): "); end != std::string::npos) text.erase(0, end + 3);
  }
  throw cli_error(fmt::format("{}: {}", what, text));
}

const char* kv_op_name(kvOperation op) {
  switch (op) {
    case kvOp_Put: return "PUT";
    case kvOp_Delete: return "DEL";
    case kvOp_Purge: return "PURGE";
    default: return "UNKNOWN";
  }
}

std::string kv_value(kvEntry* e) {
  const void* data = kvEntry_Value(e);
  const int len = kvEntry_ValueLen(e);
  if (data == nullptr || len <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(len));
}

nlohmann::json kv_entry_json(kvEntry* e) {
  return {{"bucket", kvEntry_Bucket(e)},
          {"key", kvEntry_Key(e)},
          {"revision", kvEntry_Revision(e)},
          {"delta", kvEntry_Delta(e)},
          {"created", utc_time(kvEntry_Created(e))},
          {"created_ns", kvEntry_Created(e)},
          {"operation", kv_op_name(kvEntry_Operation(e))},
          {"length", kvEntry_ValueLen(e)},
          {"value", json_bytes(kv_value(e))}};
}

}  // namespace natrium::cli
