#include "native/cli/stream_report.h"

#include <fmt/format.h>

#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

bool flag(const nlohmann::json& j, const char* key) { return j.value(key, false); }

std::string yes_no(bool b) { return b ? "true" : "false"; }

std::string seq_with_time(std::uint64_t seq, std::int64_t t) {
  if (t == 0) return human_count(seq);
  return fmt::format("{} @ {} ({} ago)", human_count(seq), local_time(t), age(t));
}

std::string join(const nlohmann::json& arr, const char* sep) {
  std::string out;
  if (!arr.is_array()) return out;
  for (const auto& s : arr) {
    if (!out.empty()) out += sep;
    out += s.is_string() ? s.get<std::string>() : s.dump();
  }
  return out;
}

}  // namespace

void print_stream_info(const nlohmann::json& info) {
  const nlohmann::json& cfg = info.at("config");
  const nlohmann::json st = info.value("state", nlohmann::json::object());
  const std::string name = cfg.value("name", std::string());
  fmt::print("{}\n\n", bold(fmt::format("Information for Stream {} created {}", name,
                                        local_time(json_time_ns(info, "created")))));

  report_section c("Configuration:");
  if (cfg.contains("description")) c.add("Description", cfg.value("description", std::string()));
  if (cfg.contains("subjects") && !cfg["subjects"].empty()) c.add("Subjects", join(cfg["subjects"], ", "));
  c.add("Replicas", std::to_string(json_i64(cfg, "num_replicas", 1)));
  c.add("Storage", title_case(cfg.value("storage", std::string("file"))));
  c.add("Retention", title_case(cfg.value("retention", std::string("limits"))));
  c.add("Acknowledgments", yes_no(!flag(cfg, "no_ack")));
  std::string discard = title_case(cfg.value("discard", std::string("old")));
  if (flag(cfg, "discard_new_per_subject")) discard += " Per Subject";
  c.add("Discard Policy", discard);
  c.add("Duplicate Window", human_duration_ns(json_i64(cfg, "duplicate_window")));
  c.add("Direct Get", yes_no(flag(cfg, "allow_direct")));
  c.add("Allows Msg Delete", yes_no(!flag(cfg, "deny_delete")));
  c.add("Allows Purge", yes_no(!flag(cfg, "deny_purge")));
  c.add("Allows Rollups", yes_no(flag(cfg, "allow_rollup_hdrs")));
  if (flag(cfg, "sealed")) c.add("Sealed", "true");
  c.add("Maximum Messages", limit_count(json_i64(cfg, "max_msgs", -1)));
  c.add("Maximum Per Subject", limit_count(json_i64(cfg, "max_msgs_per_subject", -1)));
  c.add("Maximum Bytes", limit_bytes(json_i64(cfg, "max_bytes", -1)));
  c.add("Maximum Age", limit_duration(json_i64(cfg, "max_age")));
  c.add("Maximum Message Size", limit_bytes(json_i64(cfg, "max_msg_size", -1)));
  c.add("Maximum Consumers", limit_count(json_i64(cfg, "max_consumers", -1)));
  if (cfg.contains("republish") && cfg["republish"].is_object()) {
    const auto& rp = cfg["republish"];
    c.add("Republishing", fmt::format("{} to {}{}", rp.value("src", std::string(">")), rp.value("dest", std::string()),
                                      rp.value("headers_only", false) ? " (headers only)" : ""));
  }
  if (cfg.contains("mirror") && cfg["mirror"].is_object()) c.add("Mirror", cfg["mirror"].value("name", std::string()));
  if (cfg.contains("sources") && cfg["sources"].is_array()) {
    std::string names;
    for (const auto& s : cfg["sources"]) names += (names.empty() ? "" : ", ") + s.value("name", std::string());
    if (!names.empty()) c.add("Sources", names);
  }
  c.print();

  if (info.contains("mirror") && info["mirror"].is_object()) {
    const auto& m = info["mirror"];
    report_section ms("Mirror Information:");
    ms.add("Stream Name", m.value("name", std::string()));
    ms.add("Lag", human_count(json_u64(m, "lag")));
    ms.add("Last Seen", m.contains("active") ? human_duration_ns(json_i64(m, "active")) + " ago" : "never");
    ms.print();
  }
  if (info.contains("sources") && info["sources"].is_array() && !info["sources"].empty()) {
    report_section ss("Source Information:");
    for (const auto& s : info["sources"])
      ss.add(s.value("name", std::string()), fmt::format("lag {}, last seen {}", human_count(json_u64(s, "lag")),
                                                          s.contains("active") ? human_duration_ns(json_i64(s, "active")) + " ago"
                                                                               : "never"));
    ss.print();
  }

  report_section s("State:");
  s.add("Messages", human_count(json_u64(st, "messages")));
  s.add("Bytes", human_bytes(json_u64(st, "bytes")));
  s.add("First Sequence", seq_with_time(json_u64(st, "first_seq"), json_time_ns(st, "first_ts")));
  s.add("Last Sequence", seq_with_time(json_u64(st, "last_seq"), json_time_ns(st, "last_ts")));
  s.add("Deleted Messages", human_count(json_u64(st, "num_deleted")));
  if (st.contains("lost") && st["lost"].is_object())
    s.add("Lost Messages", fmt::format("{} ({})", human_count(st["lost"].contains("msgs") ? st["lost"]["msgs"].size() : 0),
                                       human_bytes(json_u64(st["lost"], "bytes"))));
  s.add("Active Consumers", human_count(json_u64(st, "consumer_count")));
  s.add("Number of Subjects", human_count(json_u64(st, "num_subjects")));
  s.print();
}

void stream_ls(context& ctx, const stream_ls_options& o) {
  nlohmann::json body = nlohmann::json::object();
  if (!o.subject.empty()) body["subject"] = o.subject;
  if (o.names_only) {
    nlohmann::json names = list_all(ctx, "STREAM.NAMES", "streams", body);
    if (ctx.opts.json) return print_json(names);
    for (const auto& n : names) fmt::print("{}\n", n.get<std::string>());
    return;
  }
  const nlohmann::json streams = list_all(ctx, "STREAM.LIST", "streams", body);
  if (ctx.opts.json) return print_json(streams);
  if (streams.empty()) {
    fmt::print("No streams defined{}\n", o.subject.empty() ? "" : " for subject " + o.subject);
    return;
  }
  table t({"Name", "Description", "Created", "Messages", "Size", "Last Message"}, "Streams");
  for (const auto& s : streams) {
    const auto& cfg = s.at("config");
    const nlohmann::json st = s.value("state", nlohmann::json::object());
    t.add_row({cfg.value("name", std::string()), cfg.value("description", std::string()),
               local_time(json_time_ns(s, "created")), human_count(json_u64(st, "messages")), human_bytes(json_u64(st, "bytes")),
               age(json_time_ns(st, "last_ts"))});
  }
  t.print();
}

void stream_report(context& ctx) {
  const nlohmann::json streams = list_all(ctx, "STREAM.LIST", "streams", nlohmann::json::object());
  if (ctx.opts.json) return print_json(streams);
  if (streams.empty()) {
    fmt::print("No streams defined\n");
    return;
  }
  table t({"Stream", "Storage", "Replicas", "Consumers", "Messages", "Bytes", "Deleted", "Lost"}, "Stream Report");
  for (const auto& s : streams) {
    const auto& cfg = s.at("config");
    const nlohmann::json st = s.value("state", nlohmann::json::object());
    std::uint64_t lost = 0;
    if (st.contains("lost") && st["lost"].is_object() && st["lost"].contains("msgs")) lost = st["lost"]["msgs"].size();
    t.add_row({cfg.value("name", std::string()), title_case(cfg.value("storage", std::string("file"))),
               std::to_string(json_i64(cfg, "num_replicas", 1)), human_count(json_u64(st, "consumer_count")),
               human_count(json_u64(st, "messages")), human_bytes(json_u64(st, "bytes")), human_count(json_u64(st, "num_deleted")),
               human_count(lost)});
  }
  t.print();
}

}  // namespace natrium::cli
