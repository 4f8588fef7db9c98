#pragma once
// The JetStream object store protocol (ADR-20), as nats.js and nats.go speak
// it, written with plain JetStream requests because libnats 3.4.1 has no
// object store API:
//   - bucket B is the stream OBJ_B with subjects $O.B.C.> and $O.B.M.>,
//     discard new, roll-up headers and direct get allowed;
//   - an object's chunks (128 KiB, or less when max_payload is smaller) are
//     published on $O.B.C.<nuid>;
//   - its metadata (JSON: name, description, headers, options, bucket, nuid,
//     size, mtime, chunks, digest "SHA-256=<base64url>", deleted) goes last on
//     $O.B.M.<base64url(name)> with "Nats-Rollup: sub", replacing the old one,
//     whose chunks are then purged;
//   - reads take the metadata by last_by_subj and the chunks in order by
//     next_by_subj (direct get when the stream allows it, else MSG.GET).
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace natrium::cli {

class context;

struct object_store_config {
  std::string description;
  std::int64_t ttl_ns = 0;
  std::int64_t max_bytes = -1;
  bool memory = false;
  int replicas = 1;
};

class object_store {
 public:
  // Opens bucket `bucket`: throws cli_error "object store B not found" (exit 1).
  object_store(context& ctx, std::string bucket);
  // Creates the bucket's stream (or finds it with the same configuration).
  static nlohmann::json create(context& ctx, const std::string& bucket, const object_store_config& cfg);
  static void validate_bucket(const std::string& bucket);
  static std::string stream_name(const std::string& bucket) { return "OBJ_" + bucket; }

  const nlohmann::json& stream_info() const { return info_; }
  // The metadata of `name` with "revision" (its stream sequence) added;
  // nullopt when the bucket never had it. A deleted object has "deleted": true.
  std::optional<nlohmann::json> info(const std::string& name);
  // The metadata of every object, deleted ones too, by name.
  std::vector<nlohmann::json> list();
  // Stores `in` (read to its end) as `name`; returns the new metadata.
  nlohmann::json put(const std::string& name, std::FILE* in, const std::string& description);
  // Writes the object's bytes to `out`, checking chunk count, size and digest.
  void get(const nlohmann::json& meta, std::FILE* out);
  // Marks `meta`'s object deleted and purges its chunks; returns the chunks purged.
  std::uint64_t remove(const nlohmann::json& meta);

 private:
  struct stored_msg {
    std::string subject;
    std::uint64_t seq = 0;
    std::string data;
  };
  std::optional<stored_msg> get_msg(const nlohmann::json& request);
  std::optional<stored_msg> direct_get(const nlohmann::json& request);
  std::optional<stored_msg> msg_get(const nlohmann::json& request);
  std::uint64_t purge_subject(const std::string& subject);
  std::uint64_t publish_meta(const nlohmann::json& meta);
  std::string chunk_subject(const std::string& nuid) const;
  std::string meta_subject(const std::string& name) const;

  context& ctx_;
  std::string bucket_, stream_;
  nlohmann::json info_;
  bool direct_ = false;
};

}  // namespace natrium::cli
