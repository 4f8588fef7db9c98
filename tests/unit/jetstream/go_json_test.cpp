// Go encoding/json and time behaviours that the config JSON depends on.
#include <catch2/catch.hpp>

#include <string>

#include "core/jetstream/go_json.h"
#include "core/jetstream/names.h"

using namespace natrium::jetstream;

TEST_CASE("strings are escaped like Go's encoder (HTML-safe)") {
  CHECK(go_json_quoted("a.>") == R"("a.\u003e")");
  CHECK(go_json_quoted("<&>") == R"("\u003c\u0026\u003e")");
  CHECK(go_json_quoted("q\"b\\s") == R"("q\"b\\s")");
  CHECK(go_json_quoted("\n\r\t\x01\x1f") == R"("\n\r\t\u0001\u001f")");
  CHECK(go_json_quoted("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(go_json_quoted("\xe2\x80\xa8") == R"("\u2028")");
  CHECK(go_json_quoted("bad\xff") == R"("bad\ufffd")");
  CHECK(go_json_quoted("\x7f") == "\"\x7f\"");
}

TEST_CASE("go_quote is %q") {
  CHECK(go_quote("q.*") == "\"q.*\"");
  CHECK(go_quote("a\"b") == "\"a\\\"b\"");
  CHECK(go_quote("\t") == "\"\\t\"");
}

TEST_CASE("durations print like time.Duration.String") {
  CHECK(go_duration_string(0) == "0s");
  CHECK(go_duration_string(60'000'000'000) == "1m0s");
  CHECK(go_duration_string(90'500'000'000) == "1m30.5s");
  CHECK(go_duration_string(3'600'000'000'000) == "1h0m0s");
  CHECK(go_duration_string(1'500'000'000) == "1.5s");
  CHECK(go_duration_string(100'000'000) == "100ms");
  CHECK(go_duration_string(1'500) == "1.5\u00b5s");
  CHECK(go_duration_string(7) == "7ns");
  CHECK(go_duration_string(-2'000'000'000) == "-2s");
}

TEST_CASE("RFC 3339 times round trip like Go's RFC3339Nano") {
  go_time t;
  REQUIRE(go_parse_time("2023-01-02T03:04:05.1200Z", t));
  CHECK(go_format_time(t) == "2023-01-02T03:04:05.12Z");
  CHECK(t.unix_s == 1672628645);
  CHECK(t.nanos == 120'000'000);
  REQUIRE(go_parse_time("2023-01-02T03:04:05+01:00", t));
  CHECK(go_format_time(t) == "2023-01-02T03:04:05+01:00");
  CHECK(t.unix_s == 1672625045);
  REQUIRE(go_parse_time("2023-01-02T03:04:05.5Z", t));
  CHECK(go_format_time(t) == "2023-01-02T03:04:05.5Z");
  REQUIRE(go_parse_time("2024-02-29T23:59:59.123456789-05:30", t));
  CHECK(go_format_time(t) == "2024-02-29T23:59:59.123456789-05:30");
  REQUIRE(go_parse_time("1970-01-01T00:00:00+00:00", t));
  CHECK(go_format_time(t) == "1970-01-01T00:00:00Z");
  CHECK(t.unix_ns() == 0);
  REQUIRE(go_parse_time("1969-12-31T23:59:59Z", t));
  CHECK(t.unix_s == -1);
  CHECK(go_format_time(t) == "1969-12-31T23:59:59Z");
  for (const char* bad : {"", "2023-01-02", "2023-01-02 03:04:05Z", "2023-02-30T00:00:00Z", "2023-01-02T24:00:00Z",
                          "2023-01-02T03:04:05", "2023-01-02T03:04:05.Z", "2023-01-02T03:04:05+0100",
                          "2023-13-01T00:00:00Z", "2023-01-02T03:04:05Zjunk"}) {
    INFO(bad);
    CHECK_FALSE(go_parse_time(bad, t));
  }
}

TEST_CASE("fields match ASCII case-insensitively, the last key wins; null is absent") {
  const auto j = nlohmann::ordered_json::parse(R"({"NAME":"upper","name":"exact","Other":1,"nul":null})", nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  std::string s;
  CHECK(go_read_string(j, "name", s));
  CHECK(s == "exact");
  std::int64_t i = 0;
  CHECK(go_read_int(j, "other", i, 0, 10));
  CHECK(i == 1);
  CHECK(go_json_field(j, "nul") == nullptr);
  CHECK(go_json_field_with_null(j, "nul") != nullptr);
  const auto k = nlohmann::ordered_json::parse(R"({"NaMe":"mixed"})", nullptr, false);
  CHECK(go_read_string(k, "name", s));
  CHECK(s == "mixed");
  // golden: {"name":"Q4","NAME":"Q4x"} creates stream "Q4x" in the reference.
  const auto l = nlohmann::ordered_json::parse(R"({"name":"Q4","NAME":"Q4x"})", nullptr, false);
  CHECK(go_read_string(l, "name", s));
  CHECK(s == "Q4x");
}

TEST_CASE("integers must be JSON integers in range") {
  const auto j = nlohmann::ordered_json::parse(R"({"f":1.0,"e":1e3,"big":3000000000,"neg":-1,"s":"5","u":18446744073709551615})",
                                       nullptr, false);
  std::int64_t i = 0;
  std::uint64_t u = 0;
  CHECK_FALSE(go_read_int(j, "f", i, -100, 100));
  CHECK_FALSE(go_read_int(j, "e", i, -10000, 10000));
  CHECK_FALSE(go_read_int(j, "big", i, INT32_MIN, INT32_MAX));
  CHECK(go_read_int(j, "big", i, INT64_MIN, INT64_MAX));
  CHECK_FALSE(go_read_int(j, "s", i, INT64_MIN, INT64_MAX));
  CHECK_FALSE(go_read_uint(j, "neg", u));
  CHECK(go_read_uint(j, "u", u));
  CHECK(u == UINT64_MAX);
  CHECK_FALSE(go_read_int(j, "u", i, INT64_MIN, INT64_MAX));
}

TEST_CASE("names follow isValidName and JSMaxNameLen") {
  CHECK(is_valid_name("ORDERS"));
  CHECK(is_valid_name("a-b_c$"));
  for (const char* bad : {"", "a.b", "a*", "a>", "a b", "a\tb", "a\rb", "a\nb", "a\fb"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_name(bad));
  }
  CHECK(max_name_len == 255);
  CHECK(max_description_len == 4096);
  CHECK(has_path_separators("a/b"));
  CHECK(has_path_separators("a\\b"));
  CHECK_FALSE(has_path_separators("ab"));
}
