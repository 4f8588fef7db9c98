// Mapping a configuration onto options (keys, aliases, types, sizes,
// durations, blocks, unsupported features), and load_configuration: the file
// first, the flags on top.
#include <catch2/catch.hpp>
#include <climits>

#include "native/config_file.h"
#include "native/config_parser.h"
#include "tests/unit/config/apply_text.h"
#include "tests/unit/config/temp_dir.h"

using namespace natrium;
using namespace natrium::native;

namespace {

using test::applied;
using test::apply_text;

applied apply_clean(const std::string& text) {
  auto a = apply_text(text);
  INFO(text);
  CHECK(a.r.errors.empty());
  CHECK(a.r.warnings.empty());
  for (const auto& e : a.r.errors) UNSCOPED_INFO(e);
  return a;
}

std::string only_error(const std::string& text) {
  auto a = apply_text(text);
  INFO(text);
  REQUIRE(a.r.errors.size() == 1);
  return a.r.errors[0];
}

load_outcome load(std::vector<std::string> args) {
  args.insert(args.begin(), "/usr/local/bin/natrium-server");
  return load_configuration(args);
}

}  // namespace

TEST_CASE("every supported top-level key maps onto options", "[config][file]") {
  auto a = apply_clean(R"(
listen: 127.0.0.1:4333
server_name: "alpha"
http: "127.0.0.2:8333"
max_payload: 512KB
max_control_line: 2KB
max_connections: 100
max_subscriptions: 7
max_pending: 32MB
ping_interval: "30s"
ping_max: 5
write_deadline: "2.5s"
debug: true
trace: yes
logtime: off
logfile: "/tmp/n.log"
log_size_limit: 0
pid_file: "/tmp/n.pid"
ports_file_dir: "/tmp"
lame_duck_duration: "1m"
lame_duck_grace_period: "5s"
)");
  const options& o = a.o;
  CHECK(o.node.host == "127.0.0.1");
  CHECK(o.port_requested == 4333);
  CHECK(o.node.server_name == "alpha");
  CHECK(o.http_host == "127.0.0.2");
  CHECK(o.http_port == 8333);
  CHECK(o.node.max_payload == 512 * 1024);
  CHECK(o.node.max_control_line == 2048);
  CHECK(o.node.max_connections == 100);
  CHECK(o.node.max_subscriptions == 7);
  CHECK(o.node.max_pending == 32 * 1024 * 1024);
  CHECK(o.node.ping_interval_ns == 30'000'000'000);
  CHECK(o.node.ping_max == 5);
  CHECK(o.node.write_deadline_ns == 2'500'000'000);
  CHECK(o.node.debug);
  CHECK(o.node.trace);
  CHECK_FALSE(o.log_time);
  CHECK(o.log_file == "/tmp/n.log");
  CHECK(o.pid_file == "/tmp/n.pid");
  CHECK(o.ports_file_dir == "/tmp");
  CHECK(o.lame_duck_duration_ns == 60'000'000'000);
  CHECK(o.lame_duck_grace_ns == 5'000'000'000);
  CHECK(a.r.ignored.empty());
}

TEST_CASE("aliases and case-insensitive keys", "[config][file]") {
  auto a = apply_clean("NET: 10.0.0.1\nPort: 1234\nmax_conn: 9\nmax_subs: 3\nlog_file: a.log\npidfile: p\n"
                       "monitor_port: 8888\nlogfile_size_limit: 0\ntrace_verbose: true\n");
  CHECK(a.o.node.host == "10.0.0.1");
  CHECK(a.o.port_requested == 1234);
  CHECK(a.o.node.max_connections == 9);
  CHECK(a.o.node.max_subscriptions == 3);
  CHECK(a.o.log_file == "a.log");
  CHECK(a.o.pid_file == "p");
  CHECK(a.o.http_port == 8888);
  CHECK(a.o.node.trace);
  auto b = apply_clean("host: h\nhttp_port: -1\n");
  CHECK(b.o.node.host == "h");
  CHECK(b.o.http_port == -1);
}

TEST_CASE("listen: a port, host:port, [v6]:port, and a random port", "[config][file]") {
  CHECK(apply_clean("listen: 4333\n").o.port_requested == 4333);
  CHECK(apply_clean("host: x\nlisten: 4333\n").o.node.host.empty());  // as the reference: the host is reset
  auto v6 = apply_clean("listen: \"[::1]:5000\"\n");
  CHECK(v6.o.node.host == "::1");
  CHECK(v6.o.port_requested == 5000);
  CHECK(apply_clean("listen: localhost:-1\n").o.port_requested == -1);
  CHECK(apply_clean("port: -1\n").o.port_requested == -1);
  CHECK(only_error("listen: \"nocolon\"\n") == "t.conf:1:1: could not parse address string \"nocolon\"");
  CHECK(only_error("listen: \"a:b:1\"\n") == "t.conf:1:1: could not parse address string \"a:b:1\"");
  CHECK(only_error("listen: \"h:x\"\n") == "t.conf:1:1: could not parse port \"x\"");
  CHECK(only_error("listen: [1]\n") == "t.conf:1:1: expected port or host:port, got an array");
  CHECK(only_error("http: true\n") == "t.conf:1:1: expected port or host:port, got a boolean");
}

TEST_CASE("type errors point at the key", "[config][file]") {
  CHECK(only_error("port: \"4222\"\n") ==
        "t.conf:1:1: invalid value for \"port\": expected an integer, got a string (\"4222\")");
  CHECK(only_error("a: 1\n  debug: 1\n") ==
        "t.conf:2:3: invalid value for \"debug\": expected a boolean, got an integer (1)");
  CHECK(only_error("server_name: {a: 1}\n") ==
        "t.conf:1:1: invalid value for \"server_name\": expected a string, got a map");
  CHECK(only_error("max_payload: 1.5\n") ==
        "t.conf:1:1: invalid value for \"max_payload\": expected an integer, got a float (1.5)");
  CHECK(only_error("logtime: \"no\"\n") ==
        "t.conf:1:1: invalid value for \"logtime\": expected a boolean, got a string (\"no\")");
  CHECK(only_error("ping_max: 3000000000\n") == "t.conf:1:1: ping_max value is too big");
}

TEST_CASE("limits: sizes, zero means the default, bounds", "[config][file]") {
  CHECK(apply_clean("max_payload: 1MB\n").o.node.max_payload == 1024 * 1024);
  CHECK(apply_clean("max_payload: 0\n").o.node.max_payload == base::payload_default);
  CHECK(apply_clean("max_control_line: 0\n").o.node.max_control_line == base::control_line_default);
  CHECK(apply_clean("max_pending: 0\n").o.node.max_pending == base::pending_default);
  CHECK(apply_clean("max_connections: 0\n").o.node.max_connections == base::connections_default);
  CHECK(apply_clean("max_connections: -1\n").o.node.max_connections == INT_MAX);  // no limit
  CHECK(apply_clean("ping_max: 0\n").o.node.ping_max == base::ping_max_out_default);
  CHECK(only_error("max_payload: 3GB\n") == "t.conf:1:1: max_payload value is too big");
  CHECK(only_error("max_payload: 100MB\n") == "t.conf:1:1: max_payload value is too big (at most 67108864)");
  CHECK(only_error("MAX_CONTROL_LINE: 3GB\n") == "t.conf:1:1: MAX_CONTROL_LINE value is too big");
  CHECK(only_error("max_pending: -5\n") == "t.conf:1:1: max_pending value can not be negative");
}

TEST_CASE("durations: strings, or seconds with the reference's warning", "[config][file]") {
  auto a = apply_text("ping_interval: 90\nwrite_deadline: \"1m30s\"\n");
  CHECK(a.r.errors.empty());
  CHECK(a.o.node.ping_interval_ns == 90'000'000'000);
  CHECK(a.o.node.write_deadline_ns == 90'000'000'000);
  REQUIRE(a.r.warnings.size() == 1);
  CHECK(a.r.warnings[0] ==
        "t.conf:1:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration");
  CHECK(only_error("write_deadline: \"1x\"\n") ==
        "t.conf:1:1: error parsing write_deadline: time: unknown unit \"x\" in duration \"1x\"");
  CHECK(only_error("ping_interval: \"-1s\"\n") == "t.conf:1:1: invalid ping_interval of -1s, needs to be positive");
  CHECK(only_error("ping_interval: true\n") ==
        "t.conf:1:1: invalid value for \"ping_interval\": expected a string, got a boolean (true)");
}

TEST_CASE("lame duck duration and grace period", "[config][file]") {
  CHECK(only_error("lame_duck_duration: \"10s\"\n") ==
        "t.conf:1:1: invalid lame_duck_duration of 10s, minimum is 30 seconds");
  CHECK(only_error("lame_duck_duration: \"soon\"\n") ==
        "t.conf:1:1: error parsing lame_duck_duration: time: invalid duration \"soon\"");
  CHECK(only_error("lame_duck_duration: 60\n") ==
        "t.conf:1:1: invalid value for \"lame_duck_duration\": expected a string, got an integer (60)");
  CHECK(only_error("lame_duck_grace_period: \"-1s\"\n") ==
        "t.conf:1:1: invalid lame_duck_grace_period, needs to be positive");
  CHECK(apply_clean("lame_duck_grace_period: \"0s\"\n").o.lame_duck_grace_ns == 0);
}

TEST_CASE("jetstream block: stored for later", "[config][file]") {
  auto a = apply_text("jetstream {\n  store_dir: \"/data/js\"\n  max_mem: 1G\n  max_file_store: \"2G\"\n"
                      "  domain: hub\n}\n");
  CHECK(a.r.errors.empty());
  CHECK(a.o.jetstream.enabled);
  CHECK(a.o.jetstream.store_dir == "/data/js");
  CHECK(a.o.jetstream.max_memory_store == 1'000'000'000);  // unquoted 1G: the lexer's decimal G
  CHECK(a.o.jetstream.max_file_store == 2LL << 30);        // quoted "2G": getStorageSize's binary G
  CHECK(a.o.jetstream.domain == "hub");
  CHECK(a.r.ignored.empty());
  CHECK(apply_text("jetstream: enabled\n").o.jetstream.enabled);
  CHECK(apply_text("jetstream: true\n").o.jetstream.enabled);
  CHECK_FALSE(apply_text("jetstream: disabled\n").o.jetstream.enabled);
  CHECK_FALSE(apply_text("jetstream { enabled: false, store_dir: x }\n").o.jetstream.enabled);
  CHECK(apply_text("store_dir: /x\njetstream: on\n").o.jetstream.store_dir == "/x");
  CHECK(only_error("jetstream: maybe\n") == "t.conf:1:1: Expected 'enabled' or 'disabled' for string value, got 'maybe'");
  CHECK(only_error("jetstream: 5\n") == "t.conf:1:1: Expected map, bool or string to define JetStream, got an integer");
  CHECK(only_error("store_dir: /a\njetstream {\n  store: /b\n}\n") == "t.conf:3:3: Duplicate 'store_dir' configuration");
  CHECK(only_error("jetstream {\n  max_mem: \"1X\"\n}\n") ==
        "t.conf:2:3: max_mem_store sizes defined as strings must end in K, M, G, T");
  CHECK(only_error("jetstream {\n  max_file: \"xM\"\n}\n") ==
        "t.conf:2:3: max_file_store strconv.ParseInt: parsing \"x\": invalid syntax");
  CHECK(only_error("jetstream {\n  max_file: true\n}\n") == "t.conf:2:3: max_file_store must be int64 or string");
}

TEST_CASE("cluster block: stored for later", "[config][file]") {
  auto a = apply_text("cluster {\n  name: c1\n  listen: 0.0.0.0:6222\n  routes: [\n    nats://a:6222\n"
                      "    nats://b:6222\n    nats://a:6222\n  ]\n  no_advertise: true\n}\n");
  CHECK(a.r.errors.empty());
  CHECK(a.o.cluster.name == "c1");
  CHECK(a.o.cluster.host == "0.0.0.0");
  CHECK(a.o.cluster.port == 6222);
  CHECK(a.o.cluster.routes == std::vector<std::string>{"nats://a:6222", "nats://b:6222"});
  REQUIRE(a.r.warnings.size() == 1);
  CHECK(a.r.warnings[0] == "t.conf:7:5: invalid use of field \"nats://a:6222\": Duplicate route entry detected");
  REQUIRE(a.r.ignored.size() == 2);
  CHECK(a.r.ignored[0] == "t.conf:9:3: no_advertise is not supported yet; ignoring it");
  CHECK(a.r.ignored[1] == "t.conf:1:1: clustering is not supported yet; ignoring it");
  auto b = apply_text("cluster { port: 7000, host: 127.0.0.1 }\n");
  CHECK(b.o.cluster.port == 7000);
  CHECK(b.o.cluster.host == "127.0.0.1");
  CHECK(only_error("cluster: 5\n") == "t.conf:1:1: Expected map to define cluster, got an integer");
  CHECK(only_error("cluster {\n  authorization { user: a }\n}\n") ==
        "t.conf:2:3: cluster authorization is not supported yet");
  CHECK(only_error("cluster {\n  routes: [1]\n}\n") == "t.conf:2:12: invalid route: expected a string, got an integer");
}

TEST_CASE("security blocks are parsed and refused", "[config][file]") {
  CHECK(only_error("authorization {\n  user: a\n  password: b\n}\n") ==
        "t.conf:1:1: authorization is not supported yet");
  CHECK(only_error("port: 1\naccounts {\n  A: { users: [ {user: a, password: b} ] }\n}\n") ==
        "t.conf:2:1: accounts is not supported yet");
  CHECK(only_error("tls {\n  cert_file: \"a.pem\"\n}\n") == "t.conf:1:1: tls is not supported yet");
  // websocket {} is supported now, but not its TLS and auth: tests/unit/websocket/websocket_config_test.cpp
  CHECK(only_error("websocket {\n  port: 443\n  tls { cert_file: \"a.pem\" }\n}\n") ==
        "t.conf:3:3: websocket tls is not supported yet");
}

TEST_CASE("unknown keys and features not here yet: a warning each, the rest still applies", "[config][file]") {
  auto a = apply_text("port: 1\nbogus: 2\n  gateway { name: g }\nVAR = 5\nmax_subs: $VAR\n");
  CHECK(a.r.errors.empty());
  CHECK(a.o.port_requested == 1);
  CHECK(a.o.node.max_subscriptions == 5);
  REQUIRE(a.r.ignored.size() == 2);  // VAR is used as a variable: not reported
  CHECK(a.r.ignored[0] == "t.conf:2:1: unknown field \"bogus\"");
  CHECK(a.r.ignored[1] == "t.conf:3:3: gateway is not supported yet; ignoring it");
  auto js = apply_text("jetstream { bogus: 1 }\n");
  CHECK(js.r.ignored[0] == "t.conf:1:13: unknown field \"bogus\"");
}

TEST_CASE("load_configuration: the file, then the flags on top", "[config][load]") {
  test::temp_dir dir;
  const std::string file = dir.write("n.conf", "port: 4333\nserver_name: file\ndebug: true\nmax_payload: 2KB\n"
                                               "logtime: false\n");
  auto out = load({"-c", file, "-p", "5555", "--debug=false", "-T"});
  REQUIRE(out.ok());
  CHECK(out.opts.config_file == file);
  CHECK(out.opts.port_requested == 5555);        // flag wins
  CHECK(out.opts.node.server_name == "file");    // file value kept
  CHECK_FALSE(out.opts.node.debug);              // flag wins, even set to false
  CHECK(out.opts.log_time);
  CHECK(out.opts.node.max_payload == 2048);
  CHECK(out.opts.node.host == "0.0.0.0");        // the default
  CHECK(out.opts.program_name == "natrium-server");
  CHECK(out.opts.from_flags == std::vector<std::string>{"port", "debug", "logtime"});
  // Flags before or after -c make no difference; reloading gives the same again.
  auto again = load({"-p", "5555", "--debug=false", "-T", "--config", file});
  CHECK(again.opts.port_requested == 5555);
  CHECK_FALSE(again.opts.node.debug);
}

TEST_CASE("load_configuration: errors and warnings, no printing, no exit", "[config][load]") {
  test::temp_dir dir;
  auto missing = load({"-c", dir.path() + "/nope.conf", "-p", "7"});
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0] == "open " + dir.path() + "/nope.conf: no such file or directory");
  CHECK(missing.opts.port_requested == 7);  // the flags alone
  CHECK_FALSE(missing.usage_error);
  const std::string bad = dir.write("bad.conf", "port: 1\nmax_payload: \"x\"\n");
  auto b = load({"-c", bad});
  REQUIRE(b.errors.size() == 1);
  CHECK(b.errors[0] == bad + ":2:1: invalid value for \"max_payload\": expected an integer, got a string (\"x\")");
  CHECK(b.opts.port_requested == 4222);  // nothing from a file with errors
  const std::string warn = dir.write("warn.conf", "write_deadline: 3\nwhat: 1\n");
  auto w = load({"-c", warn});
  CHECK(w.ok());
  CHECK(w.warnings.size() == 1);
  CHECK(w.ignored == std::vector<std::string>{warn + ":2:1: unknown field \"what\""});
  CHECK(w.opts.node.write_deadline_ns == 3'000'000'000);
  auto t = load({"-t"});
  CHECK(t.errors == std::vector<std::string>{"must specify [-c, --config] option to check configuration file syntax"});
  auto u = load({"--nope"});
  CHECK(u.usage_error);
  CHECK(u.errors == std::vector<std::string>{"flag provided but not defined: -nope"});
}

TEST_CASE("load_configuration: checks that span options", "[config][load]") {
  test::temp_dir dir;
  const std::string f = dir.write("x.conf", "max_payload: 2MB\nmax_pending: 1MB\n");
  CHECK(load({"-c", f}).errors == std::vector<std::string>{"max_payload (2097152) cannot be higher than max_pending (1048576)"});
  const std::string g = dir.write("g.conf", "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"30s\"\n");
  CHECK(load({"-c", g}).errors ==
        std::vector<std::string>{"lame duck grace period (30s) should be strictly lower than lame duck duration (30s)"});
  CHECK(load({"-p", "70000"}).errors ==
        std::vector<std::string>{"invalid port 70000 (use 1-65535, 0 for 4222, -1 for random)"});
}

TEST_CASE("load_configuration: later flags are stored with their warning", "[config][load]") {
  auto out = load({"-js", "-sd", "/d", "--cluster_name", "c", "-cluster", "nats://127.0.0.1:6222", "-routes",
                   "nats://a:1, nats://b:2"});
  REQUIRE(out.ok());
  CHECK(out.opts.jetstream.enabled);
  CHECK(out.opts.jetstream.store_dir == "/d");
  CHECK(out.opts.cluster.name == "c");
  CHECK(out.opts.cluster.host == "127.0.0.1");
  CHECK(out.opts.cluster.port == 6222);
  CHECK(out.opts.cluster.routes == std::vector<std::string>{"nats://a:1", "nats://b:2"});
  CHECK(out.opts.warnings.size() == 3);
}
