#include "native/cli/consumer_report.h"

#include <fmt/format.h>

#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

namespace {

bool is_pull(const nlohmann::json& cfg) { return cfg.value("deliver_subject", std::string()).empty(); }

std::string ack_wait(const nlohmann::json& cfg) {
  return cfg.value("ack_policy", std::string("none")) == "none" ? "" : human_duration_ns(json_i64(cfg, "ack_wait"));
}

// The last delivery's time: delivered.last_active (2.9 and Natrium).
std::int64_t last_delivery_ns(const nlohmann::json& info) {
  const auto it = info.find("delivered");
  return it != info.end() && it->is_object() ? json_time_ns(*it, "last_active") : 0;
}

std::string sequences(const nlohmann::json& info, const char* key, const char* last_label) {
  const nlohmann::json s = info.value(key, nlohmann::json::object());
  std::string out = fmt::format("Consumer sequence: {} Stream sequence: {}", human_count(json_u64(s, "consumer_seq")),
                                human_count(json_u64(s, "stream_seq")));
  if (const std::int64_t t = json_time_ns(s, "last_active"); t != 0) out += fmt::format(" {}: {} ago", last_label, age(t));
  return out;
}

}  // namespace

void print_consumer_info(const nlohmann::json& info) {
  const nlohmann::json& cfg = info.at("config");
  const std::string name = info.value("name", cfg.value("durable_name", std::string()));
  fmt::print("{}\n\n", bold(fmt::format("Information for Consumer {} > {} created {}", info.value("stream_name", std::string()),
                                        name, local_time(json_time_ns(info, "created")))));

  report_section c("Configuration:");
  c.add("Name", name);
  if (cfg.contains("durable_name")) c.add("Durable Name", cfg.value("durable_name", std::string()));
  if (cfg.contains("description")) c.add("Description", cfg.value("description", std::string()));
  if (is_pull(cfg)) {
    c.add("Pull Mode", "true");
  } else {
    c.add("Delivery Subject", cfg.value("deliver_subject", std::string()));
    if (cfg.contains("deliver_group")) c.add("Deliver Queue Group", cfg.value("deliver_group", std::string()));
  }
  if (cfg.contains("filter_subject")) c.add("Filter Subject", cfg.value("filter_subject", std::string()));
  std::string deliver = title_case(cfg.value("deliver_policy", std::string("all")));
  if (cfg.contains("opt_start_seq")) deliver += fmt::format(" (from sequence {})", json_u64(cfg, "opt_start_seq"));
  if (cfg.contains("opt_start_time"))
    deliver += fmt::format(" (from {})", local_time(json_time_ns(cfg, "opt_start_time")));
  c.add("Deliver Policy", deliver);
  c.add("Ack Policy", title_case(cfg.value("ack_policy", std::string("none"))));
  if (cfg.value("ack_policy", std::string("none")) != "none") c.add("Ack Wait", ack_wait(cfg));
  c.add("Replay Policy", title_case(cfg.value("replay_policy", std::string("instant"))));
  c.add("Maximum Deliveries", limit_count(json_i64(cfg, "max_deliver", -1) == 0 ? -1 : json_i64(cfg, "max_deliver", -1)));
  if (cfg.contains("max_ack_pending")) c.add("Max Ack Pending", limit_count(json_i64(cfg, "max_ack_pending")));
  if (is_pull(cfg) && cfg.contains("max_waiting")) c.add("Max Waiting Pulls", limit_count(json_i64(cfg, "max_waiting")));
  if (cfg.contains("backoff") && cfg["backoff"].is_array()) {
    std::string b;
    for (const auto& d : cfg["backoff"]) b += (b.empty() ? "" : ", ") + human_duration_ns(d.get<std::int64_t>());
    c.add("Backoff", b);
  }
  if (json_i64(cfg, "idle_heartbeat") > 0) c.add("Idle Heartbeat", human_duration_ns(json_i64(cfg, "idle_heartbeat")));
  if (cfg.value("flow_control", false)) c.add("Flow Control", "true");
  if (cfg.value("headers_only", false)) c.add("Headers Only", "true");
  if (json_i64(cfg, "inactive_threshold") > 0)
    c.add("Inactive Threshold", human_duration_ns(json_i64(cfg, "inactive_threshold")));
  c.print();

  report_section s("State:");
  s.add("Last Delivered Message", sequences(info, "delivered", "Last delivery"));
  s.add("Acknowledgment Floor", sequences(info, "ack_floor", "Last Ack"));
  const std::int64_t max_ack = json_i64(cfg, "max_ack_pending");
  s.add("Outstanding Acks", max_ack > 0 ? fmt::format("{} out of maximum {}", human_count(json_u64(info, "num_ack_pending")),
                                                      human_count(static_cast<std::uint64_t>(max_ack)))
                                        : human_count(json_u64(info, "num_ack_pending")));
  s.add("Redelivered Messages", human_count(json_u64(info, "num_redelivered")));
  s.add("Unprocessed Messages", human_count(json_u64(info, "num_pending")));
  if (is_pull(cfg)) {
    const std::int64_t max_waiting = json_i64(cfg, "max_waiting");
    s.add("Waiting Pulls", max_waiting > 0 ? fmt::format("{} of maximum {}", human_count(json_u64(info, "num_waiting")),
                                                         human_count(static_cast<std::uint64_t>(max_waiting)))
                                           : human_count(json_u64(info, "num_waiting")));
  } else {
    s.add("Active Interest", info.value("push_bound", false) ? "Active" : "No interest");
  }
  s.print();
}

void consumer_ls(context& ctx, const std::string& stream, bool names_only) {
  if (names_only) {
    const nlohmann::json names = list_all(ctx, "CONSUMER.NAMES." + stream, "consumers", nullptr, stream);
    if (ctx.opts.json) return print_json(names);
    for (const auto& n : names) fmt::print("{}\n", n.get<std::string>());
    return;
  }
  const nlohmann::json consumers = list_all(ctx, "CONSUMER.LIST." + stream, "consumers", nullptr, stream);
  if (ctx.opts.json) return print_json(consumers);
  if (consumers.empty()) {
    fmt::print("No consumers defined on stream {}\n", stream);
    return;
  }
  table t({"Name", "Description", "Created", "Ack Pending", "Unprocessed", "Redelivered", "Last Delivery"},
          fmt::format("Consumers for Stream {}", stream));
  for (const auto& c : consumers) {
    const nlohmann::json cfg = c.value("config", nlohmann::json::object());
    const std::int64_t last = last_delivery_ns(c);
    t.add_row({c.value("name", std::string()), cfg.value("description", std::string()),
               local_time(json_time_ns(c, "created")), human_count(json_u64(c, "num_ack_pending")),
               human_count(json_u64(c, "num_pending")), human_count(json_u64(c, "num_redelivered")),
               last == 0 ? "never" : age(last) + " ago"});
  }
  t.print();
}

void consumer_report(context& ctx, const std::string& stream) {
  const nlohmann::json consumers = list_all(ctx, "CONSUMER.LIST." + stream, "consumers", nullptr, stream);
  if (ctx.opts.json) return print_json(consumers);
  if (consumers.empty()) {
    fmt::print("No consumers defined on stream {}\n", stream);
    return;
  }
  table t({"Consumer", "Mode", "Ack Policy", "Ack Wait", "Ack Pending", "Redelivered", "Unprocessed", "All Pending"},
          fmt::format("Consumer report for {} with {} consumers", stream, consumers.size()));
  for (const auto& c : consumers) {
    const nlohmann::json cfg = c.value("config", nlohmann::json::object());
    const std::uint64_t ack_pending = json_u64(c, "num_ack_pending"), pending = json_u64(c, "num_pending");
    t.add_row({c.value("name", std::string()), is_pull(cfg) ? "Pull" : "Push",
               title_case(cfg.value("ack_policy", std::string("none"))), ack_wait(cfg), human_count(ack_pending),
               human_count(json_u64(c, "num_redelivered")), human_count(pending), human_count(ack_pending + pending)});
  }
  t.print();
}

}  // namespace natrium::cli
