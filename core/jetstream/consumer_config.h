#pragma once
// ConsumerConfig of nats-server 2.9.10 (consumer.go): parsing (also of the
// CreateConsumerRequest envelope), setConsumerConfigDefaults, checkConsumerCfg
// and the name checks of addConsumerWithAssignment, the create-request subject
// checks of jsConsumerCreateRequest, the update rules of
// checkNewConsumerConfig, and serialisation in the reference's field order.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/jetstream/api_error.h"
#include "core/jetstream/go_json.h"
#include "core/jetstream/stream_config.h"

namespace natrium::jetstream {

enum class deliver_policy : std::uint8_t {
  all, last, new_msgs, by_start_sequence, by_start_time, last_per_subject
};
enum class ack_policy : std::uint8_t { none, all, explicit_ };
enum class replay_policy : std::uint8_t { instant, original };

inline constexpr std::int64_t default_ack_wait_ns = 30 * ns_per_s;            // JsAckWaitDefault
inline constexpr std::int64_t default_inactive_threshold_ns = 5 * ns_per_s;   // JsDeleteWaitTimeDefault
inline constexpr std::int64_t default_max_ack_pending = 1000;                 // JsDefaultMaxAckPending
inline constexpr std::int64_t default_max_waiting = 512;                      // JSWaitQueueDefaultMax

struct consumer_config {
  std::string durable_name;
  std::string name;
  std::string description;
  deliver_policy deliver = deliver_policy::all;
  std::uint64_t opt_start_seq = 0;
  std::optional<go_time> opt_start_time;
  ack_policy ack = ack_policy::none;
  std::int64_t ack_wait_ns = 0;
  std::int64_t max_deliver = 0;
  std::vector<std::int64_t> backoff_ns;
  std::string filter_subject;
  replay_policy replay = replay_policy::instant;
  std::uint64_t rate_limit_bps = 0;
  std::string sample_freq;
  std::int64_t max_waiting = 0;
  std::int64_t max_ack_pending = 0;
  std::int64_t idle_heartbeat_ns = 0;
  bool flow_control = false;
  bool headers_only = false;
  std::int64_t max_batch = 0;
  std::int64_t max_expires_ns = 0;
  std::int64_t max_bytes = 0;
  std::string deliver_subject;
  std::string deliver_group;
  std::int64_t inactive_threshold_ns = 0;
  std::int64_t num_replicas = 0;
  bool mem_storage = false;
  bool direct = false;

  bool operator==(const consumer_config&) const = default;
  bool is_durable() const noexcept { return !durable_name.empty(); }
  bool is_pull() const noexcept { return deliver_subject.empty(); }
};

// CreateConsumerRequest: {"stream_name":"S","config":{...}}.
struct consumer_create_request {
  std::string stream_name;
  consumer_config config;
};

struct consumer_config_result {
  std::optional<consumer_config> config;
  std::optional<api_error> error;
  bool ok() const noexcept { return config.has_value(); }
};

// Server (JSLimitOpts) and account (JetStreamAccountLimits) limits; 0: none.
struct consumer_limits {
  std::int64_t server_max_ack_pending = 0;
  std::int64_t server_max_request_batch = 0;
  std::int64_t account_max_ack_pending = 0;
};

// What checkConsumerCfg needs besides the consumer config.
struct consumer_check_context {
  const stream_config* stream = nullptr;  // required: the parent stream (defaults applied)
  // Subjects the stream gets from its mirror/sources (gatherSourceMirrorSubjects),
  // and whether any of those is external (then the filter is not checked).
  std::vector<std::string> origin_subjects;
  bool origin_has_external = false;
  consumer_limits limits;
  bool is_recovering = false;
};

// JSON -> config (malformed JSON or wrong types: invalid_json_err).
consumer_config_result parse_consumer_config_value(const nlohmann::ordered_json& value);
consumer_config_result parse_consumer_config(std::string_view json);
// The request envelope; error is invalid_json_err.
std::optional<consumer_create_request> parse_consumer_create_request(std::string_view json,
                                                                     api_error* error);

// setConsumerConfigDefaults.
void apply_consumer_defaults(consumer_config& c, const consumer_limits& limits);
// checkConsumerCfg on a config with defaults applied.
std::optional<api_error> check_consumer_config(const consumer_config& c, const consumer_check_context& ctx);
// Defaults, checkConsumerCfg, then the name checks of addConsumerWithAssignment
// (durable too long, invalid name) and the ephemeral inactive_threshold default.
// `generated_name` names an ephemeral without durable_name or name.
consumer_config_result check_new_consumer(const consumer_config& c, const consumer_check_context& ctx,
                                          std::string_view generated_name);

// The work-queue rules of addConsumerWithAssignment (10098-10101), checked
// after check_new_consumer against the stream's existing public consumers.
std::optional<api_error> check_workqueue_consumer(const consumer_config& c, const stream_config& s,
                                                  const std::vector<const consumer_config*>& existing);

// jsConsumerCreateRequest without clustering: num_replicas > 1 is 10074
// (checked after the subject checks, before the stream lookup).
std::optional<api_error> check_consumer_single_server(const consumer_config& c);
// addConsumerWithAssignment's consumer count limit (10026): the stream's
// max_consumers, or the account's when that is unset or smaller.
std::optional<api_error> check_consumer_count(const stream_config& s, std::int64_t account_max_consumers,
                                              std::size_t public_consumers);

// The subject checks of jsConsumerCreateRequest for
// $JS.API.CONSUMER.CREATE.<stream>, ...CREATE.<stream>.<name>[.<filter>] and
// ...DURABLE.CREATE.<stream>.<durable>. Updates req.config.name for the new
// form. `subject` is the full request subject.
std::optional<api_error> check_consumer_create_subject(std::string_view subject, consumer_create_request& req);

// checkNewConsumerConfig: may the stored `old` become `update`? Errors come
// back as the reference sends them (consumer_create_err_f with the text, or
// consumer_max_deliver_backoff_err). `deliver_subject_has_interest` says
// whether the old deliver subject still has subscribers.
std::optional<api_error> check_consumer_update(const consumer_config& old, const consumer_config& update,
                                               bool deliver_subject_has_interest);

std::string consumer_config_json(const consumer_config& c);

std::string_view deliver_policy_string(deliver_policy p) noexcept;
std::string_view ack_policy_string(ack_policy p) noexcept;
std::string_view replay_policy_string(replay_policy p) noexcept;

}  // namespace natrium::jetstream
