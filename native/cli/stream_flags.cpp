#include "native/cli/stream_flags.h"

#include <cstdint>
#include <vector>

#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

std::string one_of(const std::string& flag, const std::string& v, std::initializer_list<std::pair<const char*, const char*>> map) {
  std::string choices;
  for (const auto& [from, to] : map) {
    if (v == from) return to;
    if (choices.find(std::string(to)) == std::string::npos) choices += (choices.empty() ? "" : ", ") + std::string(from);
  }
  throw CLI::ValidationError(flag, "unknown value " + v + " (one of " + choices + ")");
}

void add_value(CLI::App* cmd, const std::string& names, const std::string& help, std::function<void(const std::string&)> fn) {
  cmd->add_option_function<std::string>(names, std::move(fn), help);
}

void add_bool(CLI::App* cmd, stream_flags& f, const std::string& flag, const std::string& field, const std::string& help) {
  cmd->add_flag_function(
      "--" + flag + ",!--no-" + flag, [&f, field](std::int64_t n) { f.patch[field] = n > 0; }, help);
}

}  // namespace

void add_stream_flags(CLI::App* cmd, stream_flags& f, bool edit) {
  cmd->add_option_function<std::vector<std::string>>(
         "--subjects",
         [&f](const std::vector<std::string>& v) {
           std::vector<std::string> subjects;
           for (const auto& s : v)
             if (!s.empty()) subjects.push_back(s);
           f.patch["subjects"] = subjects;
         },
         "subjects the stream stores, comma separated or repeated")
      ->delimiter(',');
  add_value(cmd, "--storage", "file or memory", [&f](const std::string& v) {
    f.patch["storage"] = one_of("--storage", v, {{"file", "file"}, {"memory", "memory"}, {"mem", "memory"}});
  });
  add_value(cmd, "--retention", "limits, interest or workq (workqueue)", [&f](const std::string& v) {
    f.patch["retention"] = one_of("--retention", v,
                                  {{"limits", "limits"}, {"interest", "interest"}, {"workq", "workqueue"},
                                   {"workqueue", "workqueue"}, {"work", "workqueue"}});
  });
  add_value(cmd, "--discard", "when full, discard old or new messages", [&f](const std::string& v) {
    f.patch["discard"] = one_of("--discard", v, {{"old", "old"}, {"new", "new"}});
  });
  add_bool(cmd, f, "discard-per-subject", "discard_new_per_subject",
           "discard new messages per subject when --max-msgs-per-subject is reached (with --discard new)");
  add_value(cmd, "--max-msgs", "most messages kept (-1 unlimited)",
            [&f](const std::string& v) { f.patch["max_msgs"] = flag_count("--max-msgs", v); });
  add_value(cmd, "--max-bytes", "most bytes kept, e.g. 512MB, 1GiB (-1 unlimited)",
            [&f](const std::string& v) { f.patch["max_bytes"] = flag_size("--max-bytes", v); });
  add_value(cmd, "--max-age", "oldest message kept, e.g. 1h, 7d (0 unlimited)",
            [&f](const std::string& v) { f.patch["max_age"] = flag_duration_ns("--max-age", v); });
  add_value(cmd, "--max-msg-size", "largest message accepted, e.g. 1MB (-1 unlimited)",
            [&f](const std::string& v) { f.patch["max_msg_size"] = flag_size("--max-msg-size", v); });
  add_value(cmd, "--max-msgs-per-subject", "most messages kept per subject (-1 unlimited)", [&f](const std::string& v) {
    f.patch["max_msgs_per_subject"] = flag_count("--max-msgs-per-subject", v);
  });
  add_value(cmd, "--max-consumers", "most consumers (-1 unlimited)",
            [&f](const std::string& v) { f.patch["max_consumers"] = flag_count("--max-consumers", v); });
  add_value(cmd, "--replicas", "number of replicas", [&f](const std::string& v) {
    const std::int64_t n = flag_count("--replicas", v);
    if (n < 1 || n > 5) throw CLI::ValidationError("--replicas", "between 1 and 5: " + v);
    f.patch["num_replicas"] = n;
  });
  add_value(cmd, "--dupe-window", "window for duplicate detection by Nats-Msg-Id, e.g. 2m",
            [&f](const std::string& v) { f.patch["duplicate_window"] = flag_duration_ns("--dupe-window", v); });
  add_bool(cmd, f, "allow-rollup", "allow_rollup_hdrs", "allow Nats-Rollup headers to purge subjects or the stream");
  add_bool(cmd, f, "deny-delete", "deny_delete", "deny deleting messages through the API");
  add_bool(cmd, f, "deny-purge", "deny_purge", "deny purging the stream through the API");
  add_bool(cmd, f, "allow-direct", "allow_direct", "allow direct get (DIRECT.GET) of messages");
  add_bool(cmd, f, "no-ack", "no_ack", "do not acknowledge publishes");
  add_value(cmd, "--description", "a description of the stream",
            [&f](const std::string& v) { f.patch["description"] = v; });
  add_value(cmd, "--republish-source", "republish messages on subjects matching this (default >)",
            [&f](const std::string& v) { f.patch["republish"]["src"] = v; });
  add_value(cmd, "--republish-destination", "republish matching messages to this subject",
            [&f](const std::string& v) { f.patch["republish"]["dest"] = v; });
  cmd->add_flag_function(
      "--republish-headers", [&f](std::int64_t n) { f.patch["republish"]["headers_only"] = n > 0; },
      "republish only the headers, not the bodies");
  if (edit) {
    cmd->add_flag_function(
        "--sealed", [&f](std::int64_t n) { f.patch["sealed"] = n > 0; },
        "seal the stream: no more writes, deletes or purges (cannot be undone)");
  } else {
    add_value(cmd, "--mirror", "mirror this stream", [&f](const std::string& v) {
      f.patch["mirror"] = {{"name", v}};
    });
    cmd->add_option_function<std::vector<std::string>>(
           "--source",
           [&f](const std::vector<std::string>& v) {
             nlohmann::json sources = nlohmann::json::array();
             for (const auto& s : v)
               if (!s.empty()) sources.push_back({{"name", s}});
             f.patch["sources"] = sources;
           },
           "source messages from these streams, comma separated or repeated")
        ->delimiter(',');
    cmd->add_flag("--defaults", f.defaults, "use the defaults for everything not given; never prompt");
  }
}

nlohmann::json stream_defaults(const std::string& name) {
  return {
      {"name", name},
      {"retention", "limits"},
      {"max_consumers", -1},
      {"max_msgs", -1},
      {"max_bytes", -1},
      {"max_age", 0},
      {"max_msgs_per_subject", -1},
      {"max_msg_size", -1},
      {"discard", "old"},
      {"storage", "file"},
      {"num_replicas", 1},
      {"duplicate_window", 120'000'000'000LL},
      {"sealed", false},
      {"deny_delete", false},
      {"deny_purge", false},
      {"allow_rollup_hdrs", false},
      {"allow_direct", false},
      {"mirror_direct", false},
  };
}

void apply_stream_patch(nlohmann::json& cfg, const nlohmann::json& patch) {
  for (const auto& [key, value] : patch.items()) {
    if (key == "republish") {
      nlohmann::json rp = cfg.contains("republish") && cfg["republish"].is_object() ? cfg["republish"]
                                                                                     : nlohmann::json::object();
      for (const auto& [k, v] : value.items()) rp[k] = v;
      if (!rp.contains("src")) rp["src"] = ">";
      cfg["republish"] = rp;
    } else {
      cfg[key] = value;
    }
  }
}

}  // namespace natrium::cli
