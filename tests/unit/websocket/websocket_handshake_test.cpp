// The upgrade checks of nats-server's wsUpgrade as pure functions
// (native/websocket_handshake.h): header tokens, the order of the refusals,
// same_origin and allowed_origins, compression, paths, close statuses.
#include <catch2/catch.hpp>

#include "native/websocket_handshake.h"

using namespace natrium::native;

namespace {

upgrade_request good() {
  upgrade_request r;
  r.method = "GET";
  r.target = "/";
  r.host = "localhost:8080";
  r.upgrade = {"websocket"};
  r.connection = {"Upgrade"};
  r.key = "dGhlIHNhbXBsZSBub25jZQ==";
  r.version = {"13"};
  return r;
}

int status(const upgrade_request& r, const origin_policy& p = {}, bool compress = false) {
  auto d = check_upgrade(r, p, compress);
  return d.refusal ? d.refusal->status : 101;
}

}  // namespace

TEST_CASE("header_contains matches comma-separated tokens, trimmed, case-insensitively") {
  CHECK(header_contains({"keep-alive, Upgrade"}, "upgrade"));
  CHECK(header_contains({"a", " \tWebSocket\t "}, "websocket"));
  CHECK_FALSE(header_contains({"websockets"}, "websocket"));
  CHECK_FALSE(header_contains({}, "websocket"));
}

TEST_CASE("check_upgrade refuses in the reference's order") {
  CHECK(status(good()) == 101);
  auto r = good();
  r.method = "POST";
  r.key = "";
  CHECK(status(r) == 405);  // the method first
  r = good();
  r.host = "";
  CHECK(status(r) == 400);
  r = good();
  r.upgrade = {"h2c"};
  CHECK(check_upgrade(r, {}, false).refusal->reason == "invalid value for header 'Upgrade'");
  r = good();
  r.connection = {"close"};
  CHECK(check_upgrade(r, {}, false).refusal->reason == "invalid value for header 'Connection'");
  r = good();
  r.key = "";
  CHECK(check_upgrade(r, {}, false).refusal->reason == "key missing");
  r = good();
  r.version = {"8, 12"};
  CHECK(check_upgrade(r, {}, false).refusal->reason == "invalid version");
}

TEST_CASE("same_origin compares host and port with the request's Host") {
  const origin_policy same(true, {});
  auto r = good();
  CHECK(status(r, same) == 101);  // no Origin
  r.origin = "http://LOCALHOST:8080";
  CHECK(status(r, same) == 101);
  r.origin = "http://localhost:8081";
  auto d = check_upgrade(r, same, false);
  REQUIRE(d.refusal);
  CHECK(d.refusal->status == 403);
  CHECK(d.refusal->reason == "origin not allowed: not same origin");
  r.host = "example.com";
  r.origin = "http://example.com";
  CHECK(status(r, same) == 101);  // both default to 80
  r.origin = "https://example.com";
  CHECK(status(r, same) == 403);  // 443
  r.host = "[::1]:80";
  r.origin = "http://[::1]";
  CHECK(status(r, same) == 101);
  r.origin = "null";
  CHECK(check_upgrade(r, same, false).refusal->reason ==
        "origin not allowed: parse \"null\": invalid URI for request");
}

TEST_CASE("allowed_origins needs the host listed with the same scheme and port") {
  std::vector<std::string> errors;
  const origin_policy list(false, {"http://app.example:8080", "https://secure.example", "no-scheme"}, &errors);
  CHECK(errors.size() == 1);
  auto r = good();
  r.origin = "http://app.example:8080";
  CHECK(status(r, list) == 101);
  r.origin = "https://secure.example:443";
  CHECK(status(r, list) == 101);
  r.origin = "http://secure.example";
  CHECK(status(r, list) == 403);
  r.origin = "http://app.example:8081";
  CHECK(status(r, list) == 403);
  r.origin = "http://other.example:8080";
  CHECK(check_upgrade(r, list, false).refusal->reason == "origin not allowed: not in the allowed list");
  r.origin = "";
  CHECK(status(r, list) == 101);
  // The last entry for a host wins, as in the reference's map.
  const origin_policy twice(false, {"http://h:1", "http://h:2"});
  r.origin = "http://h:1";
  CHECK(status(r, twice) == 403);
  r.origin = "http://h:2";
  CHECK(status(r, twice) == 101);
}

TEST_CASE("compression only when enabled and offered; paths pick the kind") {
  auto r = good();
  r.extensions = {"foo, permessage-deflate; client_max_window_bits"};
  CHECK(check_upgrade(r, {}, true).compress);
  CHECK_FALSE(check_upgrade(r, {}, false).compress);
  r.extensions = {"x-webkit-deflate-frame"};
  CHECK_FALSE(check_upgrade(r, {}, true).compress);
  r.target = "/leafnode/x";
  CHECK(check_upgrade(r, {}, false).kind == upgrade_kind::leafnode);
  r.target = "/mqtt";
  CHECK(check_upgrade(r, {}, false).kind == upgrade_kind::mqtt);
  r.target = "/any/path?q=1";
  CHECK(check_upgrade(r, {}, false).kind == upgrade_kind::client);
}

TEST_CASE("close statuses follow the reference's reasons") {
  CHECK(close_status_for("Client Closed") == 1000);
  CHECK(close_status_for("Slow Consumer (Pending Bytes)") == 1008);
  CHECK(close_status_for("Maximum Connections Exceeded") == 1008);
  CHECK(close_status_for("Parse Error") == 1002);
  CHECK(close_status_for("Protocol Violation") == 1002);
  CHECK(close_status_for("Maximum Message Payload Exceeded") == 1009);
  CHECK(close_status_for("Server Shutdown") == 1001);
  CHECK(close_status_for("Stale Connection") == 1001);
  CHECK(close_status_for("something else") == 1011);
}
