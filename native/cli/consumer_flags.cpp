#include "native/cli/consumer_flags.h"

#include <cstdint>
#include <vector>

#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

void add_value(CLI::App* cmd, const std::string& names, const std::string& help,
               std::function<void(const std::string&)> fn) {
  cmd->add_option_function<std::string>(names, std::move(fn), help);
}

void add_bool(CLI::App* cmd, consumer_flags& f, const std::string& flag, const std::string& field,
              const std::string& help) {
  cmd->add_flag_function(
      "--" + flag + ",!--no-" + flag, [&f, field](std::int64_t n) { f.patch[field] = n > 0; }, help);
}

bool all_digits(const std::string& v) {
  return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
}

// --deliver: all, last, new, last_per_subject, a start sequence, a duration
// back from now (1h) or an RFC 3339 start time.
void set_deliver(nlohmann::json& patch, const std::string& v) {
  patch.erase("opt_start_seq");
  patch.erase("opt_start_time");
  if (v == "all" || v == "last" || v == "new") {
    patch["deliver_policy"] = v;
  } else if (v == "last_per_subject" || v == "subject" || v == "last-per-subject") {
    patch["deliver_policy"] = "last_per_subject";
  } else if (all_digits(v)) {
    patch["deliver_policy"] = "by_start_sequence";
    patch["opt_start_seq"] = std::stoull(v);
  } else if (const std::int64_t t = parse_time_ns(v); t != 0) {
    patch["deliver_policy"] = "by_start_time";
    patch["opt_start_time"] = format_rfc3339(t);
  } else if (const auto d = parse_duration_ns(v); d && *d > 0) {
    patch["deliver_policy"] = "by_start_time";
    patch["opt_start_time"] = format_rfc3339(now_ns() - *d);
  } else {
    throw CLI::ValidationError("--deliver", "unknown value " + v +
                                               " (all, last, new, last_per_subject, a sequence, a duration like 1h "
                                               "or a time like 2024-01-02T15:04:05Z)");
  }
}

}  // namespace

void add_consumer_flags(CLI::App* cmd, consumer_flags& f, bool edit) {
  if (!edit) {
    cmd->add_flag("--pull", f.pull, "a pull consumer (the default)");
    cmd->add_flag("--push", f.push, "a push consumer delivering to --target");
    cmd->add_flag("--ephemeral", f.ephemeral, "an ephemeral consumer, named by the server");
    cmd->add_flag("--defaults", f.defaults, "use the defaults for everything not given; never prompt");
  }
  add_value(cmd, "--target", "push consumers: the subject messages are delivered to",
            [&f](const std::string& v) { f.patch["deliver_subject"] = v; });
  add_value(cmd, "--deliver", "where to start: all, last, new, last_per_subject, a sequence, a duration (1h) or a time",
            [&f](const std::string& v) { set_deliver(f.patch, v); });
  add_value(cmd, "--ack", "acknowledgement policy: explicit, all or none", [&f](const std::string& v) {
    if (v != "explicit" && v != "all" && v != "none")
      throw CLI::ValidationError("--ack", "unknown value " + v + " (explicit, all or none)");
    f.patch["ack_policy"] = v;
  });
  add_value(cmd, "--filter", "only messages on subjects matching this",
            [&f](const std::string& v) { f.patch["filter_subject"] = v; });
  add_value(cmd, "--replay", "replay policy: instant or original", [&f](const std::string& v) {
    if (v != "instant" && v != "original")
      throw CLI::ValidationError("--replay", "unknown value " + v + " (instant or original)");
    f.patch["replay_policy"] = v;
  });
  add_value(cmd, "--max-deliver", "most deliveries of one message (-1 unlimited)",
            [&f](const std::string& v) { f.patch["max_deliver"] = flag_count("--max-deliver", v); });
  add_value(cmd, "--max-pending", "most messages delivered and not yet acknowledged (max_ack_pending)",
            [&f](const std::string& v) { f.patch["max_ack_pending"] = flag_count("--max-pending", v); });
  add_value(cmd, "--max-waiting", "pull consumers: most pull requests waiting",
            [&f](const std::string& v) { f.patch["max_waiting"] = flag_count("--max-waiting", v); });
  add_value(cmd, "--wait", "how long to wait for an acknowledgement before redelivering (ack_wait), e.g. 30s",
            [&f](const std::string& v) { f.patch["ack_wait"] = flag_duration_ns("--wait", v); });
  cmd->add_option_function<std::vector<std::string>>(
         "--backoff",
         [&f](const std::vector<std::string>& v) {
           nlohmann::json b = nlohmann::json::array();
           for (const auto& d : v)
             if (!d.empty()) b.push_back(flag_duration_ns("--backoff", d));
           f.patch["backoff"] = b;
         },
         "redelivery delays, comma separated, e.g. 1s,5s,30s")
      ->delimiter(',');
  add_value(cmd, "--heartbeat", "push consumers: idle heartbeat interval, e.g. 5s",
            [&f](const std::string& v) { f.patch["idle_heartbeat"] = flag_duration_ns("--heartbeat", v); });
  add_bool(cmd, f, "flow-control", "flow_control", "push consumers: flow control (needs --heartbeat)");
  add_value(cmd, "--deliver-group", "push consumers: the queue group delivered to",
            [&f](const std::string& v) { f.patch["deliver_group"] = v; });
  add_value(cmd, "--inactive-threshold", "remove the consumer after it is unused this long, e.g. 1h",
            [&f](const std::string& v) {
              f.patch["inactive_threshold"] = flag_duration_ns("--inactive-threshold", v);
            });
  add_value(cmd, "--description", "a description of the consumer",
            [&f](const std::string& v) { f.patch["description"] = v; });
  add_bool(cmd, f, "headers-only", "headers_only", "deliver only the headers (and Nats-Msg-Size), not the bodies");
}

nlohmann::json consumer_defaults() {
  return {{"deliver_policy", "all"}, {"ack_policy", "explicit"}, {"replay_policy", "instant"}};
}

void apply_consumer_patch(nlohmann::json& cfg, const nlohmann::json& patch) {
  if (patch.contains("deliver_policy")) {
    cfg.erase("opt_start_seq");
    cfg.erase("opt_start_time");
  }
  for (const auto& [key, value] : patch.items()) cfg[key] = value;
}

}  // namespace natrium::cli
