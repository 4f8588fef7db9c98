// natrium bench: the summary table, --json and --csv, and the --compare
// report (median per server, ± half the min-max range as a percentage of the
// median, and the ratio A/B per metric, like tests/bench/compare.py).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <map>

#include "native/cli/bench.h"
#include "native/cli/cli_context.h"
#include "native/cli/format.h"

namespace natrium::cli::bench {

namespace {

std::string fmt_us(double us) {
  if (us < 1000) return fmt::format("{:.1f} µs", us);
  if (us < 1e6) return fmt::format("{:.2f} ms", us / 1000);
  return fmt::format("{:.2f} s", us / 1e6);
}

std::string fmt_rate(double v) { return human_count(static_cast<std::uint64_t>(std::llround(v))); }

std::string fmt_metric(const metric& m, double v) {
  if (m.is_latency) return fmt_us(v);
  if (m.key.find("mb_per_s") != std::string::npos) return fmt::format("{:.2f}", v);
  return fmt_rate(v);
}

std::string client_label(const role_row& r) { return r.client == 0 ? "all" : std::to_string(r.client); }

nlohmann::json row_json(const role_row& r) {
  nlohmann::json j = {{"role", r.role},
                      {"client", r.client == 0 ? nlohmann::json("all") : nlohmann::json(r.client)},
                      {"msgs", r.msgs},
                      {"bytes", r.bytes},
                      {"elapsed_s", static_cast<double>(r.elapsed_ns) / 1e9},
                      {"msgs_per_s", r.msgs_per_s()},
                      {"mb_per_s", r.mb_per_s()}};
  if (r.latency) {
    j["latency_us"] = {{"p50", r.latency->p50_us}, {"p90", r.latency->p90_us}, {"p99", r.latency->p99_us},
                       {"max", r.latency->max_us}, {"samples", r.latency->samples}};
  }
  return j;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct metric_summary {
  double median = 0, spread_pct = 0;
  bool present = false;
};

metric_summary summarize_metric(const std::vector<bench_result>& runs, const std::string& key) {
  std::vector<double> v;
  for (const auto& r : runs) {
    for (const auto& m : r.metrics) {
      if (m.key == key) v.push_back(m.value);
    }
  }
  metric_summary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  s.median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  s.spread_pct = s.median != 0 ? (v.back() - v.front()) / 2 / s.median * 100 : 0;
  s.present = true;
  return s;
}

std::optional<double> ratio(const metric_summary& a, const metric_summary& b) {
  if (!a.present || !b.present || b.median == 0) return std::nullopt;
  return a.median / b.median;
}

}  // namespace

void print_result_table(const bench_result& r) {
  table t({"Role", "Client", "Msgs", "Elapsed", "Msgs/s", "MB/s", "p50", "p90", "p99", "Max"},
          fmt::format("natrium bench ({}) against {}: {}", r.mode, r.server, r.description));
  for (const auto& row : r.rows) {
    std::vector<std::string> cells = {row.role, client_label(row), human_count(static_cast<std::uint64_t>(row.msgs)),
                                      fmt::format("{:.3f}s", static_cast<double>(row.elapsed_ns) / 1e9),
                                      fmt_rate(row.msgs_per_s()), fmt::format("{:.2f}", row.mb_per_s())};
    if (row.latency) {
      for (double us : {row.latency->p50_us, row.latency->p90_us, row.latency->p99_us, row.latency->max_us}) {
        cells.push_back(fmt_us(us));
      }
    } else {
      cells.insert(cells.end(), 4, "");
    }
    t.add_row(std::move(cells));
  }
  t.print();
}

nlohmann::json result_json(const bench_result& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows) rows.push_back(row_json(row));
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& m : r.metrics) metrics[m.key] = m.value;
  return {{"mode", r.mode}, {"description", r.description}, {"server", r.server},
          {"rows", rows},   {"metrics", metrics},           {"ok", true}};
}

void write_csv(const std::string& path, const std::vector<csv_run>& runs) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw cli_error(fmt::format("--csv {}: cannot write the file", path));
  std::string out = "server,run,mode,role,client,msgs,bytes,elapsed_s,msgs_per_s,mb_per_s,p50_us,p90_us,p99_us,max_us\n";
  for (const auto& run : runs) {
    for (const auto& row : run.result->rows) {
      out += fmt::format("{},{},{},{},{},{},{},{:.6f},{:.1f},{:.3f}", csv_field(run.server), run.run, run.result->mode,
                         row.role, client_label(row), row.msgs, row.bytes, static_cast<double>(row.elapsed_ns) / 1e9,
                         row.msgs_per_s(), row.mb_per_s());
      if (row.latency) {
        out += fmt::format(",{:.1f},{:.1f},{:.1f},{:.1f}\n", row.latency->p50_us, row.latency->p90_us, row.latency->p99_us,
                           row.latency->max_us);
      } else {
        out += ",,,,\n";
      }
    }
  }
  const bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  if (std::fclose(f) != 0 || !ok) throw cli_error(fmt::format("--csv {}: cannot write the file", path));
}

std::string headline(const bench_result& r) {
  std::string s;
  for (const auto& m : r.metrics) {
    if (m.key.find("mb_per_s") != std::string::npos) continue;
    if (m.is_latency && m.key.find("p50") == std::string::npos) continue;
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {}", m.label, fmt_metric(m, m.value));
  }
  return s;
}

void print_compare_table(const compare_runs& c) {
  const bench_result& first = c.a.front();
  table t({"Metric", "A", "B", "A/B", "Better"},
          fmt::format("natrium bench ({}) A/B: {}, median of {} rounds", first.mode, first.description, c.a.size()));
  for (const auto& m : first.metrics) {
    const auto a = summarize_metric(c.a, m.key);
    const auto b = summarize_metric(c.b, m.key);
    const auto r = ratio(a, b);
    t.add_row({m.label, fmt::format("{} ±{:.0f}%", fmt_metric(m, a.median), a.spread_pct),
               b.present ? fmt::format("{} ±{:.0f}%", fmt_metric(m, b.median), b.spread_pct) : "-",
               r ? fmt::format("{:.2f}", *r) : "-", m.higher_is_better ? "higher" : "lower"});
  }
  t.print();
  fmt::print("A: {}\nB: {}\nA/B above 1 means A is faster for \"higher\" metrics; below 1 means A is faster for \"lower\" ones.\n",
             c.url_a, c.url_b);
}

nlohmann::json compare_json(const compare_runs& c) {
  const bench_result& first = c.a.front();
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : first.metrics) {
    const auto a = summarize_metric(c.a, m.key);
    const auto b = summarize_metric(c.b, m.key);
    const auto r = ratio(a, b);
    metrics.push_back({{"key", m.key},
                       {"label", m.label},
                       {"higher_is_better", m.higher_is_better},
                       {"a", a.median},
                       {"a_spread_pct", a.spread_pct},
                       {"b", b.present ? nlohmann::json(b.median) : nlohmann::json()},
                       {"b_spread_pct", b.present ? nlohmann::json(b.spread_pct) : nlohmann::json()},
                       {"ratio", r ? nlohmann::json(*r) : nlohmann::json()}});
  }
  const auto runs = [](const std::vector<bench_result>& rs) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : rs) j.push_back(result_json(r));
    return j;
  };
  return {{"mode", first.mode},
          {"description", first.description},
          {"rounds", c.a.size()},
          {"a", {{"url", c.url_a}, {"runs", runs(c.a)}}},
          {"b", {{"url", c.url_b}, {"runs", runs(c.b)}}},
          {"metrics", metrics},
          {"ok", true}};
}

}  // namespace natrium::cli::bench
