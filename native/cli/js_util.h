#pragma once
// Shared by the stream and consumer commands: JetStream API calls that name
// the missing stream or consumer, the server's RFC 3339 times, confirmations
// on a terminal, base64 and message printing (stream get/view, consumer next).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "native/cli/cli_context.h"

namespace natrium::cli {

// JetStream's err_codes the commands translate.
inline constexpr int js_err_stream_not_found = 10059;
inline constexpr int js_err_consumer_not_found = 10014;
inline constexpr int js_err_no_message_found = 10037;

// ctx.js_api(), with "stream NAME not found" for JetStream's 10059.
nlohmann::json stream_api(context& ctx, const std::string& stream, const std::string& api,
                          const nlohmann::json& body = nullptr);
// ctx.js_api(), with "consumer C not found on stream S" for 10014 (and 10059 as above).
nlohmann::json consumer_api(context& ctx, const std::string& stream, const std::string& consumer,
                            const std::string& api, const nlohmann::json& body = nullptr);

// Every page of a paged list API (STREAM.LIST, CONSUMER.NAMES, ...): the
// `key` arrays of all pages, concatenated.
nlohmann::json list_all(context& ctx, const std::string& api, const std::string& key, nlohmann::json body,
                        const std::string& stream = {});

// RFC 3339 as the server writes it ("2024-01-02T03:04:05.123456789Z", or
// with an offset) to Unix nanoseconds; 0 for Go's zero time or malformed text.
std::int64_t parse_time_ns(const std::string& text);
std::int64_t now_ns();
// Nanoseconds to RFC 3339 UTC with nanoseconds (for requests).
std::string format_rfc3339(std::int64_t unix_ns);
// "2024-01-02 03:04:05" in local time; "never" for 0.
std::string local_time(std::int64_t unix_ns);
// "1.5s ago"-style age, without the "ago": human_duration_ns(now - t); "never" for 0.
std::string age(std::int64_t unix_ns);
// The server's JSON time field (missing: 0).
std::int64_t json_time_ns(const nlohmann::json& j, const char* key);

// A number field of the server's JSON (missing or not a number: def).
std::int64_t json_i64(const nlohmann::json& j, const char* key, std::int64_t def = 0);
std::uint64_t json_u64(const nlohmann::json& j, const char* key);

// Stdin is a terminal (prompts and confirmations are allowed).
bool stdin_is_tty();
// Asks "question [y/N] " on a terminal; true for y/yes.
bool confirm(const std::string& question);
// Asks "question: " on a terminal and returns the line (trimmed).
std::string prompt(const std::string& question);
// Waits for Enter on a terminal; false when the user types q or stdin ends.
bool wait_for_enter(const std::string& question);

std::string base64_decode(const std::string& in);

// A stored or delivered message, as the message commands print it.
struct shown_message {
  std::string stream;
  std::string subject;
  std::uint64_t seq = 0;
  std::int64_t time_ns = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
// "NATS/1.0\r\nK: V\r\n\r\n" to (key, value) pairs.
std::vector<std::pair<std::string, std::string>> parse_header_block(const std::string& block);
// A STREAM.MSG.GET reply's "message" object.
shown_message message_from_json(const std::string& stream, const nlohmann::json& m);
void print_message(const shown_message& m);

// Numbers in limits: -1 (and 0 where noted by the caller) read as "unlimited".
std::string limit_count(std::int64_t v);
std::string limit_bytes(std::int64_t v);
std::string limit_duration(std::int64_t ns);  // 0: unlimited

// Capitalised enum values for reports: "limits" -> "Limits", "workqueue" -> "WorkQueue".
std::string title_case(const std::string& v);

// A `Key: value` report section with right-aligned keys, like the nats tool's.
class report_section {
 public:
  explicit report_section(std::string title = {}) : title_(std::move(title)) {}
  void add(std::string key, std::string value) { rows_.emplace_back(std::move(key), std::move(value)); }
  void print() const;

 private:
  std::string title_;
  std::vector<std::pair<std::string, std::string>> rows_;
};

// Parsers for option values; throw CLI::ValidationError (exit 2) naming the flag.
std::int64_t flag_duration_ns(const std::string& flag, const std::string& v);
std::int64_t flag_size(const std::string& flag, const std::string& v);
std::int64_t flag_count(const std::string& flag, const std::string& v);

}  // namespace natrium::cli
