#pragma once
// StreamConfig of nats-server 2.9.10 (stream.go StreamConfig): parsing from the
// API JSON, the defaults and validation of checkStreamCfg, the create-request
// checks of jsStreamCreateRequest, the update rules of configUpdateCheck and
// serialisation in the reference's field order with its omitempty rules.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/jetstream/api_error.h"
#include "core/jetstream/go_json.h"

namespace natrium::jetstream {

enum class retention_policy : std::uint8_t { limits, interest, workqueue };
enum class discard_policy : std::uint8_t { old_msgs, new_msgs };
// `unset` is the Go zero value; defaults turn it into `file`.
enum class storage_type : std::uint8_t { unset, file, memory, any };

inline constexpr std::int64_t ns_per_ms = 1'000'000;
inline constexpr std::int64_t ns_per_s = 1'000'000'000;
inline constexpr std::int64_t default_duplicate_window_ns = 120 * ns_per_s;  // 2m
inline constexpr int stream_max_replicas = 5;                                // StreamMaxReplicas

struct placement {
  std::string cluster;
  std::vector<std::string> tags;
  bool operator==(const placement&) const = default;
};

struct external_stream {
  std::string api;      // ApiPrefix
  std::string deliver;  // DeliverPrefix
  bool operator==(const external_stream&) const = default;
};

struct stream_source {
  std::string name;
  std::uint64_t opt_start_seq = 0;
  std::optional<go_time> opt_start_time;
  std::string filter_subject;
  std::optional<external_stream> external;
  bool operator==(const stream_source&) const = default;
};

struct republish {
  std::string src;
  std::string dest;
  bool headers_only = false;
  bool operator==(const republish&) const = default;
};

// Go zero values are kept until apply: 0 means "not given" for the limits.
struct stream_config {
  std::string name;
  std::string description;
  std::vector<std::string> subjects;
  retention_policy retention = retention_policy::limits;
  std::int64_t max_consumers = 0;
  std::int64_t max_msgs = 0;
  std::int64_t max_bytes = 0;
  std::int64_t max_age_ns = 0;
  std::int64_t max_msgs_per_subject = 0;
  std::int32_t max_msg_size = 0;
  discard_policy discard = discard_policy::old_msgs;
  storage_type storage = storage_type::unset;
  std::int64_t num_replicas = 0;
  bool no_ack = false;
  std::string template_owner;
  std::int64_t duplicate_window_ns = 0;
  std::optional<placement> placement_;
  std::optional<stream_source> mirror;
  std::vector<stream_source> sources;
  std::optional<republish> republish_;
  bool allow_direct = false;
  bool mirror_direct = false;
  bool discard_new_per_subject = false;
  bool sealed = false;
  bool deny_delete = false;
  bool deny_purge = false;
  bool allow_rollup_hdrs = false;

  bool operator==(const stream_config&) const = default;
};

// Outcome of a parse or check: a config, or the API error to send.
struct stream_config_result {
  std::optional<stream_config> config;
  std::optional<api_error> error;
  bool ok() const noexcept { return config.has_value(); }
};

// What checkStreamCfg looks up outside the config itself.
struct stream_check_context {
  // Other streams of the account by name (mirror/source checks, cycles).
  const std::map<std::string, stream_config, std::less<>>* streams = nullptr;
  std::int64_t server_duplicates_limit_ns = 0;  // JetStreamLimits.Duplicates (0: none)
  bool max_bytes_required = false;              // account tier requires max_bytes
  std::int64_t max_bytes_limit = 0;             // account tier max_bytes per stream (0: none)
  bool is_recovering = false;
};

// JSON -> config. Malformed JSON or a wrong type gives invalid_json_err.
stream_config_result parse_stream_config(std::string_view json);
stream_config_result parse_stream_config_value(const nlohmann::ordered_json& value);

// checkStreamCfg: defaults then validation; returns the config to store.
stream_config_result check_stream_config(const stream_config& cfg, const stream_check_context& ctx);

// The checks of jsStreamCreateRequest before checkStreamCfg, in its order:
// subject/name mismatch, path separators, sealed, mirror_direct w/o mirror.
std::optional<api_error> check_stream_create_request(std::string_view subject_stream_name,
                                                     const stream_config& cfg);
// The checks of jsStreamUpdateRequest (mismatch with subject name).
std::optional<api_error> check_stream_update_request(std::string_view subject_stream_name,
                                                     const stream_config& cfg);

// configUpdateCheck (the config-only part): checks `update` (defaults
// applied) against the stored `old` and returns the new config, with the
// adjustments for sealing. Limit reservations are the caller's job.
stream_config_result check_stream_update(const stream_config& old, const stream_config& update,
                                         const stream_check_context& ctx);

// JSStreamSubjectOverlapErr: do cfg's subjects collide with those of another
// stream of the account (by name, cfg's own entry skipped)? Create and update
// check this after the config checks.
std::optional<api_error> check_subjects_overlap_streams(
    const stream_config& cfg, const std::map<std::string, stream_config, std::less<>>& streams);

// addStream after checkStreamCfg, in its order: replicas > 1 without
// clustering (10074), then a stream of that name with a different config
// (10058; an identical config is an idempotent create), then subject overlap
// with other streams (10065).
std::optional<api_error> check_stream_add(const stream_config& checked, bool clustered,
                                          const std::map<std::string, stream_config, std::less<>>& streams);

// Serialise in StreamConfig field order with Go's omitempty rules.
std::string stream_config_json(const stream_config& cfg);

std::string_view retention_string(retention_policy r) noexcept;
std::string_view discard_string(discard_policy d) noexcept;
std::string_view storage_string(storage_type s) noexcept;

// Subject helpers with the reference's semantics (sublist.go).
bool subjects_collide(std::string_view a, std::string_view b);
// Is `subject` a subset of `test` (both may contain wildcards)?
bool subject_is_subset_match(std::string_view subject, std::string_view test);
// Could newTransform(src, dest) be built (republish)? Both valid subjects, no
// '*' in dest, '>' in both or neither, every '*' of src used by a $N or
// {{wildcard(N)}} placeholder in dest.
bool is_valid_transform(std::string_view src, std::string_view dest);
// The subject `subject` becomes under the transform src -> dest, or empty if
// it does not match src (nats-server transform.Match).
std::optional<std::string> transform_subject(std::string_view src, std::string_view dest, std::string_view subject);

}  // namespace natrium::jetstream
