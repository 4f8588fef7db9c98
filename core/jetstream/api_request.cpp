#include "core/jetstream/api_request.h"

namespace natrium::jetstream {

std::optional<nlohmann::ordered_json> parse_request(std::string_view body) {
  nlohmann::ordered_json v = nlohmann::ordered_json::parse(body.begin(), body.end(), nullptr, false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

bool is_empty_request(std::string_view body) {
  if (body.empty() || body == "{}") return true;
  auto v = parse_request(body);
  return v && v->is_object() && v->empty();
}

std::string base64_encode(std::string_view data) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == data.size()) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace natrium::jetstream
