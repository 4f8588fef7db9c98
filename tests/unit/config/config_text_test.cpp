// Go-compatible text rules: sizes, durations (parse and print), paths, ports file JSON.
#include <catch2/catch.hpp>

#include "native/config_text.h"
#include "native/ports_file.h"

using namespace natrium::native;
using namespace natrium::native::conf;

namespace {

std::int64_t dur(std::string_view s) {
  auto r = parse_go_duration(s);
  INFO(s);
  if (!r.ok()) FAIL(r.err().text);
  return r.value();
}

std::string dur_error(std::string_view s) {
  auto r = parse_go_duration(s);
  INFO(s);
  REQUIRE_FALSE(r.ok());
  return r.err().text;
}

}  // namespace

TEST_CASE("size integers: decimal and binary suffixes in any case", "[config][text]") {
  CHECK(parse_size_integer("0").value() == 0);
  CHECK(parse_size_integer("-12").value() == -12);
  CHECK(parse_size_integer("1k").value() == 1000);
  CHECK(parse_size_integer("1kB").value() == 1024);
  CHECK(parse_size_integer("1KIB").value() == 1024);
  CHECK(parse_size_integer("3m").value() == 3'000'000);
  CHECK(parse_size_integer("3mib").value() == 3 * 1024 * 1024);
  CHECK(parse_size_integer("7EB").value() == 7LL << 60);
  CHECK(parse_size_integer("8EB").err().text == "integer '8EB' is out of the range");
  CHECK(parse_size_integer("1x").err().text == "expected integer, but got '1x'");
  CHECK(parse_size_integer("1kbb").err().text == "expected integer, but got '1kbb'");
}

TEST_CASE("durations as Go's time.ParseDuration", "[config][text]") {
  CHECK(dur("0") == 0);
  CHECK(dur("10s") == 10'000'000'000);
  CHECK(dur("2m") == 120'000'000'000);
  CHECK(dur("1h30m") == 5'400'000'000'000);
  CHECK(dur("1.5s") == 1'500'000'000);
  CHECK(dur(".5m") == 30'000'000'000);
  CHECK(dur("300ms") == 300'000'000);
  CHECK(dur("10us") == 10'000);
  CHECK(dur("10\xC2\xB5s") == 10'000);
  CHECK(dur("10\xCE\xBCs") == 10'000);
  CHECK(dur("7ns") == 7);
  CHECK(dur("-1.5h") == -5'400'000'000'000);
  CHECK(dur("+2s") == 2'000'000'000);
  CHECK(dur_error("") == "time: invalid duration \"\"");
  CHECK(dur_error("abc") == "time: invalid duration \"abc\"");
  CHECK(dur_error("10") == "time: missing unit in duration \"10\"");
  CHECK(dur_error("1x") == "time: unknown unit \"x\" in duration \"1x\"");
  CHECK(dur_error("1d") == "time: unknown unit \"d\" in duration \"1d\"");
  CHECK(dur_error(".s") == "time: invalid duration \".s\"");
  CHECK(dur_error("9999999999h") == "time: invalid duration \"9999999999h\"");
}

TEST_CASE("durations print as Go's Duration.String", "[config][text]") {
  CHECK(format_go_duration(0) == "0s");
  CHECK(format_go_duration(10'000'000'000) == "10s");
  CHECK(format_go_duration(120'000'000'000) == "2m0s");
  CHECK(format_go_duration(5'430'000'000'000) == "1h30m30s");
  CHECK(format_go_duration(1'500'000'000) == "1.5s");
  CHECK(format_go_duration(1'500'000) == "1.5ms");
  CHECK(format_go_duration(2'000) == "2\xC2\xB5s");
  CHECK(format_go_duration(7) == "7ns");
  CHECK(format_go_duration(-30'000'000'000) == "-30s");
}

TEST_CASE("paths as Go's filepath", "[config][text]") {
  CHECK(clean_path("") == ".");
  CHECK(clean_path("a//b/./c/..") == "a/b");
  CHECK(clean_path("/../x") == "/x");
  CHECK(clean_path("../../x") == "../../x");
  CHECK(parent_dir("a.conf") == ".");
  CHECK(parent_dir("/etc/nats/a.conf") == "/etc/nats");
  CHECK(parent_dir("/a.conf") == "/");
  CHECK(join_path(".", "x.conf") == "x.conf");
  CHECK(join_path("/etc/nats", "sub/../x.conf") == "/etc/nats/x.conf");
  CHECK(join_path("/etc/nats", "/tmp/x.conf") == "/etc/nats/tmp/x.conf");  // Join keeps absolute names under dir
}

TEST_CASE("ports file: name and content", "[config][ports]") {
  CHECK(ports_file_path("/tmp/d", "natrium-server", 42) == "/tmp/d/natrium-server_42.ports");
  CHECK(ports_json("127.0.0.1", 4222, "", 0) == R"({"nats":["nats://127.0.0.1:4222"]})");
  CHECK(ports_json("127.0.0.1", 4222, "", 8222) ==
        R"({"nats":["nats://127.0.0.1:4222"],"monitoring":["http://127.0.0.1:8222"]})");
  CHECK(ports_json("::1", 4222, "127.0.0.1", 8222) ==
        R"({"nats":["nats://[::1]:4222"],"monitoring":["http://127.0.0.1:8222"]})");
  const auto all = listen_urls("nats", "0.0.0.0", 4222);
  CHECK(std::find(all.begin(), all.end(), "nats://127.0.0.1:4222") != all.end());  // every interface
}
