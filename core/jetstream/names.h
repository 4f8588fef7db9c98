#pragma once
// Stream, consumer and template names (nats-server 2.9.10 jetstream.go
// isValidName, jetstream_api.go JSMaxNameLen / JSMaxDescriptionLen).
#include <cstddef>
#include <string_view>

namespace natrium::jetstream {

inline constexpr std::size_t max_name_len = 255;            // JSMaxNameLen
inline constexpr std::size_t max_description_len = 4 * 1024; // JSMaxDescriptionLen

// Not empty and none of ' ', '\t', '\r', '\n', '\f', '.', '*', '>'. (Length is
// checked separately, as the reference does, with its own error.)
bool is_valid_name(std::string_view name) noexcept;
// '/' or '\' (the reference rejects these in stream and consumer names).
bool has_path_separators(std::string_view name) noexcept;

}  // namespace natrium::jetstream
