#pragma once
// The monitoring HTTP API of a node (nats-server's -m port: /varz, /connz,
// /subsz, /routez, /jsz, /accountz, /healthz, /) plus Prometheus /metrics, as a
// pure function of the node's state: the host parses HTTP, calls handle() and
// writes the response. Nothing here does I/O or reads a clock: the host passes
// the time and the process statistics in host_stats.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/time.h"

namespace natrium::server {
class node;
}

namespace natrium::monitor {

struct request {
  std::string path;  // "/connz" (percent-decoded)
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order

  // The first value of `key`, or "" (Go's url.Values.Get).
  std::string_view get(std::string_view key) const;
};

// Splits a request target ("/connz?subs=1&sort=bytes_to") as Go's net/url:
// '+' is a space in the query, %XX escapes are decoded, a pair with a bad
// escape or a ';' is dropped.
request parse_target(std::string_view target);

// JetStream as configured (-js, jetstream {...}); usage comes from the node's
// JetStream engine.
struct jetstream_settings {
  bool enabled = false;
  std::string store_dir;         // as the reference reports it: <store_dir>/jetstream
  std::int64_t max_memory = 0;   // bytes (configured, or the host's estimate as the reference's)
  std::int64_t max_storage = 0;
  std::string domain;
};

// websocket { ... } as configured (varz "websocket"); port 0: no listener. The
// port is the bound one, as the reference reports it after a random pick.
struct websocket_settings {
  std::string host;
  int port = 0;
  std::string advertise;
  std::int64_t handshake_timeout_ns = 0;  // as configured (0: unset, omitted)
  bool no_tls = false;
  bool same_origin = false;
  std::vector<std::string> allowed_origins;
  bool compression = false;
};

// What only the host knows: the time, the process, the monitor listener and
// the JetStream settings.
struct host_stats {
  base::wall_time now{};         // wall clock at the request
  std::int64_t mem_bytes = 0;    // resident set size
  double cpu_percent = 0;        // recent CPU use, percent of one core (varz cpu)
  double cpu_seconds = 0;        // user + system CPU time since the process started
  int cores = 1;
  int max_procs = 1;             // varz gomaxprocs: threads the server may use
  std::string http_host;         // the monitor listener (varz http_host, http_port)
  int http_port = 0;
  bool ready = true;             // false: not accepting clients (healthz answers 503)
  jetstream_settings jetstream;
  websocket_settings websocket;
};

struct response {
  int status = 200;
  std::string content_type;
  std::string body;
};

// Requests per endpoint (varz http_req_stats). The host keeps one for the
// life of the monitor; handle() counts each request as nats-server does (the
// /subscriptionsz alias as /subsz; not /metrics, unknown paths, or /connz and
// /routez requests whose options do not decode).
using request_stats = std::map<std::string, std::uint64_t>;

// Answers one request (any method: nats-server's handlers ignore it).
response handle(const server::node& n, const request& req, const host_stats& host, request_stats& stats);

}  // namespace natrium::monitor
