#pragma once
// The WebSocket upgrade request checks of nats-server's wsUpgrade (websocket.go),
// as pure functions over the request's method and header values: the host's
// Beast listener parses HTTP and calls check_upgrade, this file decides. No I/O,
// no Beast, so the rules are unit-testable.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace natrium::native {

// same_origin and allowed_origins (wsSetOriginOptions / checkOrigin).
class origin_policy {
 public:
  origin_policy() = default;
  // Origins that do not parse as "scheme://host[:port]" are skipped and
  // reported in `errors` (the reference logs them the same way).
  origin_policy(bool same_origin, const std::vector<std::string>& allowed, std::vector<std::string>* errors = nullptr);

  // nullopt: allowed. Otherwise why not ("not same origin", "not in the
  // allowed list", or the URL parse error). No Origin header: allowed.
  std::optional<std::string> check(std::string_view origin, std::string_view request_host) const;

 private:
  struct allowed_origin {
    std::string host;  // lower case
    std::string scheme;
    std::string port;  // defaulted from the scheme when absent (80, or 443 for https)
  };
  bool same_origin_ = false;
  std::vector<allowed_origin> allowed_;  // the last entry for a host wins, as in the reference's map
};

// What the checks need from an HTTP request. Header values are every value of
// the header (a header may repeat).
struct upgrade_request {
  std::string_view method;
  std::string_view target;
  std::string_view host;
  std::vector<std::string_view> upgrade;
  std::vector<std::string_view> connection;
  std::string_view key;  // Sec-WebSocket-Key
  std::vector<std::string_view> version;  // Sec-WebSocket-Version
  std::string_view origin;  // Origin, or else Sec-WebSocket-Origin
  std::vector<std::string_view> extensions;  // Sec-WebSocket-Extensions
};

// Which kind of peer the path asks for (wsUpgrade: "/leafnode" and "/mqtt" prefixes).
enum class upgrade_kind { client, leafnode, mqtt };

struct upgrade_refusal {
  int status = 400;    // 400, 403 or 405
  std::string reason;  // for the log: "<addr> - websocket handshake error: <reason>"
};

struct upgrade_decision {
  std::optional<upgrade_refusal> refusal;
  upgrade_kind kind = upgrade_kind::client;
  bool compress = false;  // permessage-deflate offered by the client (and enabled on the server)
};

// wsUpgrade's points 1 to 9, in its order.
upgrade_decision check_upgrade(const upgrade_request& req, const origin_policy& origins, bool compression_enabled);

// wsHeaderContains: some comma-separated token of some value equals `token`
// (case-insensitive, spaces and tabs trimmed).
bool header_contains(const std::vector<std::string_view>& values, std::string_view token);

// Close status for a connection the node closed, from its connz reason text
// (wsEnqueueCloseMessage): 1000 client closed, 1008 policy (slow consumer,
// limits), 1002 protocol, 1009 payload too big, 1001 shutdown or stale, else 1011.
int close_status_for(std::string_view reason);

}  // namespace natrium::native
