// Go's formats as the monitoring endpoints print them (core/monitor/format.h).
#include <catch2/catch.hpp>

#include "core/monitor/format.h"
#include "core/monitor/monitor.h"

using namespace natrium::monitor;
using natrium::base::wall_time;

TEST_CASE("go_duration matches time.Duration.String") {
  CHECK(go_duration(0) == "0s");
  CHECK(go_duration(1) == "1ns");
  CHECK(go_duration(999) == "999ns");
  CHECK(go_duration(1'000) == "1\xC2\xB5s");
  CHECK(go_duration(1'500) == "1.5\xC2\xB5s");
  CHECK(go_duration(3'155'590) == "3.15559ms");
  CHECK(go_duration(1'000'000'000) == "1s");
  CHECK(go_duration(61'500'000'000) == "1m1.5s");
  CHECK(go_duration(3'600'000'000'000) == "1h0m0s");
  CHECK(go_duration(3'723'000'000'001) == "1h2m3.000000001s");
  CHECK(go_duration(-1'500) == "-1.5\xC2\xB5s");
}

TEST_CASE("go_rtt truncates to microseconds between 1us and 1ms, as connz") {
  CHECK(go_rtt(0) == "0s");
  CHECK(go_rtt(500) == "500ns");
  CHECK(go_rtt(656'789) == "656\xC2\xB5s");
  CHECK(go_rtt(3'155'590) == "3.15559ms");
}

TEST_CASE("uptime matches nats-server's myUptime") {
  const std::int64_t s = 1'000'000'000;
  CHECK(uptime(0) == "0s");
  CHECK(uptime(59 * s + s / 2) == "59s");
  CHECK(uptime(61 * s) == "1m1s");
  CHECK(uptime(3601 * s) == "1h0m1s");
  CHECK(uptime(90000 * s) == "1d1h0m0s");
  CHECK(uptime(400LL * 86400 * s) == "1y35d0h0m0s");
}

TEST_CASE("rfc3339 prints UTC with trimmed nanoseconds, as time.Time in JSON") {
  CHECK(rfc3339(wall_time{0}) == "1970-01-01T00:00:00Z");
  CHECK(rfc3339(wall_time{1764238739860986318}) == "2025-11-27T10:18:59.860986318Z");
  CHECK(rfc3339(wall_time{1700000000000000000}) == "2023-11-14T22:13:20Z");
  CHECK(rfc3339(wall_time{951782400500000000}) == "2000-02-29T00:00:00.5Z");
  CHECK(rfc3339(wall_time{-1}) == "1969-12-31T23:59:59.999999999Z");
}

TEST_CASE("go_json indents and escapes as encoding/json") {
  json j;
  j["a"] = 1;
  j["s"] = "x<y>&\"\\\n\t\x01\b\xE2\x80\xA8\xff\xC3\xA9";
  j["o"] = json::object();
  j["l"] = json::array();
  j["n"] = json::array({1, "two"});
  j["u"] = ~std::uint64_t{0};
  CHECK(go_json(j) ==
        "{\n  \"a\": 1,\n  \"s\": \"x\\u003cy\\u003e\\u0026\\\"\\\\\\n\\t\\u0001\\u0008\\u2028\\ufffd\xC3\xA9\",\n"
        "  \"o\": {},\n  \"l\": [],\n  \"n\": [\n    1,\n    \"two\"\n  ],\n  \"u\": 18446744073709551615\n}");
  CHECK(go_json(json{{"status", "ok"}}, false) == "{\"status\":\"ok\"}");
}

TEST_CASE("floats print as Go's strconv 'f'/-1 (or 'e' outside [1e-6, 1e21))") {
  CHECK(go_json(go_float(2.0)) == "2");
  CHECK(go_json(go_float(0.0)) == "0");
  CHECK(go_float_text(0.8) == "0.8");
  CHECK(go_float_text(0.7142857142857143) == "0.7142857142857143");
  CHECK(go_float_text(0.00001) == "0.00001");
  CHECK(go_float_text(1e-7) == "1e-7");
  CHECK(go_float_text(1.5e-10) == "1.5e-10");
  CHECK(go_float_text(1e21) == "1e+21");
  CHECK(go_float_text(1.2345678901234568e20) == "123456789012345680000");
  CHECK(go_float_text(-12.5) == "-12.5");
  CHECK(go_float_text(1764238739.860986) == "1764238739.860986");
}

TEST_CASE("strconv parse errors have Go's texts") {
  std::string e;
  CHECK(parse_go_bool("True", e) == std::optional<bool>(true));
  CHECK(parse_go_bool("0", e) == std::optional<bool>(false));
  CHECK_FALSE(parse_go_bool("yes", e));
  CHECK(e == "strconv.ParseBool: parsing \"yes\": invalid syntax");
  CHECK(parse_go_int("-12", e) == std::optional<std::int64_t>(-12));
  CHECK(parse_go_int("+7", e) == std::optional<std::int64_t>(7));
  CHECK_FALSE(parse_go_int("x", e));
  CHECK(e == "strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK_FALSE(parse_go_int("-", e));
  CHECK(e == "strconv.Atoi: parsing \"-\": invalid syntax");
  CHECK_FALSE(parse_go_int("9223372036854775808", e));
  CHECK(e == "strconv.Atoi: parsing \"9223372036854775808\": value out of range");
  CHECK(parse_go_int("-9223372036854775808", e) == std::optional<std::int64_t>(INT64_MIN));
  CHECK_FALSE(parse_go_uint("+5", e));
  CHECK(e == "strconv.ParseUint: parsing \"+5\": invalid syntax");
  CHECK_FALSE(parse_go_uint("18446744073709551616", e));
  CHECK(e == "strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
  CHECK_FALSE(parse_go_bool("a\"b\n", e));
  CHECK(e == "strconv.ParseBool: parsing \"a\\\"b\\n\": invalid syntax");
}

TEST_CASE("parse_target splits and decodes as Go's net/url") {
  const request r = parse_target("/conn%7Cz?subs=1&sort=bytes_to&sort=x&name=a+b%21&bad=%zz&x;y=1&&flag");
  CHECK(r.path == "/conn|z");
  CHECK(r.get("subs") == "1");
  CHECK(r.get("sort") == "bytes_to");
  CHECK(r.get("name") == "a b!");
  CHECK(r.get("bad").empty());
  CHECK(r.get("x;y").empty());
  CHECK(r.get("flag").empty());
  CHECK(r.query.size() == 5);
  CHECK(parse_target("/varz").query.empty());
}
