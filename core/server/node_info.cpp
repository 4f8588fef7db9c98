// INFO and CONNECT: the JSON the node exchanges with clients on connect.
#include <nlohmann/json.hpp>

#include "core/server/node_impl.h"

namespace natrium::server {

// A server id in the shape of nats-server's (an nkey: 'N' and 55 base32
// characters), drawn from the node's seeded PRNG.
std::string node::impl::make_server_id() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "N";
  for (int i = 0; i < 55; ++i) id.push_back(alphabet[rng.below(32)]);
  return id;
}

std::string node::impl::info_line(const connection& c) const {
  // Field order as nats-server's Info struct (server.go), so byte-level diffs
  // against the reference stay small. natrium_version is our own extra field.
  nlohmann::ordered_json j;
  j["server_id"] = server_id;
  j["server_name"] = cfg.server_name.empty() ? server_id : cfg.server_name;
  j["version"] = compat_version;
  j["proto"] = proto_version;
  j["go"] = "natrium";
  j["host"] = cfg.host;
  j["port"] = cfg.port;
  j["headers"] = true;
  j["max_payload"] = cfg.max_payload;
  if (js) j["jetstream"] = true;
  j["client_id"] = c.id.value;
  if (!c.ip.empty()) j["client_ip"] = c.ip;
  if (ldm) j["ldm"] = true;
  j["natrium_version"] = cfg.natrium_version;
  std::string line = "INFO ";
  line += j.dump();
  line += " \r\n";  // nats-server joins "INFO", json and CRLF with spaces
  return line;
}

namespace {
template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) out = it->template get<bool>();
  } else if constexpr (std::is_same_v<T, int>) {
    if (it->is_number_integer()) out = it->template get<int>();
  } else {
    if (it->is_string()) out = it->template get<std::string>();
  }
}
}  // namespace

bool parse_connect_json(std::string_view json, client_options& opts) {
  auto j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  read_field(j, "verbose", opts.verbose);
  read_field(j, "pedantic", opts.pedantic);
  read_field(j, "echo", opts.echo);
  read_field(j, "headers", opts.headers);
  read_field(j, "no_responders", opts.no_responders);
  read_field(j, "protocol", opts.protocol);
  read_field(j, "name", opts.name);
  read_field(j, "lang", opts.lang);
  read_field(j, "version", opts.version);
  return true;
}

}  // namespace natrium::server
