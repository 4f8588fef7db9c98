#pragma once
// How `natrium` prints: human units like the nats tool (1.2 KiB, 3.4 MiB,
// 1,234, 2m3s), tables sized to the terminal, colour only on a terminal, and
// the parsers for the units users type (7d, 1h30m, 512MB, 1GiB).
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace natrium::cli {

// 0 B, 512 B, 1.2 KiB, 3.4 MiB, ... (IEC, one decimal from KiB up).
std::string human_bytes(std::uint64_t n);
// 1,234,567
std::string human_count(std::uint64_t n);
// Go's time.Duration text, rounded for people: 0s, 750ms, 1.5s, 2m3s, 1h0m0s, 3d4h (days past 24h).
std::string human_duration_ns(std::int64_t ns);
// Durations as typed: Go's ("1h30m", "500ms", "2.5s") plus d, w and y units
// ("7d", "1w", "1y"), and a bare number of seconds. nullopt if malformed;
// "0", "-1" and "unlimited" are accepted by callers that need them.
std::optional<std::int64_t> parse_duration_ns(std::string_view text);
// Sizes as typed: "1024", "512B", "1K"/"1KB"/"1KiB" (all 1024), M, G, T; "-1" is -1.
std::optional<std::int64_t> parse_size(std::string_view text);

// Terminal width: $COLUMNS, else the terminal's, else 120.
int terminal_width();
// Colour only when stdout is a terminal, NO_COLOR is unset and not disabled.
void set_color_enabled(bool enabled);
bool color_enabled();
std::string bold(std::string_view s);
std::string red(std::string_view s);
std::string green(std::string_view s);
std::string yellow(std::string_view s);

// A table: headers, rows of cells; numeric-looking columns align right. Too
// wide for the terminal: the widest column is cut with "…".
class table {
 public:
  explicit table(std::vector<std::string> headers, std::string title = {});
  void add_row(std::vector<std::string> cells);
  std::size_t rows() const noexcept { return rows_.size(); }
  std::string render(int width) const;
  void print() const;  // render(terminal_width()) to stdout

 private:
  std::string title_;
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// JSON to stdout, indented like the nats tool's --json.
void print_json(const nlohmann::json& j);

}  // namespace natrium::cli
