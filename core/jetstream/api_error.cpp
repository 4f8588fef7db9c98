#include "core/jetstream/api_error.h"

#include <array>

#include "core/base/assert.h"
#include "core/jetstream/go_json.h"

namespace natrium::jetstream {
namespace {

constexpr api_error_row rows[] = {
#define NATRIUM_API_ERROR(id, code, err_code, description) \
  {api_error_id::id, #id, code, err_code, description},
#include "core/jetstream/api_errors.def"
#undef NATRIUM_API_ERROR
};
constexpr std::size_t row_count = sizeof(rows) / sizeof(rows[0]);

// The enum is declared from the same table in the same order.
constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < row_count; ++i) {
    if (static_cast<std::size_t>(rows[i].id) != i) return false;
  }
  return true;
}
static_assert(rows_in_enum_order());
static_assert(row_count == 132, "nats-server 2.9.10 has 132 JetStream API errors");

constexpr std::array<std::string_view, api_response_type_count> response_types = {
    "io.nats.jetstream.api.v1.account_info_response",
    "io.nats.jetstream.api.v1.stream_create_response",
    "io.nats.jetstream.api.v1.stream_delete_response",
    "io.nats.jetstream.api.v1.stream_info_response",
    "io.nats.jetstream.api.v1.stream_names_response",
    "io.nats.jetstream.api.v1.stream_list_response",
    "io.nats.jetstream.api.v1.stream_purge_response",
    "io.nats.jetstream.api.v1.stream_update_response",
    "io.nats.jetstream.api.v1.stream_msg_delete_response",
    "io.nats.jetstream.api.v1.stream_snapshot_response",
    "io.nats.jetstream.api.v1.stream_restore_response",
    "io.nats.jetstream.api.v1.stream_remove_peer_response",
    "io.nats.jetstream.api.v1.stream_leader_stepdown_response",
    "io.nats.jetstream.api.v1.consumer_leader_stepdown_response",
    "io.nats.jetstream.api.v1.meta_leader_stepdown_response",
    "io.nats.jetstream.api.v1.meta_server_remove_response",
    "io.nats.jetstream.api.v1.account_purge_response",
    "io.nats.jetstream.api.v1.stream_msg_get_response",
    "io.nats.jetstream.api.v1.consumer_create_response",
    "io.nats.jetstream.api.v1.consumer_delete_response",
    "io.nats.jetstream.api.v1.consumer_info_response",
    "io.nats.jetstream.api.v1.consumer_names_response",
    "io.nats.jetstream.api.v1.consumer_list_response",
    "io.nats.jetstream.api.v1.stream_template_create_response",
    "io.nats.jetstream.api.v1.stream_template_delete_response",
    "io.nats.jetstream.api.v1.stream_template_info_response",
    "io.nats.jetstream.api.v1.stream_template_names_response",
};

std::string fill_template(std::string_view tmpl, std::initializer_list<api_error_arg> args) {
  std::string out;
  out.reserve(tmpl.size());
  std::size_t i = 0;
  while (i < tmpl.size()) {
    bool replaced = false;
    for (const auto& [key, value] : args) {
      NATRIUM_ASSERT(!key.empty());
      if (tmpl.substr(i, key.size()) == key) {
        out += value;
        i += key.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += tmpl[i++];
  }
  return out;
}

}  // namespace

std::size_t api_error_count() noexcept { return row_count; }

const api_error_row& api_error_info(api_error_id id) noexcept {
  const auto i = static_cast<std::size_t>(id);
  NATRIUM_ASSERT(i < row_count);
  NATRIUM_ASSERT(rows[i].id == id);
  return rows[i];
}

const api_error_row& api_error_at(std::size_t index) noexcept {
  NATRIUM_ASSERT(index < row_count);
  return rows[index];
}

api_error make_api_error(api_error_id id, std::initializer_list<api_error_arg> args) {
  const api_error_row& row = api_error_info(id);
  api_error e;
  e.code = row.code;
  e.err_code = row.err_code;
  e.description = fill_template(row.description_template, args);
  NATRIUM_ASSERT(e.err_code >= 10000);
  return e;
}

api_error make_api_error_err(api_error_id id, std::string_view err) {
  return make_api_error(id, {{"{err}", err}});
}

std::string api_error_json(const api_error& e) {
  std::string out = "{\"code\":";
  out += std::to_string(e.code);
  if (e.err_code != 0) {
    out += ",\"err_code\":";
    out += std::to_string(e.err_code);
  }
  if (!e.description.empty()) {
    out += ",\"description\":";
    go_json_quote(out, e.description);
  }
  out += '}';
  return out;
}

std::string_view response_type_string(api_response_type t) noexcept {
  const auto i = static_cast<std::size_t>(t);
  NATRIUM_ASSERT(i < response_types.size());
  return response_types[i];
}

std::string api_error_response(std::string_view type, const api_error& e) {
  NATRIUM_ASSERT(!type.empty());
  std::string out = "{\"type\":";
  go_json_quote(out, type);
  out += ",\"error\":";
  out += api_error_json(e);
  out += '}';
  return out;
}

std::string api_error_response(api_response_type type, const api_error& e) {
  return api_error_response(response_type_string(type), e);
}

}  // namespace natrium::jetstream
