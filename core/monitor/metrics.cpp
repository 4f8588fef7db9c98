// /metrics: the Prometheus text exposition format, version 0.0.4. Names have
// the natrium_ prefix and base units (seconds, bytes); counters end in _total.
#include <string>

#include "core/monitor/builders.h"

namespace natrium::monitor {

namespace {

class exposition {
 public:
  // A metric family without labels and one sample.
  void family(const char* name, const char* type, const char* help, const std::string& value) {
    header(name, type, help);
    out_ += std::string(name) + " " + value + "\n";
  }
  void header(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n";
    out_ += std::string("# TYPE ") + name + " " + type + "\n";
  }
  // One sample with labels (after header()).
  void sample(const char* name, std::initializer_list<std::pair<const char*, std::string>> labels,
              const std::string& value) {
    out_ += name;
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += std::string(k) + "=\"" + escape(v) + "\"";
    }
    out_ += "} " + value + "\n";
  }
  std::string take() { return std::move(out_); }

 private:
  static std::string escape(const std::string& v) {
    std::string e;
    for (char c : v) {
      if (c == '\\') e += "\\\\";
      else if (c == '"') e += "\\\"";
      else if (c == '\n') e += "\\n";
      else e += c;
    }
    return e;
  }
  std::string out_;
};

std::string num(std::uint64_t v) { return std::to_string(v); }
std::string seconds(std::int64_t ns) { return go_float_text(static_cast<double>(ns) / 1e9); }

void add_server(exposition& x, const server::node& n, const host_stats& host) {
  const server::config& cfg = n.cfg();
  x.header("natrium_info", "gauge", "Server identity: versions, id and name (always 1).");
  x.sample("natrium_info",
           {{"version", cfg.natrium_version},
            {"nats_version", server::compat_version},
            {"server_id", n.server_id()},
            {"server_name", cfg.server_name.empty() ? n.server_id() : cfg.server_name}},
           "1");
  x.family("natrium_start_time_seconds", "gauge", "Start time of the server, seconds since the Unix epoch.",
           seconds(n.start_time().ns));
  x.family("natrium_uptime_seconds", "gauge", "Seconds since the server started.",
           seconds(host.now.ns - n.start_time().ns));
  x.family("natrium_config_load_time_seconds", "gauge", "When the configuration was last loaded, seconds since the Unix epoch.",
           seconds(n.config_time().ns));
  x.family("natrium_max_connections", "gauge", "Configured maximum number of client connections.",
           std::to_string(cfg.max_connections));
  x.family("natrium_max_payload_bytes", "gauge", "Configured maximum message payload.", std::to_string(cfg.max_payload));
  x.family("natrium_max_pending_bytes", "gauge", "Configured maximum bytes pending per connection.",
           std::to_string(cfg.max_pending));
}

void add_traffic(exposition& x, const server::node& n) {
  const server::node_stats st = n.stats();
  x.family("natrium_connections", "gauge", "Client connections currently open.", num(st.connections));
  x.family("natrium_connections_total", "counter", "Client connections accepted since the server started.",
           num(st.total_connections));
  x.family("natrium_closed_connections_total", "counter", "Client connections closed since the server started.",
           num(n.closed_connections().total()));
  x.family("natrium_subscriptions", "gauge", "Subscriptions currently registered.", num(st.subscriptions));
  x.family("natrium_in_messages_total", "counter", "Messages received from clients.", num(st.in_msgs));
  x.family("natrium_out_messages_total", "counter", "Messages delivered to clients.", num(st.out_msgs));
  x.family("natrium_in_bytes_total", "counter", "Payload bytes received from clients.", num(st.in_bytes));
  x.family("natrium_out_bytes_total", "counter", "Payload bytes delivered to clients.", num(st.out_bytes));
  x.family("natrium_slow_consumers_total", "counter", "Connections closed as slow consumers.", num(st.slow_consumers));
  const server::sublist_info sl = n.sublist_stats();
  x.family("natrium_sublist_cache_entries", "gauge", "Entries in the subscription match cache.", num(sl.cache_entries));
  x.family("natrium_sublist_matches_total", "counter", "Subject lookups in the subscription index.", num(sl.matches));
  x.family("natrium_sublist_cache_hits_total", "counter", "Subject lookups answered by the match cache.",
           num(sl.cache_hits));
}

void add_process(exposition& x, const host_stats& host, const request_stats& stats) {
  x.family("natrium_process_resident_memory_bytes", "gauge", "Resident memory size of the server process.",
           std::to_string(host.mem_bytes));
  x.family("natrium_process_cpu_seconds_total", "counter", "User and system CPU time used by the server process.",
           go_float_text(host.cpu_seconds));
  x.family("natrium_process_cpu_cores", "gauge", "CPU cores available to the server process.",
           std::to_string(host.cores));
  x.header("natrium_http_requests_total", "counter", "Monitoring requests answered, by endpoint.");
  for (const auto& [path, count] : stats) x.sample("natrium_http_requests_total", {{"path", path}}, num(count));
}

}  // namespace

std::string build_metrics(const server::node& n, const host_stats& host, const request_stats& stats) {
  exposition x;
  add_server(x, n, host);
  add_traffic(x, n);
  add_process(x, host, stats);
  return x.take();
}

}  // namespace natrium::monitor
