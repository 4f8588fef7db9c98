#include "native/cli/js_util.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <iostream>

#include "native/cli/format.h"

namespace natrium::cli {

nlohmann::json stream_api(context& ctx, const std::string& stream, const std::string& api, const nlohmann::json& body) {
  try {
    return ctx.js_api(api, body);
  } catch (const js_api_error& e) {
    if (e.err_code() == js_err_stream_not_found)
      throw js_api_error(fmt::format("stream {} not found", stream), e.code(), e.err_code());
    throw;
  }
}

nlohmann::json consumer_api(context& ctx, const std::string& stream, const std::string& consumer,
                            const std::string& api, const nlohmann::json& body) {
  try {
    return stream_api(ctx, stream, api, body);
  } catch (const js_api_error& e) {
    if (e.err_code() == js_err_consumer_not_found)
      throw js_api_error(fmt::format("consumer {} not found on stream {}", consumer, stream), e.code(), e.err_code());
    throw;
  }
}

nlohmann::json list_all(context& ctx, const std::string& api, const std::string& key, nlohmann::json body,
                        const std::string& stream) {
  nlohmann::json all = nlohmann::json::array();
  if (!body.is_object()) body = nlohmann::json::object();
  for (;;) {
    body["offset"] = all.size();
    const nlohmann::json page = stream.empty() ? ctx.js_api(api, body) : stream_api(ctx, stream, api, body);
    const auto it = page.find(key);
    if (it == page.end() || !it->is_array() || it->empty()) break;
    for (const auto& e : *it) all.push_back(e);
    if (all.size() >= page.value("total", std::size_t{0})) break;
  }
  return all;
}

std::int64_t parse_time_ns(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return 0;
  if (tm.tm_year <= 1) return 0;  // Go's zero time
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::int64_t ns = static_cast<std::int64_t>(timegm(&tm)) * 1'000'000'000;
  std::size_t i = static_cast<std::size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    std::int64_t frac = 0;
    int digits = 0;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (digits < 9) {
        frac = frac * 10 + (text[i] - '0');
        ++digits;
      }
    }
    while (digits++ < 9) frac *= 10;
    ns += frac;
  }
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int h = 0, m = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &h, &m) == 2) {
      const std::int64_t off = (static_cast<std::int64_t>(h) * 3600 + m * 60) * 1'000'000'000;
      ns += text[i] == '+' ? -off : off;
    }
  }
  return ns;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_rfc3339(std::int64_t unix_ns) {
  const std::time_t secs = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:09}Z", buf, unix_ns % 1'000'000'000);
}

std::string local_time(std::int64_t unix_ns) {
  if (unix_ns == 0) return "never";
  const std::time_t secs = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string age(std::int64_t unix_ns) {
  if (unix_ns == 0) return "never";
  return human_duration_ns(std::max<std::int64_t>(0, now_ns() - unix_ns));
}

std::int64_t json_time_ns(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? parse_time_ns(it->get<std::string>()) : 0;
}

std::int64_t json_i64(const nlohmann::json& j, const char* key, std::int64_t def) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::int64_t>() : def;
}

std::uint64_t json_u64(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<std::uint64_t>() : 0;
}

bool stdin_is_tty() { return isatty(STDIN_FILENO) != 0; }

std::string prompt(const std::string& question) {
  fmt::print("{}: ", question);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) return {};
  const auto b = line.find_first_not_of(" \t");
  const auto e = line.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : line.substr(b, e - b + 1);
}

bool confirm(const std::string& question) {
  const std::string a = prompt(question + " [y/N]");
  return a == "y" || a == "Y" || a == "yes" || a == "YES" || a == "Yes";
}

bool wait_for_enter(const std::string& question) {
  fmt::print("{} ", question);
  std::fflush(stdout);
  std::string line;
  if (!std::getline(std::cin, line)) return false;
  return line != "q" && line != "Q";
}

std::string base64_decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    const int v = val(c);
    if (v < 0) continue;  // '=' padding, whitespace
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_header_block(const std::string& block) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = block.find("\r\n");  // skip "NATS/1.0"
  while (pos != std::string::npos) {
    pos += 2;
    const std::size_t end = block.find("\r\n", pos);
    const std::string line = block.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' '));
      out.emplace_back(line.substr(0, colon), v);
    }
    pos = end;
  }
  return out;
}

shown_message message_from_json(const std::string& stream, const nlohmann::json& m) {
  shown_message s;
  s.stream = stream;
  s.subject = m.value("subject", std::string());
  s.seq = m.value("seq", std::uint64_t{0});
  s.time_ns = json_time_ns(m, "time");
  if (m.contains("hdrs") && m["hdrs"].is_string()) s.headers = parse_header_block(base64_decode(m["hdrs"]));
  if (m.contains("data") && m["data"].is_string()) s.body = base64_decode(m["data"]);
  return s;
}

void print_message(const shown_message& m) {
  std::string head = bold(fmt::format("[{}#{}]", m.stream, m.seq)) + " subject " + m.subject;
  if (m.time_ns != 0) head += fmt::format(", received {} ({} ago)", local_time(m.time_ns), age(m.time_ns));
  fmt::print("{}\n", head);
  if (!m.headers.empty()) {
    fmt::print("Headers:\n");
    for (const auto& [k, v] : m.headers) fmt::print("  {}: {}\n", k, v);
  }
  fmt::print("\n{}\n\n", m.body);
}

std::string limit_count(std::int64_t v) { return v < 0 ? "unlimited" : human_count(static_cast<std::uint64_t>(v)); }
std::string limit_bytes(std::int64_t v) { return v < 0 ? "unlimited" : human_bytes(static_cast<std::uint64_t>(v)); }
std::string limit_duration(std::int64_t ns) { return ns <= 0 ? "unlimited" : human_duration_ns(ns); }

std::string title_case(const std::string& v) {
  if (v == "workqueue") return "WorkQueue";
  if (v == "last_per_subject") return "Last Per Subject";
  if (v == "by_start_sequence") return "By Start Sequence";
  if (v == "by_start_time") return "By Start Time";
  std::string out = v;
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

void report_section::print() const {
  std::size_t w = 0;
  for (const auto& r : rows_) w = std::max(w, r.first.size());
  if (!title_.empty()) fmt::print("{}\n\n", bold(title_));
  for (const auto& [k, v] : rows_) fmt::print("  {:>{}}: {}\n", k, w, v);
  fmt::print("\n");
}

std::int64_t flag_duration_ns(const std::string& flag, const std::string& v) {
  if (v == "unlimited" || v == "-1") return 0;
  const auto ns = parse_duration_ns(v);
  if (!ns || *ns < 0) throw CLI::ValidationError(flag, "not a duration: " + v + " (e.g. 30s, 1h30m, 7d)");
  return *ns;
}

std::int64_t flag_size(const std::string& flag, const std::string& v) {
  if (v == "unlimited") return -1;
  const auto n = parse_size(v);
  if (!n) throw CLI::ValidationError(flag, "not a size: " + v + " (e.g. 1024, 512MB, 1GiB, -1)");
  return *n;
}

std::int64_t flag_count(const std::string& flag, const std::string& v) {
  if (v == "unlimited") return -1;
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || n < -1) throw CLI::ValidationError(flag, "not a count: " + v + " (or -1)");
  return n;
}

}  // namespace natrium::cli
