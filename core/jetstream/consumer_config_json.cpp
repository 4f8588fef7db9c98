// consumer_config <-> JSON (declared in consumer_config.h).
#include <limits>

#include "core/base/assert.h"
#include "core/jetstream/consumer_config.h"

namespace natrium::jetstream {
namespace {

constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

const std::pair<std::string_view, deliver_policy> deliver_names[] = {
    {"all", deliver_policy::all},
    {"undefined", deliver_policy::all},
    {"last", deliver_policy::last},
    {"last_per_subject", deliver_policy::last_per_subject},
    {"new", deliver_policy::new_msgs},
    {"by_start_sequence", deliver_policy::by_start_sequence},
    {"by_start_time", deliver_policy::by_start_time}};
const std::pair<std::string_view, ack_policy> ack_names[] = {
    {"none", ack_policy::none}, {"all", ack_policy::all}, {"explicit", ack_policy::explicit_}};
const std::pair<std::string_view, replay_policy> replay_names[] = {
    {"instant", replay_policy::instant}, {"original", replay_policy::original}};

bool parse_fields(const nlohmann::ordered_json& o, consumer_config& c) {
  bool ok = go_read_string(o, "durable_name", c.durable_name) && go_read_string(o, "name", c.name) &&
            go_read_string(o, "description", c.description) &&
            go_read_enum(o, "deliver_policy", c.deliver, deliver_names) &&
            go_read_uint(o, "opt_start_seq", c.opt_start_seq) && go_read_enum(o, "ack_policy", c.ack, ack_names) &&
            go_read_int(o, "ack_wait", c.ack_wait_ns, i64_min, i64_max) &&
            go_read_int(o, "max_deliver", c.max_deliver, i64_min, i64_max) &&
            go_read_ints(o, "backoff", c.backoff_ns) && go_read_string(o, "filter_subject", c.filter_subject) &&
            go_read_enum(o, "replay_policy", c.replay, replay_names) &&
            go_read_uint(o, "rate_limit_bps", c.rate_limit_bps) && go_read_string(o, "sample_freq", c.sample_freq) &&
            go_read_int(o, "max_waiting", c.max_waiting, i64_min, i64_max) &&
            go_read_int(o, "max_ack_pending", c.max_ack_pending, i64_min, i64_max) &&
            go_read_int(o, "idle_heartbeat", c.idle_heartbeat_ns, i64_min, i64_max) &&
            go_read_bool(o, "flow_control", c.flow_control) && go_read_bool(o, "headers_only", c.headers_only) &&
            go_read_int(o, "max_batch", c.max_batch, i64_min, i64_max) &&
            go_read_int(o, "max_expires", c.max_expires_ns, i64_min, i64_max) &&
            go_read_int(o, "max_bytes", c.max_bytes, i64_min, i64_max) &&
            go_read_string(o, "deliver_subject", c.deliver_subject) &&
            go_read_string(o, "deliver_group", c.deliver_group) &&
            go_read_int(o, "inactive_threshold", c.inactive_threshold_ns, i64_min, i64_max) &&
            go_read_int(o, "num_replicas", c.num_replicas, i64_min, i64_max) &&
            go_read_bool(o, "mem_storage", c.mem_storage) && go_read_bool(o, "direct", c.direct);
  if (!ok) return false;
  if (const nlohmann::ordered_json* t = go_json_field(o, "opt_start_time"); t != nullptr) {
    go_time parsed;
    if (!t->is_string() || !go_parse_time(t->get_ref<const std::string&>(), parsed)) return false;
    c.opt_start_time = parsed;
  }
  return true;
}

consumer_config_result invalid_json() {
  return {std::nullopt, make_api_error(api_error_id::invalid_json_err)};
}

}  // namespace

consumer_config_result parse_consumer_config_value(const nlohmann::ordered_json& value) {
  consumer_config c;
  if (value.is_null()) return {c, std::nullopt};
  if (!value.is_object() || !parse_fields(value, c)) return invalid_json();
  return {std::move(c), std::nullopt};
}

consumer_config_result parse_consumer_config(std::string_view json) {
  const nlohmann::ordered_json value = nlohmann::ordered_json::parse(json.begin(), json.end(), nullptr, false);
  if (value.is_discarded()) return invalid_json();
  return parse_consumer_config_value(value);
}

std::optional<consumer_create_request> parse_consumer_create_request(std::string_view json,
                                                                     api_error* error) {
  NATRIUM_ASSERT(error != nullptr);
  const nlohmann::ordered_json value = nlohmann::ordered_json::parse(json.begin(), json.end(), nullptr, false);
  consumer_create_request req;
  bool ok = !value.is_discarded() && (value.is_null() || value.is_object());
  if (ok && value.is_object()) {
    ok = go_read_string(value, "stream_name", req.stream_name);
    if (const nlohmann::ordered_json* cfg = go_json_field(value, "config"); ok && cfg != nullptr) {
      consumer_config_result parsed = parse_consumer_config_value(*cfg);
      ok = parsed.ok();
      if (ok) req.config = std::move(*parsed.config);
    }
  }
  if (!ok) {
    *error = make_api_error(api_error_id::invalid_json_err);
    return std::nullopt;
  }
  return req;
}

std::string_view deliver_policy_string(deliver_policy p) noexcept {
  switch (p) {
    case deliver_policy::all: return "all";
    case deliver_policy::last: return "last";
    case deliver_policy::new_msgs: return "new";
    case deliver_policy::by_start_sequence: return "by_start_sequence";
    case deliver_policy::by_start_time: return "by_start_time";
    case deliver_policy::last_per_subject: return "last_per_subject";
  }
  NATRIUM_ASSERT(false);
  return {};
}

std::string_view ack_policy_string(ack_policy p) noexcept {
  switch (p) {
    case ack_policy::none: return "none";
    case ack_policy::all: return "all";
    case ack_policy::explicit_: return "explicit";
  }
  NATRIUM_ASSERT(false);
  return {};
}

std::string_view replay_policy_string(replay_policy p) noexcept {
  return p == replay_policy::original ? "original" : "instant";
}

std::string consumer_config_json(const consumer_config& c) {
  std::string out = "{";
  bool f = true;
  if (!c.durable_name.empty()) go_json_str(out, f, "durable_name", c.durable_name);
  if (!c.name.empty()) go_json_str(out, f, "name", c.name);
  if (!c.description.empty()) go_json_str(out, f, "description", c.description);
  go_json_str(out, f, "deliver_policy", deliver_policy_string(c.deliver));
  if (c.opt_start_seq != 0) go_json_uint(out, f, "opt_start_seq", c.opt_start_seq);
  if (c.opt_start_time) go_json_str(out, f, "opt_start_time", go_format_time(*c.opt_start_time));
  go_json_str(out, f, "ack_policy", ack_policy_string(c.ack));
  if (c.ack_wait_ns != 0) go_json_int(out, f, "ack_wait", c.ack_wait_ns);
  if (c.max_deliver != 0) go_json_int(out, f, "max_deliver", c.max_deliver);
  if (!c.backoff_ns.empty()) {
    go_json_key(out, f, "backoff");
    out += '[';
    for (std::size_t i = 0; i < c.backoff_ns.size(); ++i) {
      if (i != 0) out += ',';
      out += std::to_string(c.backoff_ns[i]);
    }
    out += ']';
  }
  if (!c.filter_subject.empty()) go_json_str(out, f, "filter_subject", c.filter_subject);
  go_json_str(out, f, "replay_policy", replay_policy_string(c.replay));
  if (c.rate_limit_bps != 0) go_json_uint(out, f, "rate_limit_bps", c.rate_limit_bps);
  if (!c.sample_freq.empty()) go_json_str(out, f, "sample_freq", c.sample_freq);
  if (c.max_waiting != 0) go_json_int(out, f, "max_waiting", c.max_waiting);
  if (c.max_ack_pending != 0) go_json_int(out, f, "max_ack_pending", c.max_ack_pending);
  if (c.idle_heartbeat_ns != 0) go_json_int(out, f, "idle_heartbeat", c.idle_heartbeat_ns);
  if (c.flow_control) go_json_bool(out, f, "flow_control", true);
  if (c.headers_only) go_json_bool(out, f, "headers_only", true);
  if (c.max_batch != 0) go_json_int(out, f, "max_batch", c.max_batch);
  if (c.max_expires_ns != 0) go_json_int(out, f, "max_expires", c.max_expires_ns);
  if (c.max_bytes != 0) go_json_int(out, f, "max_bytes", c.max_bytes);
  if (!c.deliver_subject.empty()) go_json_str(out, f, "deliver_subject", c.deliver_subject);
  if (!c.deliver_group.empty()) go_json_str(out, f, "deliver_group", c.deliver_group);
  if (c.inactive_threshold_ns != 0) go_json_int(out, f, "inactive_threshold", c.inactive_threshold_ns);
  go_json_int(out, f, "num_replicas", c.num_replicas);
  if (c.mem_storage) go_json_bool(out, f, "mem_storage", true);
  if (c.direct) go_json_bool(out, f, "direct", true);
  out += '}';
  NATRIUM_ASSERT(!f);
  return out;
}

}  // namespace natrium::jetstream
