// NATS message header blocks. find_header follows nats-server 2.9.10 getHeader
// (client.go) exactly, quirks included: it looks only at the first place where
// `key` occurs in the block, and finds nothing when that place is not the
// start of a line or is not followed by ':' (so "X: Key" before "Key: v" hides
// it, and key "Foo" is not found when "Foo-Bar:" comes first).
#include "core/proto/headers.h"

namespace natrium::proto {

namespace {
constexpr std::string_view version_line_prefix = "NATS/1.0";
constexpr std::string_view block_end = "\r\n\r\n";
}  // namespace

std::optional<std::string_view> find_header(std::string_view block, std::string_view key) {
  if (block.empty() || key.empty()) return std::nullopt;
  std::size_t i = block.find(key);
  if (i == std::string_view::npos) return std::nullopt;
  // The key must start a line.
  if (i < 2 || block[i - 1] != '\n' || block[i - 2] != '\r') return std::nullopt;
  i += key.size();
  if (i >= block.size() || block[i] != ':') return std::nullopt;
  ++i;
  const std::size_t n = block.size();
  while (i < n && block[i] == ' ') ++i;
  const std::size_t start = i;
  while (i < n && !(block[i] == '\r' && i + 1 < n && block[i + 1] == '\n')) ++i;
  // A present but empty value is an empty view (nats-server returns nil for both).
  return block.substr(start, i - start);
}

bool is_valid_header_block(std::string_view block) {
  if (block.size() < version_line_prefix.size() + block_end.size()) return false;
  return block.substr(0, version_line_prefix.size()) == version_line_prefix &&
         block.substr(block.size() - block_end.size()) == block_end;
}

}  // namespace natrium::proto
