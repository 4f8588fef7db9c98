#include "native/cli/kv_common.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <iostream>
#include <iterator>

#include "native/cli/cli_context.h"
#include "native/cli/format.h"
#include "native/cli/js_util.h"

namespace natrium::cli {

bool confirm_or_force(const std::string& question, bool force) {
  if (force) return true;
  if (!stdin_is_tty()) throw cli_error(question + " Refusing without a terminal: use -f to confirm", 2);
  return confirm(question);
}

std::string utc_time(std::int64_t unix_ns) {
  const std::time_t secs = static_cast<std::time_t>(unix_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string object_mtime_now() { return format_rfc3339(now_ns()); }

std::string base64url_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16 | static_cast<std::uint8_t>(bytes[i + 1]) << 8 |
                            static_cast<std::uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode_lenient(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (bits >= 6) return std::nullopt;  // one stray character
  return out;
}

namespace {

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra;
    if (c < 0x80) extra = 0;
    else if ((c >> 5) == 0x6) extra = 1;
    else if ((c >> 4) == 0xE) extra = 2;
    else if ((c >> 3) == 0x1E) extra = 3;
    else return false;
    if (extra >= s.size() - i) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

nlohmann::json json_bytes(std::string_view bytes) {
  if (valid_utf8(bytes)) return std::string(bytes);
  return {{"base64", base64url_encode(bytes)}};
}

std::string printable(std::string_view bytes) {
  bool ok = valid_utf8(bytes);
  for (const char c : bytes)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') ok = false;
  if (ok) return std::string(bytes);
  return fmt::format("<{} binary bytes>", bytes.size());
}

std::int64_t duration_option(const std::string& flag, const std::string& text) {
  if (text == "0" || text == "unlimited") return 0;
  const auto ns = parse_duration_ns(text);
  if (!ns || *ns < 0) throw cli_error(fmt::format("{}: not a duration: {} (e.g. 1h, 7d)", flag, text), 2);
  return *ns;
}

std::int64_t size_option(const std::string& flag, const std::string& text) {
  if (text == "unlimited") return -1;
  const auto n = parse_size(text);
  if (!n || *n < -1) throw cli_error(fmt::format("{}: not a size: {} (e.g. 512MB, 1GiB, -1)", flag, text), 2);
  return *n;
}

bool memory_storage_option(const std::string& text) {
  if (text == "file") return false;
  if (text == "memory") return true;
  throw cli_error(fmt::format("--storage: {} is neither file nor memory", text), 2);
}

std::vector<nlohmann::json> list_streams(context& ctx, std::string_view prefix) {
  std::vector<nlohmann::json> out;
  std::uint64_t offset = 0;
  for (int page = 0; page < 10'000; ++page) {
    const nlohmann::json reply = ctx.js_api("STREAM.LIST", {{"offset", offset}});
    const auto& streams = reply.contains("streams") && reply["streams"].is_array() ? reply["streams"] : nlohmann::json::array();
    for (const auto& s : streams) {
      const std::string name = s.value("/config/name"_json_pointer, std::string());
      if (name.rfind(prefix, 0) == 0) out.push_back(s);
    }
    offset += streams.size();
    if (streams.empty() || offset >= reply.value("total", 0ull)) break;
  }
  return out;
}

std::string read_stdin() {
  std::freopen(nullptr, "rb", stdin);
  std::string out;
  std::array<char, 65536> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), stdin)) > 0) out.append(buf.data(), n);
  return out;
}

}  // namespace natrium::cli
