#pragma once
// Test helper: runs a stream create/update request body through the same
// steps as the reference's jsStreamCreateRequest / jsStreamUpdateRequest and
// returns the config JSON on success or the full error response body.
#include <map>
#include <string>
#include <string_view>

#include "core/base/assert.h"
#include "core/jetstream/api_error.h"
#include "core/jetstream/stream_config.h"

namespace natrium::jetstream::test {

using stream_map = std::map<std::string, stream_config, std::less<>>;

inline std::string error_body(api_response_type t, const api_error& e) { return api_error_response(t, e); }

inline std::string create_stream(std::string_view subject_name, std::string_view body,
                                  const stream_check_context& ctx = {}) {
  const auto t = api_response_type::stream_create;
  stream_config_result parsed = parse_stream_config(body);
  if (!parsed.ok()) return error_body(t, *parsed.error);
  if (auto e = check_stream_create_request(subject_name, *parsed.config)) return error_body(t, *e);
  stream_config_result checked = check_stream_config(*parsed.config, ctx);
  if (!checked.ok()) return error_body(t, *checked.error);
  if (ctx.streams != nullptr) {
    if (auto e = check_subjects_overlap_streams(*checked.config, *ctx.streams)) return error_body(t, *e);
  }
  return stream_config_json(*checked.config);
}

// Like create_stream but returns the checked config (REQUIREs success).
inline stream_config make_stream(std::string_view body, const stream_check_context& ctx = {}) {
  stream_config_result parsed = parse_stream_config(body);
  NATRIUM_ASSERT(parsed.ok());
  stream_config_result checked = check_stream_config(*parsed.config, ctx);
  NATRIUM_ASSERT(checked.ok());
  return *checked.config;
}

inline std::string update_stream(const stream_config& old, std::string_view subject_name, std::string_view body,
                                 const stream_check_context& ctx = {}) {
  const auto t = api_response_type::stream_update;
  stream_config_result parsed = parse_stream_config(body);
  if (!parsed.ok()) return error_body(t, *parsed.error);
  // The reference runs checkStreamCfg first, then compares the names.
  stream_config_result checked = check_stream_config(*parsed.config, ctx);
  if (!checked.ok()) return error_body(t, *checked.error);
  if (auto e = check_stream_update_request(subject_name, *checked.config)) return error_body(t, *e);
  stream_config_result updated = check_stream_update(old, *parsed.config, ctx);
  if (!updated.ok()) return error_body(t, *updated.error);
  return stream_config_json(*updated.config);
}

inline std::string invalid_config_body(std::string_view text, api_response_type t = api_response_type::stream_create) {
  return api_error_response(t, make_api_error_err(api_error_id::stream_invalid_config_f, text));
}

// The reference's error body, with `description` already JSON-escaped.
inline std::string body(int code, int err_code, std::string_view description,
                        std::string_view type = "io.nats.jetstream.api.v1.stream_create_response") {
  return "{\"type\":\"" + std::string(type) + "\",\"error\":{\"code\":" + std::to_string(code) +
         ",\"err_code\":" + std::to_string(err_code) + ",\"description\":\"" + std::string(description) + "\"}}";
}
// JSStreamInvalidConfigF (500/10052) with an escaped description.
inline std::string ic(std::string_view description,
                      std::string_view type = "io.nats.jetstream.api.v1.stream_create_response") {
  return body(500, 10052, description, type);
}

}  // namespace natrium::jetstream::test
