#pragma once
// NATS message header blocks (ADR-4): "NATS/1.0[ code[ description]]\r\n(Key: Value\r\n)*\r\n".
#include <optional>
#include <string>
#include <string_view>

namespace natrium::proto {

// The status header the server sends when a request finds no subscriber.
inline constexpr std::string_view no_responders_header = "NATS/1.0 503\r\n\r\n";

// First value of header `key` (case-sensitive, as nats-server getHeader), if any.
std::optional<std::string_view> find_header(std::string_view block, std::string_view key);
// True if `block` starts with "NATS/1.0" and ends with a blank line.
bool is_valid_header_block(std::string_view block);

}  // namespace natrium::proto
