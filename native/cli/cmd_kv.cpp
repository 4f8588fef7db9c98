// natrium kv add|put|get|create|update|del|purge|ls|history|watch|status|rm:
// KV buckets through libnats' KV API, so they work against any NATS server.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"
#include "native/cli/kv_bucket.h"
#include "native/cli/kv_common.h"

namespace natrium::cli {

namespace {

struct kv_args {
  std::string bucket, key, value;
  bool value_given = false;
  std::uint64_t revision = 0;
  bool raw = false, force = false;
  long count = 0;
  // kv add
  int history = 1, replicas = 1;
  std::string ttl = "0", max_value_size = "-1", max_bucket_size = "-1", storage = "file", description;
};
using args_ptr = std::shared_ptr<kv_args>;

// The value argument, or stdin when it is absent or "-".
std::string value_of(const kv_args& a) {
  if (!a.value_given || a.value == "-") return read_stdin();
  return a.value;
}

nlohmann::json bucket_status_json(const nlohmann::json& si) {
  const auto& c = si.at("config");
  const auto& st = si.at("state");
  std::string name = c.value("name", std::string());
  return {{"bucket", name.substr(3)},
          {"description", c.value("description", std::string())},
          {"values", st.value("messages", 0ull)},
          {"bytes", st.value("bytes", 0ull)},
          {"history", c.value("max_msgs_per_subject", 0ll)},
          {"ttl", c.value("max_age", 0ll)},
          {"max_value_size", c.value("max_msg_size", -1ll)},
          {"max_bucket_size", c.value("max_bytes", -1ll)},
          {"storage", c.value("storage", std::string("file"))},
          {"replicas", c.value("num_replicas", 1)},
          {"backing_store", "JetStream"},
          {"stream", name},
          {"created", si.value("created", std::string())}};
}

std::string limit_text(long long v, bool bytes) {
  if (v <= 0) return "unlimited";
  return bytes ? human_bytes(static_cast<std::uint64_t>(v)) : human_count(static_cast<std::uint64_t>(v));
}

void print_status(context& ctx, const std::string& bucket) {
  nlohmann::json si;
  try {
    si = ctx.js_api("STREAM.INFO.KV_" + bucket);
  } catch (const js_api_error& e) {
    if (e.code() == 404) throw cli_error(fmt::format("bucket {} not found", bucket));
    throw;
  }
  const nlohmann::json st = bucket_status_json(si);
  if (ctx.opts.json) return print_json(st);
  table t({"Property", "Value"}, fmt::format("{} Key-Value Store Status", bucket));
  t.add_row({"Bucket", bucket});
  if (!st["description"].get<std::string>().empty()) t.add_row({"Description", st["description"]});
  t.add_row({"Values", human_count(st["values"])});
  t.add_row({"History", std::to_string(st["history"].get<long long>())});
  const long long ttl = st["ttl"];
  t.add_row({"TTL", ttl == 0 ? "unlimited" : human_duration_ns(ttl)});
  t.add_row({"Size", human_bytes(st["bytes"])});
  t.add_row({"Max Value Size", limit_text(st["max_value_size"], true)});
  t.add_row({"Max Bucket Size", limit_text(st["max_bucket_size"], true)});
  t.add_row({"Backing Store", "JetStream"});
  t.add_row({"Backing Stream", st["stream"]});
  t.add_row({"Storage", st["storage"]});
  t.add_row({"Replicas", std::to_string(st["replicas"].get<int>())});
  t.print();
}

void kv_add(context& ctx, const kv_args& a) {
  if (a.history < 1 || a.history > 64) throw cli_error("--history: between 1 and 64", 2);
  kvConfig cfg;
  check(kvConfig_Init(&cfg), "KV config");
  cfg.Bucket = a.bucket.c_str();
  cfg.Description = a.description.empty() ? nullptr : a.description.c_str();
  cfg.History = static_cast<std::uint8_t>(a.history);
  cfg.TTL = duration_option("--ttl", a.ttl);
  cfg.MaxBytes = size_option("--max-bucket-size", a.max_bucket_size);
  const std::int64_t value_max = size_option("--max-value-size", a.max_value_size);
  if (value_max > INT32_MAX) throw cli_error("--max-value-size: at most 2GiB", 2);
  cfg.MaxValueSize = static_cast<std::int32_t>(value_max);
  cfg.StorageType = memory_storage_option(a.storage) ? js_MemoryStorage : js_FileStorage;
  cfg.Replicas = a.replicas;
  kvStore* kv = nullptr;
  kv_check(js_CreateKeyValue(&kv, ctx.js(), &cfg), fmt::format("create bucket {}", a.bucket));
  kv_store_ptr owned(kv);
  print_status(ctx, a.bucket);
}

void kv_put(context& ctx, const kv_args& a, int mode) {  // 0 put, 1 create, 2 update
  kv_store_ptr kv = open_bucket(ctx, a.bucket);
  const std::string value = value_of(a);
  std::uint64_t rev = 0;
  const int len = static_cast<int>(value.size());
  natsStatus s;
  if (mode == 0) s = kvStore_Put(&rev, kv.get(), a.key.c_str(), value.data(), len);
  else if (mode == 1) s = kvStore_Create(&rev, kv.get(), a.key.c_str(), value.data(), len);
  else s = kvStore_Update(&rev, kv.get(), a.key.c_str(), value.data(), len, a.revision);
  kv_check(s, fmt::format("{} {} > {}", mode == 0 ? "put" : mode == 1 ? "create" : "update", a.bucket, a.key));
  fmt::print("{}\n", rev);
}

void kv_get(context& ctx, const kv_args& a) {
  kv_store_ptr kv = open_bucket(ctx, a.bucket);
  kvEntry* raw = nullptr;
  const natsStatus s = a.revision > 0 ? kvStore_GetRevision(&raw, kv.get(), a.key.c_str(), a.revision)
                                      : kvStore_Get(&raw, kv.get(), a.key.c_str());
  if (s == NATS_NOT_FOUND) throw cli_error(fmt::format("{} > {}: key not found", a.bucket, a.key));
  kv_check(s, fmt::format("get {} > {}", a.bucket, a.key));
  kv_entry_ptr e(raw);
  if (kvEntry_Operation(e.get()) != kvOp_Put) throw cli_error(fmt::format("{} > {}: key not found", a.bucket, a.key));
  const std::string value = kv_value(e.get());
  if (a.raw) {
    std::fwrite(value.data(), 1, value.size(), stdout);
    return;
  }
  if (ctx.opts.json) return print_json(kv_entry_json(e.get()));
  fmt::print("{} > {} revision: {} created @ {} UTC\n\n{}\n", a.bucket, a.key, kvEntry_Revision(e.get()),
             utc_time(kvEntry_Created(e.get())), printable(value));
}

void kv_remove_key(context& ctx, const kv_args& a, bool purge) {
  kv_store_ptr kv = open_bucket(ctx, a.bucket);
  const std::string q = purge ? fmt::format("Purge key {} and all its history in bucket {}?", a.key, a.bucket)
                              : fmt::format("Delete key {} in bucket {}?", a.key, a.bucket);
  if (!confirm_or_force(q, a.force)) return;
  const natsStatus s = purge ? kvStore_Purge(kv.get(), a.key.c_str(), nullptr) : kvStore_Delete(kv.get(), a.key.c_str());
  kv_check(s, fmt::format("{} {} > {}", purge ? "purge" : "delete", a.bucket, a.key));
}

void list_buckets(context& ctx) {
  std::vector<nlohmann::json> rows;
  for (const auto& si : list_streams(ctx, "KV_")) rows.push_back(bucket_status_json(si));
  if (ctx.opts.json) return print_json(rows);
  if (rows.empty()) {
    fmt::print("No Key-Value buckets found\n");
    return;
  }
  table t({"Bucket", "Description", "Created", "Size", "Values", "History", "TTL"}, "Key-Value Buckets");
  for (const auto& r : rows) {
    const long long ttl = r["ttl"];
    std::string created = r["created"].get<std::string>().substr(0, 19);
    if (created.size() > 10) created[10] = ' ';
    t.add_row({r["bucket"], r["description"], created, human_bytes(r["bytes"]),
               human_count(r["values"]), std::to_string(r["history"].get<long long>()),
               ttl == 0 ? "unlimited" : human_duration_ns(ttl)});
  }
  t.print();
}

void list_keys(context& ctx, const std::string& bucket) {
  kv_store_ptr kv = open_bucket(ctx, bucket);
  kvKeysList keys{};
  const natsStatus s = kvStore_Keys(&keys, kv.get(), nullptr);
  if (s != NATS_NOT_FOUND) kv_check(s, fmt::format("keys of {}", bucket));
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i < keys.Count; ++i) out.push_back(keys.Keys[i]);
  kvKeysList_Destroy(&keys);
  if (ctx.opts.json) return print_json(out);
  for (const auto& k : out) fmt::print("{}\n", k.get<std::string>());
}

void kv_history(context& ctx, const kv_args& a) {
  kv_store_ptr kv = open_bucket(ctx, a.bucket);
  kvEntryList list{};
  const natsStatus s = kvStore_History(&list, kv.get(), a.key.c_str(), nullptr);
  if (s == NATS_NOT_FOUND) throw cli_error(fmt::format("{} > {}: key not found", a.bucket, a.key));
  kv_check(s, fmt::format("history of {} > {}", a.bucket, a.key));
  std::unique_ptr<kvEntryList, void (*)(kvEntryList*)> guard(&list, kvEntryList_Destroy);
  if (ctx.opts.json) {
    nlohmann::json out = nlohmann::json::array();
    for (int i = 0; i < list.Count; ++i) out.push_back(kv_entry_json(list.Entries[i]));
    return print_json(out);
  }
  table t({"Key", "Revision", "Op", "Created", "Length", "Value"}, fmt::format("History for {} > {}", a.bucket, a.key));
  for (int i = 0; i < list.Count; ++i) {
    kvEntry* e = list.Entries[i];
    const bool put = kvEntry_Operation(e) == kvOp_Put;
    t.add_row({kvEntry_Key(e), std::to_string(kvEntry_Revision(e)), kv_op_name(kvEntry_Operation(e)),
               utc_time(kvEntry_Created(e)), std::to_string(kvEntry_ValueLen(e)), put ? printable(kv_value(e)) : ""});
  }
  t.print();
}

void kv_rm(context& ctx, const kv_args& a) {
  open_bucket(ctx, a.bucket);
  if (!confirm_or_force(fmt::format("Delete bucket {} and all its values?", a.bucket), a.force)) return;
  kv_check(js_DeleteKeyValue(ctx.js(), a.bucket.c_str()), fmt::format("delete bucket {}", a.bucket));
}

CLI::App* sub(CLI::App* kv, const char* name, const char* help, const args_ptr& a) {
  CLI::App* c = kv->add_subcommand(name, help);
  c->add_option("bucket", a->bucket, "bucket name")->required();
  return c;
}

void add_value_commands(CLI::App* kv, context& ctx) {
  auto a = std::make_shared<kv_args>();
  CLI::App* put = sub(kv, "put", "put a value (from stdin when VALUE is absent or -); prints the revision", a);
  put->add_option("key", a->key, "key")->required();
  put->add_option("value", a->value, "value (default: stdin)")->each([a](const std::string&) { a->value_given = true; });
  put->callback([&ctx, a] { kv_put(ctx, *a, 0); });
  put->footer("Example: natrium kv put config feature-flags '{\"darkMode\":true}'");

  CLI::App* create = sub(kv, "create", "put a value only if the key has none; prints the revision", a);
  create->add_option("key", a->key, "key")->required();
  create->add_option("value", a->value, "value (default: stdin)")->each([a](const std::string&) { a->value_given = true; });
  create->callback([&ctx, a] { kv_put(ctx, *a, 1); });

  CLI::App* update = sub(kv, "update", "put a value only if the key is still at REVISION; prints the new revision", a);
  update->add_option("key", a->key, "key")->required();
  update->add_option("value", a->value, "value")->required()->each([a](const std::string&) { a->value_given = true; });
  update->add_option("revision", a->revision, "the revision the key must be at")->required();
  update->callback([&ctx, a] { kv_put(ctx, *a, 2); });

  CLI::App* get = sub(kv, "get", "show a key's value, revision and creation time", a);
  get->add_option("key", a->key, "key")->required();
  get->add_option("--revision", a->revision, "a past revision");
  get->add_flag("--raw", a->raw, "the value only, as stored");
  get->callback([&ctx, a] { kv_get(ctx, *a); });
  get->footer("Example: natrium kv get config feature-flags --raw");

  CLI::App* del = sub(kv, "del", "delete a key (its history stays)", a);
  del->add_option("key", a->key, "key")->required();
  del->add_flag("-f,--force", a->force, "no confirmation");
  del->callback([&ctx, a] { kv_remove_key(ctx, *a, false); });

  CLI::App* purge = sub(kv, "purge", "delete a key and all its history", a);
  purge->add_option("key", a->key, "key")->required();
  purge->add_flag("-f,--force", a->force, "no confirmation");
  purge->callback([&ctx, a] { kv_remove_key(ctx, *a, true); });

  CLI::App* history = sub(kv, "history", "every kept revision of a key", a);
  history->add_option("key", a->key, "key")->required();
  history->callback([&ctx, a] { kv_history(ctx, *a); });
}

void add_add_command(CLI::App* kv, context& ctx) {
  auto a = std::make_shared<kv_args>();
  CLI::App* add = sub(kv, "add", "create a bucket", a);
  add->add_option("--history", a->history, "values kept per key (1-64)")->capture_default_str();
  add->add_option("--ttl", a->ttl, "how long values live, e.g. 1h, 7d (default: forever)");
  add->add_option("--max-value-size", a->max_value_size, "largest value, e.g. 1MB (default: unlimited)");
  add->add_option("--max-bucket-size", a->max_bucket_size, "largest bucket, e.g. 1GB (default: unlimited)");
  add->add_option("--storage", a->storage, "file or memory")->capture_default_str();
  add->add_option("--replicas", a->replicas, "replicas")->capture_default_str();
  add->add_option("--description", a->description, "description");
  add->callback([&ctx, a] { kv_add(ctx, *a); });
  add->footer("Example: natrium kv add config --history 5 --ttl 7d");
}

void add_bucket_commands(CLI::App* kv, context& ctx) {
  auto a = std::make_shared<kv_args>();

  CLI::App* ls = kv->add_subcommand("ls", "list buckets, or the keys of BUCKET");
  ls->add_option("bucket", a->bucket, "bucket name");
  ls->callback([&ctx, a] { a->bucket.empty() ? list_buckets(ctx) : list_keys(ctx, a->bucket); });

  CLI::App* watch = sub(kv, "watch", "print the values, then every change, until interrupted", a);
  watch->add_option("keys", a->key, "keys to watch, wildcards allowed (default: all)");
  watch->add_option("--count", a->count, "exit after this many entries");
  watch->callback([&ctx, a] { kv_watch(ctx, a->bucket, a->key, a->count); });
  watch->footer("Example: natrium kv watch config 'feature.>'");

  sub(kv, "status", "a bucket's values, size, history, TTL and backing stream", a)->callback([&ctx, a] {
    print_status(ctx, a->bucket);
  });

  CLI::App* rm = sub(kv, "rm", "delete a bucket and all its values", a);
  rm->add_flag("-f,--force", a->force, "no confirmation");
  rm->callback([&ctx, a] { kv_rm(ctx, *a); });
}

void add_kv_commands(CLI::App& app, context& ctx) {
  CLI::App* kv = app.add_subcommand("kv", "Key-Value buckets: add, put, get, del, purge, ls, history, watch, status, rm");
  kv->require_subcommand(1);
  kv->footer(
      "Examples:\n"
      "  natrium kv add config --history 5\n"
      "  natrium kv put config feature-flags '{\"darkMode\":true}'\n"
      "  natrium kv get config feature-flags --raw\n"
      "  natrium kv history config feature-flags\n"
      "  natrium kv watch config\n"
      "  natrium kv ls config");
  add_add_command(kv, ctx);
  add_value_commands(kv, ctx);
  add_bucket_commands(kv, ctx);
}

const command_group registered(50, add_kv_commands);

}  // namespace

}  // namespace natrium::cli
