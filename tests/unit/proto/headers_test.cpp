// Header blocks: find_header follows nats-server getHeader, quirks included.
#include <catch2/catch.hpp>
#include <string>

#include "core/proto/headers.h"

using namespace natrium::proto;

TEST_CASE("find_header finds values", "[headers]") {
  const std::string b = "NATS/1.0\r\nNats-Msg-Id: abc\r\nX:  two spaces\r\nEmpty:\r\nTab:\tv\r\n\r\n";
  CHECK(find_header(b, "Nats-Msg-Id") == std::optional<std::string_view>("abc"));
  CHECK(find_header(b, "X") == std::optional<std::string_view>("two spaces"));
  CHECK(find_header(b, "Empty") == std::optional<std::string_view>(""));
  CHECK(find_header(b, "Tab") == std::optional<std::string_view>("\tv"));  // only spaces are skipped
  CHECK_FALSE(find_header(b, "nats-msg-id"));                                // case-sensitive
  CHECK_FALSE(find_header(b, "Missing"));
  CHECK_FALSE(find_header(b, ""));
  CHECK_FALSE(find_header("", "X"));
  CHECK(find_header("NATS/1.0\r\nK: v", "K") == std::optional<std::string_view>("v"));  // unterminated
}

TEST_CASE("find_header looks only at the first occurrence, as nats-server", "[headers]") {
  // The key first appears inside a value: not found, although a later line has it.
  CHECK_FALSE(find_header("NATS/1.0\r\nA: Key\r\nKey: v\r\n\r\n", "Key"));
  // The key first appears as the prefix of a longer key.
  CHECK_FALSE(find_header("NATS/1.0\r\nFoo-Bar: 1\r\nFoo: 2\r\n\r\n", "Foo"));
  CHECK(find_header("NATS/1.0\r\nFoo: 2\r\nFoo-Bar: 1\r\n\r\n", "Foo") == std::optional<std::string_view>("2"));
  // The first of repeated keys wins.
  CHECK(find_header("NATS/1.0\r\nK: 1\r\nK: 2\r\n\r\n", "K") == std::optional<std::string_view>("1"));
}

TEST_CASE("is_valid_header_block", "[headers]") {
  CHECK(is_valid_header_block("NATS/1.0\r\n\r\n"));
  CHECK(is_valid_header_block(no_responders_header));
  CHECK(is_valid_header_block("NATS/1.0\r\nA: b\r\n\r\n"));
  CHECK_FALSE(is_valid_header_block(""));
  CHECK_FALSE(is_valid_header_block("NATS/1.0\r\n"));
  CHECK_FALSE(is_valid_header_block("NATS/1.0\r\nA: b\r\n"));
  CHECK_FALSE(is_valid_header_block("HTTP/1.0\r\n\r\n"));
  CHECK_FALSE(is_valid_header_block("NATS/1.\r\n\r\n"));
}
