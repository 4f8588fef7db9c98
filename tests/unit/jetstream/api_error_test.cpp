// api_errors.def and the error JSON of nats-server 2.9.10
// (jetstream_errors_generated.go, jetstream_errors.go ApiError, ApiResponse).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/jetstream/api_error.h"

using namespace natrium::jetstream;

TEST_CASE("the table has all 132 errors with unique identifiers and codes") {
  REQUIRE(api_error_count() == 132);
  std::set<unsigned> codes;
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < api_error_count(); ++i) {
    const api_error_row& r = api_error_at(i);
    INFO(r.name);
    CHECK(static_cast<std::size_t>(r.id) == i);
    CHECK(r.err_code >= 10002);
    CHECK(r.err_code <= 10133);
    CHECK((r.code == 400 || r.code == 404 || r.code == 408 || r.code == 500 || r.code == 503));
    CHECK_FALSE(r.description_template.empty());
    codes.insert(r.err_code);
    names.insert(r.name);
  }
  CHECK(codes.size() == 132);
  CHECK(names.size() == 132);
}

TEST_CASE("rows carry the reference's code, err_code and template") {
  const api_error_row& nf = api_error_info(api_error_id::stream_not_found_err);
  CHECK(nf.code == 404);
  CHECK(nf.err_code == 10059);
  CHECK(nf.description_template == "stream not found");
  const api_error_row& ic = api_error_info(api_error_id::stream_invalid_config_f);
  CHECK(ic.code == 500);
  CHECK(ic.err_code == 10052);
  CHECK(ic.description_template == "{err}");
  const api_error_row& js = api_error_info(api_error_id::invalid_json_err);
  CHECK(js.code == 400);
  CHECK(js.err_code == 10025);
  CHECK(js.description_template == "invalid JSON");
  CHECK(api_error_info(api_error_id::not_enabled_err).code == 503);
  CHECK(api_error_info(api_error_id::not_enabled_err).err_code == 10076);
  CHECK(api_error_info(api_error_id::replicas_count_cannot_be_negative).err_code == 10133);
  CHECK(api_error_info(api_error_id::consumer_not_found_err).code == 404);
  CHECK(api_error_info(api_error_id::consumer_not_found_err).err_code == 10014);
  CHECK(api_error_info(api_error_id::stream_name_exist_err).err_code == 10058);
  CHECK(api_error_info(api_error_id::stream_name_exist_err).description_template ==
        "stream name already in use with a different configuration");
}

TEST_CASE("placeholders are filled like strings.NewReplacer") {
  auto e = make_api_error(api_error_id::stream_external_del_prefix_overlaps_err_f,
                          {{"{prefix}", "dx"}, {"{subject}", "foo.>"}});
  CHECK(e.code == 400);
  CHECK(e.err_code == 10022);
  CHECK(e.description == "stream external delivery prefix dx overlaps with stream subject foo.>");
  // Replacements are not rescanned.
  auto r = make_api_error(api_error_id::restore_subscribe_failed_err_f, {{"{subject}", "{err}"}, {"{err}", "boom"}});
  CHECK(r.description == "JetStream unable to subscribe to restore snapshot {err}: boom");
  auto s = make_api_error(api_error_id::sequence_not_found_err_f, {{"{seq}", "42"}});
  CHECK(s.description == "sequence 42 not found");
  auto m = make_api_error(api_error_id::consumer_name_too_long_err_f, {{"{max}", "255"}});
  CHECK(m.description == "consumer name is too long, maximum allowed is 255");
  // Placeholders without a value stay as they are.
  CHECK(make_api_error(api_error_id::stream_create_err_f).description == "{err}");
}

TEST_CASE("error JSON is the reference's shape with Go escaping") {
  CHECK(api_error_json(make_api_error(api_error_id::stream_name_exist_err)) ==
        R"({"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"})");
  CHECK(api_error_json(make_api_error_err(api_error_id::stream_invalid_config_f, "max age needs to be >= 100ms")) ==
        R"({"code":500,"err_code":10052,"description":"max age needs to be \u003e= 100ms"})");
  CHECK(api_error_json(api_error{503, 0, ""}) == R"({"code":503})");
}

TEST_CASE("full error responses match what the reference sent") {
  CHECK(api_error_response(api_response_type::stream_create, make_api_error(api_error_id::invalid_json_err)) ==
        R"({"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10025,"description":"invalid JSON"}})");
  CHECK(api_error_response(api_response_type::stream_update,
                           make_api_error_err(api_error_id::stream_invalid_config_f,
                                              "stream configuration update can not change storage type")) ==
        R"({"type":"io.nats.jetstream.api.v1.stream_update_response","error":{"code":500,"err_code":10052,"description":"stream configuration update can not change storage type"}})");
  CHECK(api_error_response("io.nats.jetstream.api.v1.consumer_create_response",
                           make_api_error(api_error_id::consumer_deliver_cycle_err)) ==
        R"({"type":"io.nats.jetstream.api.v1.consumer_create_response","error":{"code":400,"err_code":10081,"description":"consumer deliver subject forms a cycle"}})");
}

TEST_CASE("response type strings") {
  CHECK(response_type_string(api_response_type::account_info) == "io.nats.jetstream.api.v1.account_info_response");
  CHECK(response_type_string(api_response_type::msg_delete) == "io.nats.jetstream.api.v1.stream_msg_delete_response");
  CHECK(response_type_string(api_response_type::msg_get) == "io.nats.jetstream.api.v1.stream_msg_get_response");
  CHECK(response_type_string(api_response_type::meta_leader_stepdown) ==
        "io.nats.jetstream.api.v1.meta_leader_stepdown_response");
  CHECK(response_type_string(api_response_type::stream_template_names) ==
        "io.nats.jetstream.api.v1.stream_template_names_response");
  std::set<std::string_view> all;
  for (std::size_t i = 0; i < api_response_type_count; ++i) {
    const auto s = response_type_string(static_cast<api_response_type>(i));
    CHECK(s.substr(0, 25) == "io.nats.jetstream.api.v1.");
    CHECK(s.substr(s.size() - 9) == "_response");
    all.insert(s);
  }
  CHECK(all.size() == api_response_type_count);
}
