// setConsumerConfigDefaults, checkConsumerCfg and the name checks of
// addConsumerWithAssignment (nats-server 2.9.10 consumer.go).
#include "core/jetstream/consumer_config.h"

#include "core/base/assert.h"
#include "core/jetstream/names.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {
namespace {

using opt_error = std::optional<api_error>;

api_error err(api_error_id id) { return make_api_error(id); }

opt_error check_push(const consumer_config& c, const stream_config& s) {
  NATRIUM_ASSERT(!c.is_pull());
  if (!subject::is_literal(c.deliver_subject)) return err(api_error_id::consumer_deliver_to_wildcards_err);
  if (!subject::is_valid_subject(c.deliver_subject)) return err(api_error_id::consumer_invalid_deliver_subject);
  for (const auto& subj : s.subjects) {
    if (subject_is_subset_match(c.deliver_subject, subj)) return err(api_error_id::consumer_deliver_cycle_err);
  }
  if (c.max_waiting != 0) return err(api_error_id::consumer_push_max_waiting_err);
  if (c.max_ack_pending > 0 && c.ack == ack_policy::none) {
    return err(api_error_id::consumer_max_pending_ack_policy_required_err);
  }
  if (c.idle_heartbeat_ns > 0 && c.idle_heartbeat_ns < 100 * ns_per_ms) {
    return err(api_error_id::consumer_small_heartbeat_err);
  }
  return std::nullopt;
}

opt_error check_pull(const consumer_config& c, const stream_config& s, const consumer_limits& lim) {
  NATRIUM_ASSERT(c.is_pull());
  if (c.ack == ack_policy::none && s.retention == retention_policy::workqueue) {
    return err(api_error_id::consumer_pull_requires_ack_err);
  }
  if (c.rate_limit_bps > 0) return err(api_error_id::consumer_pull_with_rate_limit_err);
  if (c.max_waiting < 0) return err(api_error_id::consumer_max_waiting_negative_err);
  if (c.idle_heartbeat_ns > 0) return err(api_error_id::consumer_hb_requires_push_err);
  if (c.flow_control) return err(api_error_id::consumer_fc_requires_push_err);
  if (c.max_batch < 0) return err(api_error_id::consumer_max_request_batch_negative_err);
  if (c.max_expires_ns != 0 && c.max_expires_ns < ns_per_ms) {
    return err(api_error_id::consumer_max_request_expires_to_small);
  }
  if (lim.server_max_request_batch > 0 && c.max_batch > lim.server_max_request_batch) {
    const std::string limit = std::to_string(lim.server_max_request_batch);
    return make_api_error(api_error_id::consumer_max_request_batch_exceeded_f, {{"{limit}", limit}});
  }
  return std::nullopt;
}

opt_error check_ack_pending_limits(const consumer_config& c, const consumer_limits& lim) {
  for (const std::int64_t limit : {lim.server_max_ack_pending, lim.account_max_ack_pending}) {
    if (limit > 0 && c.max_ack_pending > limit) {
      const std::string text = std::to_string(limit);
      return make_api_error(api_error_id::consumer_max_pending_ack_excess_err_f, {{"{limit}", text}});
    }
  }
  return std::nullopt;
}

bool valid_filtered_subject(std::string_view filter, const std::vector<std::string>& subjects) {
  if (!subject::is_valid_subject(filter)) return false;
  const bool has_wc = !subject::is_literal(filter);
  for (const auto& subj : subjects) {
    if (subject_is_subset_match(filter, subj)) return true;
    if (has_wc && subject_is_subset_match(subj, filter)) return true;
  }
  return false;
}

opt_error check_filter(const consumer_config& c, const consumer_check_context& ctx) {
  if (c.filter_subject.empty()) return std::nullopt;
  std::vector<std::string> subjects = ctx.stream->subjects;
  bool has_ext = ctx.is_recovering;
  if (!ctx.is_recovering) {
    subjects.insert(subjects.end(), ctx.origin_subjects.begin(), ctx.origin_subjects.end());
    has_ext = ctx.origin_has_external;
  }
  if (!has_ext && !valid_filtered_subject(c.filter_subject, subjects)) {
    return err(api_error_id::consumer_filter_not_subset_err);
  }
  return std::nullopt;
}

api_error invalid_policy(std::string_view text) {
  return make_api_error_err(api_error_id::consumer_invalid_policy_err_f, text);
}

api_error bad_start(std::string_view dp, std::string_view start) {
  return invalid_policy("consumer delivery policy is deliver " + std::string(dp) + ", but optional start " +
                        std::string(start) + " is also set");
}

api_error not_set(std::string_view dp, std::string_view what) {
  return invalid_policy("consumer delivery policy is deliver " + std::string(dp) + ", but optional " +
                        std::string(what) + " is not set");
}

opt_error check_start(const consumer_config& c) {
  const bool seq = c.opt_start_seq > 0;
  const bool time = c.opt_start_time.has_value();
  switch (c.deliver) {
    case deliver_policy::all:
    case deliver_policy::last:
    case deliver_policy::new_msgs:
    case deliver_policy::last_per_subject: {
      const std::string_view dp = c.deliver == deliver_policy::all    ? "all"
                                  : c.deliver == deliver_policy::last ? "last"
                                  : c.deliver == deliver_policy::new_msgs ? "new"
                                                                          : "last per subject";
      if (seq) return bad_start(dp, "sequence");
      if (time) return bad_start(dp, "time");
      if (c.deliver == deliver_policy::last_per_subject && c.filter_subject.empty()) {
        return not_set(dp, "filter subject");
      }
      return std::nullopt;
    }
    case deliver_policy::by_start_sequence:
      if (!seq) return not_set("by start sequence", "start sequence");
      if (time) return bad_start("by start sequence", "time");
      return std::nullopt;
    case deliver_policy::by_start_time:
      if (!time) return not_set("by start time", "start time");
      if (c.opt_start_seq != 0) return bad_start("by start time", "start sequence");
      return std::nullopt;
  }
  NATRIUM_ASSERT(false);
  return std::nullopt;
}

// strconv.Atoi on the text without a trailing '%'; the template's {err} is
// the Atoi error, or "<nil>" for a negative value (Go prints the nil error).
opt_error check_sample_freq(std::string_view freq) {
  if (freq.empty()) return std::nullopt;
  std::string_view s = freq;
  if (s.back() == '%') s.remove_suffix(1);
  std::string_view digits = s;
  const bool neg = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool syntax_ok = !digits.empty();
  for (const char ch : digits) syntax_ok = syntax_ok && ch >= '0' && ch <= '9';
  auto fail = [&](std::string_view why) {
    return make_api_error_err(api_error_id::consumer_invalid_sampling_err_f,
                              "strconv.Atoi: parsing " + go_quote(s) + ": " + std::string(why));
  };
  if (!syntax_ok) return fail("invalid syntax");
  std::size_t first = 0;
  while (first + 1 < digits.size() && digits[first] == '0') ++first;
  const std::string_view sig = digits.substr(first);
  const std::string_view max_mag = neg ? "9223372036854775808" : "9223372036854775807";
  if (sig.size() > max_mag.size() || (sig.size() == max_mag.size() && sig > max_mag)) {
    return fail("value out of range");
  }
  const bool is_zero = sig == "0";
  if (neg && !is_zero) return make_api_error_err(api_error_id::consumer_invalid_sampling_err_f, "<nil>");
  return std::nullopt;
}

}  // namespace

void apply_consumer_defaults(consumer_config& c, const consumer_limits& lim) {
  if (c.deliver_subject.empty() && c.max_waiting == 0) c.max_waiting = default_max_waiting;
  const bool acks = c.ack == ack_policy::explicit_ || c.ack == ack_policy::all;
  if (c.ack_wait_ns == 0 && acks) c.ack_wait_ns = default_ack_wait_ns;
  if (c.max_deliver == 0) c.max_deliver = -1;
  if (!c.backoff_ns.empty()) c.ack_wait_ns = c.backoff_ns.front();
  if (acks && c.max_ack_pending == 0) {
    std::int64_t pending = default_max_ack_pending;
    if (lim.server_max_ack_pending > 0 && lim.server_max_ack_pending < pending) pending = lim.server_max_ack_pending;
    if (lim.account_max_ack_pending > 0 && lim.account_max_ack_pending < pending) {
      pending = lim.account_max_ack_pending;
    }
    c.max_ack_pending = pending;
  }
  if (c.deliver_subject.empty() && c.max_batch == 0 && lim.server_max_request_batch > 0) {
    c.max_batch = lim.server_max_request_batch;
  }
  NATRIUM_ASSERT(c.max_deliver != 0);
  if (c.is_pull()) NATRIUM_ASSERT(c.max_waiting != 0);
}

std::optional<api_error> check_consumer_config(const consumer_config& c, const consumer_check_context& ctx) {
  NATRIUM_ASSERT(ctx.stream != nullptr);
  const stream_config& s = *ctx.stream;
  if (c.num_replicas > 0 && c.num_replicas > s.num_replicas) {
    return err(api_error_id::consumer_replicas_exceeds_stream);
  }
  if (c.num_replicas < 0) return err(api_error_id::replicas_count_cannot_be_negative);
  const auto backoffs = static_cast<std::int64_t>(c.backoff_ns.size());
  if (backoffs > 0 && c.max_deliver <= backoffs) return err(api_error_id::consumer_max_deliver_backoff_err);
  if (c.description.size() > max_description_len) {
    const std::string max = std::to_string(max_description_len);
    return make_api_error(api_error_id::consumer_description_too_long_err_f, {{"{max}", max}});
  }
  if (auto e = c.is_pull() ? check_pull(c, s, ctx.limits) : check_push(c, s)) return e;
  if (auto e = check_ack_pending_limits(c, ctx.limits)) return e;
  if (c.direct) {
    if (c.is_pull()) return err(api_error_id::consumer_direct_requires_push_err);
    if (c.is_durable()) return err(api_error_id::consumer_direct_requires_ephemeral_err);
  }
  if (auto e = check_filter(c, ctx)) return e;
  if (auto e = check_start(c)) return e;
  if (auto e = check_sample_freq(c.sample_freq)) return e;
  if (c.flow_control && c.idle_heartbeat_ns == 0) {
    return err(api_error_id::consumer_with_flow_control_needs_heartbeats);
  }
  if (!c.durable_name.empty() && !c.name.empty() && c.name != c.durable_name) {
    return err(api_error_id::consumer_create_durable_and_name_mismatch);
  }
  return std::nullopt;
}

consumer_config_result check_new_consumer(const consumer_config& config, const consumer_check_context& ctx,
                                          std::string_view generated_name) {
  consumer_config c = config;
  apply_consumer_defaults(c, ctx.limits);
  if (auto e = check_consumer_config(c, ctx)) return {std::nullopt, *e};
  std::string_view name = generated_name;
  if (c.is_durable()) {
    if (c.durable_name.size() > max_name_len) {
      const std::string max = std::to_string(max_name_len);
      return {std::nullopt, make_api_error(api_error_id::consumer_name_too_long_err_f, {{"{max}", max}})};
    }
    name = c.durable_name;
  } else if (!c.name.empty()) {
    name = c.name;
  }
  if (!is_valid_name(name)) return {std::nullopt, err(api_error_id::consumer_bad_durable_name_err)};
  if (!c.is_durable() && c.inactive_threshold_ns <= 0) c.inactive_threshold_ns = default_inactive_threshold_ns;
  NATRIUM_ASSERT(c.max_deliver != 0);
  return {std::move(c), std::nullopt};
}

std::optional<api_error> check_workqueue_consumer(const consumer_config& c, const stream_config& s,
                                                  const std::vector<const consumer_config*>& existing) {
  if (s.retention != retention_policy::workqueue || c.direct) return std::nullopt;
  if (c.ack != ack_policy::explicit_) return err(api_error_id::consumer_wq_requires_explicit_ack_err);
  if (!existing.empty()) {
    if (c.filter_subject.empty()) return err(api_error_id::consumer_wq_multiple_unfiltered_err);
    for (const consumer_config* o : existing) {
      NATRIUM_ASSERT(o != nullptr);
      if (o->filter_subject.empty() || subject_is_subset_match(c.filter_subject, o->filter_subject) ||
          subject_is_subset_match(o->filter_subject, c.filter_subject)) {
        return err(api_error_id::consumer_wq_consumer_not_unique_err);
      }
    }
  }
  if (c.deliver != deliver_policy::all) return err(api_error_id::consumer_wq_consumer_not_deliver_all_err);
  return std::nullopt;
}

}  // namespace natrium::jetstream
