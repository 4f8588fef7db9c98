#include "core/jetstream/go_json.h"

#include <charconv>
#include <limits>

#include "core/base/assert.h"
#include "core/base/go_text.h"

namespace natrium::jetstream {
namespace {

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string go_json_quoted(std::string_view s) {
  std::string out;
  go_json_quote(out, s);
  return out;
}

const nlohmann::ordered_json* go_json_field_with_null(const nlohmann::ordered_json& obj, std::string_view key) {
  NATRIUM_ASSERT(obj.is_object());
  // Go's decoder assigns each member in document order, so the last key that
  // matches (exactly or case-insensitively) wins.
  const nlohmann::ordered_json* found = nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (ascii_iequal(it.key(), key)) found = &it.value();
  }
  return found;
}

const nlohmann::ordered_json* go_json_field(const nlohmann::ordered_json& obj, std::string_view key) {
  const nlohmann::ordered_json* found = go_json_field_with_null(obj, key);
  if (found != nullptr && found->is_null()) return nullptr;
  return found;
}

bool go_read_string(const nlohmann::ordered_json& obj, std::string_view key, std::string& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (!v->is_string()) return false;
  out = v->get<std::string>();
  return true;
}

bool go_read_bool(const nlohmann::ordered_json& obj, std::string_view key, bool& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (!v->is_boolean()) return false;
  out = v->get<bool>();
  return true;
}

bool go_int_value(const nlohmann::ordered_json& v, std::int64_t& out, std::int64_t min, std::int64_t max) {
  NATRIUM_ASSERT(min <= max);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    const auto i = static_cast<std::int64_t>(u);
    if (i < min || i > max) return false;
    out = i;
    return true;
  }
  if (!v.is_number_integer()) return false;
  const auto i = v.get<std::int64_t>();
  if (i < min || i > max) return false;
  out = i;
  return true;
}

bool go_read_int(const nlohmann::ordered_json& obj, std::string_view key, std::int64_t& out,
                 std::int64_t min, std::int64_t max) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  return go_int_value(*v, out, min, max);
}

bool go_read_uint(const nlohmann::ordered_json& obj, std::string_view key, std::uint64_t& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (v->is_number_unsigned()) { out = v->get<std::uint64_t>(); return true; }
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v->get<std::int64_t>());
    return true;
  }
  return false;
}

bool go_read_strings(const nlohmann::ordered_json& obj, std::string_view key,
                     std::vector<std::string>& out) {
  const nlohmann::ordered_json* v = go_json_field_with_null(obj, key);
  if (v == nullptr) return true;
  if (v->is_null()) { out.clear(); return true; }
  if (!v->is_array()) return false;
  std::vector<std::string> result;
  for (const auto& e : *v) {
    if (e.is_null()) { result.emplace_back(); continue; }
    if (!e.is_string()) return false;
    result.push_back(e.get<std::string>());
  }
  out = std::move(result);
  return true;
}

bool go_read_ints(const nlohmann::ordered_json& obj, std::string_view key, std::vector<std::int64_t>& out) {
  const nlohmann::ordered_json* v = go_json_field(obj, key);
  if (v == nullptr) return true;
  if (!v->is_array()) return false;
  std::vector<std::int64_t> result;
  for (const auto& e : *v) {
    std::int64_t i = 0;
    if (!e.is_null() && !go_int_value(e, i, std::numeric_limits<std::int64_t>::min(),
                                      std::numeric_limits<std::int64_t>::max())) {
      return false;
    }
    result.push_back(i);
  }
  out = std::move(result);
  return true;
}

void go_json_key(std::string& out, bool& first, std::string_view key) {
  if (!first) out += ',';
  first = false;
  out += '"';
  out.append(key);
  out += "\":";
}

void go_json_int(std::string& out, bool& first, std::string_view key, std::int64_t v) {
  go_json_key(out, first, key);
  out += std::to_string(v);
}

void go_json_uint(std::string& out, bool& first, std::string_view key, std::uint64_t v) {
  go_json_key(out, first, key);
  out += std::to_string(v);
}

void go_json_bool(std::string& out, bool& first, std::string_view key, bool v) {
  go_json_key(out, first, key);
  out += v ? "true" : "false";
}

void go_json_str(std::string& out, bool& first, std::string_view key, std::string_view v) {
  go_json_key(out, first, key);
  go_json_quote(out, v);
}

void go_json_strs(std::string& out, bool& first, std::string_view key,
                  const std::vector<std::string>& v) {
  go_json_key(out, first, key);
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) out += ',';
    go_json_quote(out, v[i]);
  }
  out += ']';
}

}  // namespace natrium::jetstream
