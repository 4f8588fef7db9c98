#pragma once
// Formats of the reference's monitoring output, reproduced byte for byte:
// Go's encoding/json (MarshalIndent with two spaces, HTML-safe string escapes,
// shortest float formatting), time.Time as RFC 3339 with nanoseconds,
// time.Duration's String(), nats-server's uptime strings, and the error texts
// of Go's strconv parsers (for 400 answers to bad query options).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/time.h"

namespace natrium::monitor {

using json = nlohmann::ordered_json;

// JSON text as Go's json.MarshalIndent(v, "", "  ") (indent) or json.Marshal.
std::string go_json(const json& j, bool indent = true);

// time.Time in JSON: "2006-01-02T15:04:05.999999999Z" (UTC, trailing zeros trimmed).
std::string rfc3339(base::wall_time t);
// time.Duration.String(): "0s", "850ns", "1.5µs", "3.15559ms", "2m3.5s", "1h0m0s".
std::string go_duration(std::int64_t ns);
// The RTT as connz shows it: truncated to microseconds between 1µs and 1ms.
std::string go_rtt(std::int64_t ns);
// nats-server's myUptime: "5s", "3m2s", "1h0m5s", "2d1h0m0s", "1y2d3h4m5s".
std::string uptime(std::int64_t ns);
// A JSON number for a Go float64: integral values stay integers (Go prints 2, not 2.0).
json go_float(double v);
// A float64 as Go's strconv.FormatFloat(v, 'f' or 'e', -1, 64) in encoding/json.
std::string go_float_text(double v);

// Go's strconv parsers; on failure, `error` gets the text of Go's error
// (`strconv.Atoi: parsing "x": invalid syntax`).
std::optional<bool> parse_go_bool(std::string_view s, std::string& error);
std::optional<std::int64_t> parse_go_int(std::string_view s, std::string& error);
std::optional<std::uint64_t> parse_go_uint(std::string_view s, std::string& error);

}  // namespace natrium::monitor
