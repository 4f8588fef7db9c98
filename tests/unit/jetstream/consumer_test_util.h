#pragma once
// Test helper: runs a consumer create request (subject + body) through the
// steps of the reference's jsConsumerCreateRequest / addConsumerWithAssignment
// and returns the stored config JSON or the full error response body.
#include <string>
#include <string_view>
#include <vector>

#include "core/base/assert.h"
#include "core/jetstream/consumer_config.h"
#include "tests/unit/jetstream/stream_test_util.h"

namespace natrium::jetstream::test {

inline constexpr std::string_view ccr = "io.nats.jetstream.api.v1.consumer_create_response";

inline std::string create_consumer(std::string_view subject, std::string_view body, const stream_config& stream,
                                   consumer_check_context ctx = {},
                                   const std::vector<const consumer_config*>& existing = {}) {
  const auto t = api_response_type::consumer_create;
  api_error e;
  std::optional<consumer_create_request> req = parse_consumer_create_request(body, &e);
  if (!req) return api_error_response(t, e);
  if (auto err = check_consumer_create_subject(subject, *req)) return api_error_response(t, *err);
  ctx.stream = &stream;
  consumer_config_result r = check_new_consumer(req->config, ctx, "GENERATED");
  if (!r.ok()) return api_error_response(t, *r.error);
  if (auto err = check_workqueue_consumer(*r.config, stream, existing)) return api_error_response(t, *err);
  return consumer_config_json(*r.config);
}

inline consumer_config make_consumer(std::string_view config_json, const stream_config& stream) {
  consumer_config_result parsed = parse_consumer_config(config_json);
  NATRIUM_ASSERT(parsed.ok());
  consumer_check_context ctx;
  ctx.stream = &stream;
  consumer_config_result r = check_new_consumer(*parsed.config, ctx, "GENERATED");
  NATRIUM_ASSERT(r.ok());
  return *r.config;
}

inline std::string cbody(int code, int err_code, std::string_view description) {
  return body(code, err_code, description, ccr);
}

}  // namespace natrium::jetstream::test
