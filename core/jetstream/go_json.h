#pragma once
// JSON the way Go's encoding/json reads and writes it, for the JetStream
// config structs of nats-server 2.9.10:
// - reading: keys match ASCII case-insensitively and the last matching key in
//   document order wins (hence nlohmann::ordered_json); unknown keys are
//   ignored; null leaves a field unchanged; integers must be JSON integers in
//   the Go type's range (1.0 and 1e3 are type errors); any type error makes
//   the whole request "invalid JSON".
// - writing: strings escape <, > and & as \u003c, \u003e, \u0026 (Go's HTML
//   escaping), control characters as \n, \r, \t or \u00XX, U+2028/U+2029 as
//   \u2028/\u2029 and invalid UTF-8 as \ufffd.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/go_text.h"

namespace natrium::jetstream {

using base::go_json_quote;
std::string go_json_quoted(std::string_view s);

// The member of `obj` (an object) that Go would decode into field `key`, or
// nullptr. A JSON null counts as absent.
const nlohmann::ordered_json* go_json_field(const nlohmann::ordered_json& obj, std::string_view key);

// Like go_json_field but a JSON null is returned (fields whose Go type has
// its own UnmarshalJSON, such as the policy enums, reject null).
const nlohmann::ordered_json* go_json_field_with_null(const nlohmann::ordered_json& obj, std::string_view key);

// An enum stored as one of `names`: absent is fine; null, a non-string or an
// unknown string is a type error.
template <typename Enum, std::size_t N>
bool go_read_enum(const nlohmann::ordered_json& obj, std::string_view key, Enum& out,
                  const std::pair<std::string_view, Enum> (&names)[N]) {
  const nlohmann::ordered_json* v = go_json_field_with_null(obj, key);
  if (v == nullptr) return true;
  if (!v->is_string()) return false;
  const auto& s = v->template get_ref<const std::string&>();
  for (const auto& [name, value] : names) {
    if (s == name) {
      out = value;
      return true;
    }
  }
  return false;
}

// Readers: false means a type error. Absent or null leaves `out` unchanged.
bool go_read_string(const nlohmann::ordered_json& obj, std::string_view key, std::string& out);
bool go_read_bool(const nlohmann::ordered_json& obj, std::string_view key, bool& out);
bool go_read_int(const nlohmann::ordered_json& obj, std::string_view key, std::int64_t& out,
                 std::int64_t min, std::int64_t max);
bool go_read_uint(const nlohmann::ordered_json& obj, std::string_view key, std::uint64_t& out);
// Absent leaves `out` unchanged; null clears it (Go sets the slice to nil).
bool go_read_strings(const nlohmann::ordered_json& obj, std::string_view key,
                     std::vector<std::string>& out);
bool go_read_ints(const nlohmann::ordered_json& obj, std::string_view key, std::vector<std::int64_t>& out);
bool go_int_value(const nlohmann::ordered_json& v, std::int64_t& out, std::int64_t min, std::int64_t max);

// Go's time.Time as JSON (RFC 3339 with optional fraction and a zone offset).
struct go_time {
  std::int64_t unix_s = 0;     // seconds since the epoch, UTC
  std::int32_t nanos = 0;      // 0 .. 999'999'999
  std::int32_t offset_s = 0;   // zone offset east of UTC, printed back

  std::int64_t unix_ns() const noexcept { return unix_s * 1'000'000'000 + nanos; }
  bool operator==(const go_time&) const = default;
};
// Parses like Go's time.Time.UnmarshalJSON (layout RFC3339); false on error.
bool go_parse_time(std::string_view text, go_time& out);
// Formats like Go's RFC3339Nano: trailing fraction zeros trimmed, "Z" for
// offset 0.
std::string go_format_time(const go_time& t);

using base::go_quote;  // strconv.Quote
using base::go_duration_string;

// Appends ,"key": (or "key": when `first`) and clears `first`.
void go_json_key(std::string& out, bool& first, std::string_view key);
void go_json_int(std::string& out, bool& first, std::string_view key, std::int64_t v);
void go_json_uint(std::string& out, bool& first, std::string_view key, std::uint64_t v);
void go_json_bool(std::string& out, bool& first, std::string_view key, bool v);
void go_json_str(std::string& out, bool& first, std::string_view key, std::string_view v);
void go_json_strs(std::string& out, bool& first, std::string_view key,
                  const std::vector<std::string>& v);

}  // namespace natrium::jetstream
