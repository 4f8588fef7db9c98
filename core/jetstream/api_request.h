#pragma once
// Helpers for $JS.API request bodies: the reference's isEmptyRequest, JSON
// parsing without exceptions, and Go's base64 for []byte fields.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace natrium::jetstream {

// Empty, "{}", or a JSON object without members (jetstream_api.go isEmptyRequest).
bool is_empty_request(std::string_view body);
// The parsed body, or empty if it is not valid JSON.
std::optional<nlohmann::ordered_json> parse_request(std::string_view body);
// Go's encoding/json for []byte: standard base64 with padding.
std::string base64_encode(std::string_view data);

}  // namespace natrium::jetstream
