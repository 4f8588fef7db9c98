// The websocket {} block (alias ws) as nats-server 2.9.10's parseWebsocket and
// validateWebsocketOptions read it: keys and aliases, types, durations, the
// errors (unknown fields are errors here), the TLS requirement, the defaults.
#include <catch2/catch.hpp>

#include "native/config_file.h"
#include "native/config_parser.h"
#include "tests/unit/config/apply_text.h"
#include "tests/unit/config/temp_dir.h"

using namespace natrium;
using namespace natrium::native;

namespace {

using test::applied;
using test::apply_text;

std::vector<std::string> errors_of(const std::string& text) { return apply_text(text).r.errors; }

load_outcome load_file(const std::string& text) {
  test::temp_dir dir;
  const std::string f = dir.write("w.conf", text);
  return load_configuration({"natrium-server", "-c", f});
}

}  // namespace

TEST_CASE("websocket: every key and alias maps onto options", "[websocket][config]") {
  auto a = apply_text(R"(
websocket {
  port: 8080
  host: "127.0.0.1"
  advertise: "ws.example:443"
  no_tls: true
  same_origin: true
  allowed_origins: ["http://a.example", "https://b.example:8443"]
  compression: true
  handshake_timeout: "1.5s"
}
)");
  CHECK(a.r.errors.empty());
  CHECK(a.r.ignored.empty());
  const websocket_options& ws = a.o.websocket;
  CHECK(ws.port == 8080);
  CHECK(ws.host == "127.0.0.1");
  CHECK(ws.advertise == "ws.example:443");
  CHECK(ws.no_tls);
  CHECK(ws.same_origin);
  CHECK(ws.allowed_origins == std::vector<std::string>{"http://a.example", "https://b.example:8443"});
  CHECK(ws.compression);
  CHECK(ws.handshake_timeout_ns == 1'500'000'000);

  auto b = apply_text("ws { listen: \"0.0.0.0:9090\", net: \"::1\", origin: \"http://c\", compress: false, handshake_timeout: 3 }\n");
  CHECK(b.r.errors.empty());
  CHECK(b.o.websocket.port == 9090);
  CHECK(b.o.websocket.host == "::1");  // net comes after listen: the later key wins
  CHECK(b.o.websocket.allowed_origins == std::vector<std::string>{"http://c"});
  CHECK(b.o.websocket.handshake_timeout_ns == 3'000'000'000);  // an integer is seconds, no warning
  CHECK(b.r.warnings.empty());
}

TEST_CASE("websocket: errors as the reference's", "[websocket][config]") {
  CHECK(errors_of("websocket: 5\n") == std::vector<std::string>{"t.conf:1:1: Expected websocket to be a map, got int64"});
  CHECK(errors_of("websocket { port: 1, foo: 2 }\n") == std::vector<std::string>{"t.conf:1:22: unknown field \"foo\""});
  CHECK(errors_of("ws { handshake_timeout: \"bad\" }\n") ==
        std::vector<std::string>{"t.conf:1:6: time: invalid duration \"bad\""});
  CHECK(errors_of("ws { handshake_timeout: true }\n") ==
        std::vector<std::string>{"t.conf:1:6: error parsing handshake timeout: unsupported type bool"});
  CHECK(errors_of("ws { allowed_origins: 5 }\n") ==
        std::vector<std::string>{"t.conf:1:6: error parsing allowed origins: unsupported type int64"});
  CHECK(errors_of("ws { allowed_origins: [\"http://a\", 5] }\n") ==
        std::vector<std::string>{"t.conf:1:36: error parsing allowed origins: unsupported type in array int64"});
  CHECK(errors_of("ws { authorization { token: x } }\n") ==
        std::vector<std::string>{"t.conf:1:6: websocket authorization is not supported yet"});
  CHECK(errors_of("ws { no_auth_user: x }\n") == std::vector<std::string>{"t.conf:1:6: websocket no_auth_user is not supported yet"});
  // A key used as a variable is not an unknown field.
  CHECK(errors_of("ws { P = 8080, port: $P, no_tls: true }\n").empty());
}

TEST_CASE("websocket: no_tls is required, host defaults to 0.0.0.0, port range", "[websocket][config]") {
  CHECK(load_file("websocket { port: 8080 }\n").errors == std::vector<std::string>{"websocket requires TLS configuration"});
  auto ok = load_file("listen: 127.0.0.1:4222\nwebsocket { port: -1, no_tls: true }\n");
  CHECK(ok.errors.empty());
  CHECK(ok.opts.websocket.host == "0.0.0.0");  // the reference's DEFAULT_HOST, not the client host
  CHECK(load_file("websocket { port: 70000, no_tls: true }\n").errors ==
        std::vector<std::string>{"invalid websocket port 70000 (use 1-65535, -1 for random)"});
  auto off = load_file("websocket { no_tls: false }\n");  // no port: no listener, nothing to check
  CHECK(off.errors.empty());
  CHECK(off.opts.websocket.host.empty());
}
