#pragma once
// What the kv and object command groups share: confirmation prompts, UTC
// times, base64url, JSON-safe values, the option parsers for durations, sizes
// and storage types, and listing the streams behind KV buckets and object
// stores (KV_<bucket>, OBJ_<bucket>).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace natrium::cli {

class context;

// Asks "<question> [y/N]" on a terminal; without one, refuses (exit 2) unless
// `force` (-f) says yes. Returns false when the user says no.
bool confirm_or_force(const std::string& question, bool force);

// "2024-01-02 15:04:05" (UTC) for nanoseconds since the epoch.
std::string utc_time(std::int64_t unix_ns);
// RFC 3339 with nanoseconds, UTC, as Go's time.Time marshals: "2024-01-02T15:04:05.123456789Z".
std::string object_mtime_now();

// Base64 URL alphabet with padding (Go's base64.URLEncoding, nats.js Base64UrlPaddedCodec).
std::string base64url_encode(std::string_view bytes);
// Decodes base64 in either alphabet, padding optional; nullopt if malformed.
std::optional<std::string> base64_decode_lenient(std::string_view text);

// `bytes` as a JSON string when it is valid UTF-8, else {"base64": ...}, so
// print_json never meets invalid UTF-8.
nlohmann::json json_bytes(std::string_view bytes);
// A value to print on a terminal: as is when it is valid UTF-8 without
// control characters, else a note with its size.
std::string printable(std::string_view bytes);

// Option values: a duration ("1h", "7d"; "0" none), a size ("512MB"; "-1"
// unlimited) and "file"|"memory". Throw cli_error with exit code 2.
std::int64_t duration_option(const std::string& flag, const std::string& text);
std::int64_t size_option(const std::string& flag, const std::string& text);
bool memory_storage_option(const std::string& text);

// STREAM.LIST, every page, keeping streams whose name starts with `prefix`.
std::vector<nlohmann::json> list_streams(context& ctx, std::string_view prefix);

// The whole of stdin.
std::string read_stdin();

}  // namespace natrium::cli
