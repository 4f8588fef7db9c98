#pragma once
// --ports_file_dir / ports_file_dir: once the listeners are bound, write
// DIR/<program>_<pid>.ports with their URLs, as nats-server's logPorts:
//   {"nats":["nats://127.0.0.1:4222"],"monitoring":["http://127.0.0.1:8222"],
//    "websocket":["ws://127.0.0.1:8080"]}
// A listener on 0.0.0.0 or :: lists every interface address (IPv6 in
// brackets), as the reference's resolveHostPorts. Removed again on exit.
#include <string>
#include <vector>

#include "core/base/result.h"

namespace natrium::native {

// "scheme://ip:port" for each address a listener on `host` is reachable at.
std::vector<std::string> listen_urls(const std::string& scheme, const std::string& host, int port);

// The file's JSON; `http_port` 0: no monitoring listener; `ws_port` 0: no
// websocket listener (listed last, as the reference's "websocket").
std::string ports_json(const std::string& host, int client_port, const std::string& http_host, int http_port,
                       const std::string& ws_host = "", int ws_port = 0);

// DIR/<program>_<pid>.ports
std::string ports_file_path(const std::string& dir, const std::string& program, long pid);

// Writes `json` to `path`; the error reads "Error writing ports file (PATH): reason".
base::result<bool> write_ports_file(const std::string& path, const std::string& json);

}  // namespace natrium::native
