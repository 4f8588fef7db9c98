// natrium object add|put|get|ls|info|status|rm: object stores, compatible with
// nats.js and nats.go (object_store.h has the protocol).
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <memory>

#include "native/cli/cli_context.h"
#include "native/cli/commands.h"
#include "native/cli/format.h"
#include "native/cli/kv_common.h"
#include "native/cli/object_store.h"

namespace natrium::cli {

namespace {

struct object_args {
  std::string bucket, name, file, output, description;
  bool force = false;
  // object add
  int replicas = 1;
  std::string ttl = "0", max_bucket_size = "-1", storage = "file";
};
using args_ptr = std::shared_ptr<object_args>;

struct file_closer {
  void operator()(std::FILE* f) const noexcept {
    if (f != nullptr && f != stdin && f != stdout) std::fclose(f);
  }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string ttl_text(long long ns) { return ns == 0 ? "unlimited" : human_duration_ns(ns); }

void print_status(context& ctx, const nlohmann::json& si) {
  const auto& c = si.at("config");
  const std::string stream = c.value("name", std::string());
  const std::string bucket = stream.substr(4);
  const long long max_bytes = c.value("max_bytes", -1ll);
  nlohmann::json st = {{"bucket", bucket},
                       {"description", c.value("description", std::string())},
                       {"ttl", c.value("max_age", 0ll)},
                       {"storage", c.value("storage", std::string("file"))},
                       {"replicas", c.value("num_replicas", 1)},
                       {"sealed", c.value("sealed", false)},
                       {"size", si.value("/state/bytes"_json_pointer, 0ull)},
                       {"max_bucket_size", max_bytes},
                       {"backing_store", "JetStream"},
                       {"stream", stream}};
  if (ctx.opts.json) return print_json(st);
  table t({"Property", "Value"}, fmt::format("{} Object Store Status", bucket));
  t.add_row({"Bucket", bucket});
  if (!st["description"].get<std::string>().empty()) t.add_row({"Description", st["description"]});
  t.add_row({"TTL", ttl_text(st["ttl"])});
  t.add_row({"Size", human_bytes(st["size"])});
  t.add_row({"Max Bucket Size", max_bytes <= 0 ? "unlimited" : human_bytes(static_cast<std::uint64_t>(max_bytes))});
  t.add_row({"Sealed", st["sealed"].get<bool>() ? "true" : "false"});
  t.add_row({"Storage", st["storage"]});
  t.add_row({"Replicas", std::to_string(st["replicas"].get<int>())});
  t.add_row({"Backing Store", "JetStream"});
  t.add_row({"Backing Stream", stream});
  t.print();
}

void print_info(context& ctx, const nlohmann::json& meta) {
  if (ctx.opts.json) return print_json(meta);
  table t({"Property", "Value"}, fmt::format("Object information for {} > {}", meta.value("bucket", std::string()),
                                             meta.value("name", std::string())));
  t.add_row({"Name", meta.value("name", std::string())});
  if (!meta.value("description", std::string()).empty()) t.add_row({"Description", meta["description"]});
  t.add_row({"Bucket", meta.value("bucket", std::string())});
  t.add_row({"Size", human_bytes(meta.value("size", 0ull))});
  t.add_row({"Chunks", human_count(meta.value("chunks", 0ull))});
  t.add_row({"Modified", meta.value("mtime", std::string())});
  t.add_row({"Digest", meta.value("digest", std::string())});
  t.add_row({"NUID", meta.value("nuid", std::string())});
  t.add_row({"Revision", std::to_string(meta.value("revision", 0ull))});
  if (meta.value("deleted", false)) t.add_row({"Deleted", "true"});
  if (meta.contains("headers") && meta["headers"].is_object())
    for (const auto& [k, v] : meta["headers"].items()) t.add_row({"Header " + k, v.dump()});
  t.print();
}

// The live metadata of `name`; throws "object not found" (exit 1) for a missing or deleted one.
nlohmann::json live_info(object_store& os, const object_args& a) {
  const auto meta = os.info(a.name);
  if (!meta || meta->value("deleted", false))
    throw cli_error(fmt::format("object {} not found in bucket {}", a.name, a.bucket));
  return *meta;
}

void object_add(context& ctx, const object_args& a) {
  object_store_config cfg;
  cfg.description = a.description;
  cfg.ttl_ns = duration_option("--ttl", a.ttl);
  cfg.max_bytes = size_option("--max-bucket-size", a.max_bucket_size);
  cfg.memory = memory_storage_option(a.storage);
  cfg.replicas = a.replicas;
  print_status(ctx, object_store::create(ctx, a.bucket, cfg));
}

void object_put(context& ctx, const object_args& a) {
  const bool from_stdin = a.file == "-";
  const std::string name = !a.name.empty() ? a.name : from_stdin ? "" : base_name(a.file);
  if (name.empty()) throw cli_error("--name is required when the object comes from stdin", 2);
  file_ptr in(from_stdin ? std::freopen(nullptr, "rb", stdin) : std::fopen(a.file.c_str(), "rb"));
  if (!in) throw cli_error(fmt::format("cannot read {}: {}", a.file, std::strerror(errno)));
  object_store os(ctx, a.bucket);
  const auto started = std::chrono::steady_clock::now();
  const nlohmann::json meta = os.put(name, in.get(), a.description);
  if (ctx.opts.json) return print_json(meta);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started);
  fmt::print("Stored {} ({}) in {} as {} chunks in {}\n\n", name, human_bytes(meta["size"]), a.bucket,
             meta["chunks"].get<std::uint64_t>(), human_duration_ns(ns.count()));
  print_info(ctx, meta);
}

void object_get(context& ctx, const object_args& a) {
  object_store os(ctx, a.bucket);
  const nlohmann::json meta = live_info(os, a);
  if (meta.contains("options") && meta["options"].is_object() && meta["options"].contains("link") &&
      !meta["options"]["link"].is_null())
    throw cli_error(fmt::format("object {} is a link; natrium does not follow links yet", a.name));
  const std::string path = a.output.empty() ? base_name(a.name) : a.output;
  const bool to_stdout = path == "-";
  struct stat st{};
  if (!to_stdout && a.output.empty() && !a.force && ::stat(path.c_str(), &st) == 0)
    throw cli_error(fmt::format("{} exists; use -f to overwrite it or -O to name another file", path));
  file_ptr out(to_stdout ? std::freopen(nullptr, "wb", stdout) : std::fopen(path.c_str(), "wb"));
  if (!out) throw cli_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  try {
    os.get(meta, out.get());
    if (std::fflush(out.get()) != 0) throw cli_error(fmt::format("writing {}: {}", path, std::strerror(errno)));
  } catch (const cli_error&) {
    out.reset();
    if (!to_stdout) std::remove(path.c_str());
    throw;
  }
  if (!to_stdout)
    fmt::print("Wrote {} ({}) to {}, digest verified\n", a.name, human_bytes(meta.value("size", 0ull)), path);
}

void list_buckets(context& ctx) {
  std::vector<nlohmann::json> rows;
  for (const auto& si : list_streams(ctx, "OBJ_")) {
    const auto& c = si.at("config");
    rows.push_back({{"bucket", c.value("name", std::string()).substr(4)},
                    {"description", c.value("description", std::string())},
                    {"created", si.value("created", std::string())},
                    {"size", si.value("/state/bytes"_json_pointer, 0ull)},
                    {"ttl", c.value("max_age", 0ll)},
                    {"storage", c.value("storage", std::string("file"))}});
  }
  if (ctx.opts.json) return print_json(rows);
  if (rows.empty()) return (void)fmt::print("No object stores found\n");
  table t({"Bucket", "Description", "Created", "Size", "TTL", "Storage"}, "Object Store Buckets");
  for (const auto& r : rows) {
    std::string created = r["created"].get<std::string>().substr(0, 19);
    if (created.size() > 10) created[10] = ' ';
    t.add_row({r["bucket"], r["description"], created, human_bytes(r["size"]), ttl_text(r["ttl"]), r["storage"]});
  }
  t.print();
}

void list_objects(context& ctx, const object_args& a) {
  object_store os(ctx, a.bucket);
  std::vector<nlohmann::json> live;
  for (auto& meta : os.list())
    if (!meta.value("deleted", false)) live.push_back(std::move(meta));
  if (ctx.opts.json) return print_json(live);
  if (live.empty()) return (void)fmt::print("No objects in {}\n", a.bucket);
  table t({"Name", "Size", "Chunks", "Modified"}, fmt::format("Bucket Contents: {}", a.bucket));
  for (const auto& m : live)
    t.add_row({m.value("name", std::string()), human_bytes(m.value("size", 0ull)), human_count(m.value("chunks", 0ull)),
               m.value("mtime", std::string())});
  t.print();
}

void object_rm(context& ctx, const object_args& a) {
  object_store os(ctx, a.bucket);
  if (a.name.empty()) {
    if (!confirm_or_force(fmt::format("Delete object store {} and all its objects?", a.bucket), a.force)) return;
    ctx.js_api("STREAM.DELETE." + object_store::stream_name(a.bucket));
    return;
  }
  const nlohmann::json meta = live_info(os, a);
  if (!confirm_or_force(fmt::format("Delete object {} in bucket {}?", a.name, a.bucket), a.force)) return;
  os.remove(meta);
}

CLI::App* sub(CLI::App* parent, const char* name, const char* help, const args_ptr& a) {
  CLI::App* c = parent->add_subcommand(name, help);
  c->add_option("bucket", a->bucket, "bucket name")->required();
  return c;
}

void add_object_commands(CLI::App& app, context& ctx) {
  CLI::App* obj = app.add_subcommand("object", "object stores: add, put, get, ls, info, status, rm");
  obj->alias("obj");
  obj->require_subcommand(1);
  obj->footer(
      "Examples:\n"
      "  natrium object add assets\n"
      "  natrium object put assets ./logo.png\n"
      "  natrium object get assets logo.png -O /tmp/logo.png\n"
      "  natrium object ls assets\n"
      "  natrium object rm assets logo.png -f");
  auto a = std::make_shared<object_args>();

  CLI::App* add = sub(obj, "add", "create an object store", a);
  add->add_option("--ttl", a->ttl, "how long objects live, e.g. 7d (default: forever)");
  add->add_option("--max-bucket-size", a->max_bucket_size, "largest bucket, e.g. 1GB (default: unlimited)");
  add->add_option("--storage", a->storage, "file or memory")->capture_default_str();
  add->add_option("--replicas", a->replicas, "replicas")->capture_default_str();
  add->add_option("--description", a->description, "description");
  add->callback([&ctx, a] { object_add(ctx, *a); });

  CLI::App* put = sub(obj, "put", "store a file (- for stdin) in 128 KiB chunks with its SHA-256 digest", a);
  put->add_option("file", a->file, "file to store, - for stdin")->required();
  put->add_option("--name", a->name, "object name (default: the file's name)");
  put->add_option("--description", a->description, "description");
  put->callback([&ctx, a] { object_put(ctx, *a); });
  put->footer("Example: natrium object put assets ./logo.png --name images/logo.png");

  CLI::App* get = sub(obj, "get", "fetch an object into a file, checking its size and digest", a);
  get->add_option("name", a->name, "object name")->required();
  get->add_option("-O,--output", a->output, "file to write, - for stdout (default: the object's name)");
  get->add_flag("-f,--force", a->force, "overwrite the default output file");
  get->callback([&ctx, a] { object_get(ctx, *a); });
  get->footer("Example: natrium object get assets images/logo.png -O /tmp/logo.png");

  CLI::App* ls = obj->add_subcommand("ls", "list object stores, or the objects in BUCKET");
  ls->add_option("bucket", a->bucket, "bucket name");
  ls->callback([&ctx, a] { a->bucket.empty() ? list_buckets(ctx) : list_objects(ctx, *a); });

  CLI::App* info = sub(obj, "info", "an object's size, chunks, digest and time", a);
  info->add_option("name", a->name, "object name")->required();
  info->callback([&ctx, a] {
    object_store os(ctx, a->bucket);
    print_info(ctx, live_info(os, *a));
  });

  sub(obj, "status", "an object store's size, TTL and backing stream", a)->callback([&ctx, a] {
    print_status(ctx, object_store(ctx, a->bucket).stream_info());
  });

  CLI::App* rm = sub(obj, "rm", "delete an object (its chunks are purged), or without NAME the whole bucket", a);
  rm->add_option("name", a->name, "object name");
  rm->add_flag("-f,--force", a->force, "no confirmation");
  rm->callback([&ctx, a] { object_rm(ctx, *a); });
}

const command_group registered(60, add_object_commands);

}  // namespace

}  // namespace natrium::cli
