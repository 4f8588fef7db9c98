#pragma once
// Text in the formats of Go's standard library (nats-server's JSON and error
// texts): see go_text.cpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace natrium::base {

// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i);
// encoding/json's string encoder with HTML escaping (json.Marshal's default),
// quotes included.
void go_json_quote(std::string& out, std::string_view s);
// strconv.Quote (Go's %q).
std::string go_quote(std::string_view s);
// time.Duration.String(): "1m0s", "1.5s", "100ms", "0s".
std::string go_duration_string(std::int64_t ns);
// Proleptic Gregorian calendar <-> days since 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d);

}  // namespace natrium::base
