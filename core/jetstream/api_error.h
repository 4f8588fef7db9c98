#pragma once
// JetStream API errors (10xxx) as nats-server 2.9.10 sends them. The table is
// api_errors.def; this header gives it an enum, filled-in values and the JSON
// shapes: "error":{"code":400,"err_code":10058,"description":"..."} inside
// {"type":"io.nats.jetstream.api.v1.<x>_response","error":{...}}.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace natrium::jetstream {

enum class api_error_id : std::uint16_t {
#define NATRIUM_API_ERROR(id, code, err_code, description) id,
#include "core/jetstream/api_errors.def"
#undef NATRIUM_API_ERROR
};

// One row of api_errors.def.
struct api_error_row {
  api_error_id id;
  std::string_view name;  // identifier, e.g. "stream_not_found_err"
  int code;               // HTTP-like status
  std::uint16_t err_code; // 10xxx
  std::string_view description_template;  // may contain {placeholders}
};

std::size_t api_error_count() noexcept;
const api_error_row& api_error_info(api_error_id id) noexcept;
// Row by index in table order (0 .. api_error_count()-1).
const api_error_row& api_error_at(std::size_t index) noexcept;

// A placeholder and its replacement, e.g. {"{err}", "bad thing"}.
using api_error_arg = std::pair<std::string_view, std::string_view>;

// An error value with its description filled in.
struct api_error {
  int code = 0;
  std::uint16_t err_code = 0;
  std::string description;

  bool operator==(const api_error&) const = default;
};

// Fills the template like Go's strings.NewReplacer: one left-to-right pass,
// each occurrence of a placeholder replaced, replacements not rescanned.
api_error make_api_error(api_error_id id, std::initializer_list<api_error_arg> args = {});
// Shorthand for the many "{err}" templates (stream_invalid_config_f, ...).
api_error make_api_error_err(api_error_id id, std::string_view err);

// {"code":400,"err_code":10058,"description":"..."}; err_code and
// description are omitted when zero/empty (Go omitempty).
std::string api_error_json(const api_error& e);

// Response type strings of jetstream_api.go (*ResponseType constants).
enum class api_response_type : std::uint8_t {
  account_info, stream_create, stream_delete, stream_info, stream_names,
  stream_list, stream_purge, stream_update, msg_delete, stream_snapshot,
  stream_restore, stream_remove_peer, stream_leader_stepdown,
  consumer_leader_stepdown, meta_leader_stepdown, meta_server_remove,
  account_purge, msg_get, consumer_create, consumer_delete, consumer_info,
  consumer_names, consumer_list, stream_template_create,
  stream_template_delete, stream_template_info, stream_template_names,
};
inline constexpr std::size_t api_response_type_count = 27;
std::string_view response_type_string(api_response_type t) noexcept;

// {"type":"<type>","error":{...}}
std::string api_error_response(std::string_view type, const api_error& e);
std::string api_error_response(api_response_type type, const api_error& e);

}  // namespace natrium::jetstream
