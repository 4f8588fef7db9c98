// The configuration syntax, form by form, and every parse error with its
// exact "file:line:column: message" text.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "native/config_parser.h"
#include "tests/unit/config/temp_dir.h"

using namespace natrium::native::conf;

namespace {

value parse_ok(const std::string& text) {
  auto r = parse_text(text, "t.conf");
  INFO(text);
  if (!r.ok()) FAIL(r.err().text);
  return r.value();
}

std::string parse_error(const std::string& text) {
  auto r = parse_text(text, "t.conf");
  INFO(text);
  REQUIRE_FALSE(r.ok());
  return r.err().text;
}

const value& get(const value& map, const std::string& key) {
  const entry* e = find(map, key);
  INFO(key);
  REQUIRE(e != nullptr);
  return e->val;
}

std::int64_t int_of(const value& map, const std::string& key) {
  const value& v = get(map, key);
  REQUIRE(v.kind == value_kind::integer);
  return v.integer;
}

std::string str_of(const value& map, const std::string& key) {
  const value& v = get(map, key);
  REQUIRE(v.kind == value_kind::string);
  return v.text;
}

bool bool_of(const value& map, const std::string& key) {
  const value& v = get(map, key);
  REQUIRE(v.kind == value_kind::boolean);
  return v.boolean;
}

}  // namespace

TEST_CASE("key separators: colon, equals, whitespace", "[config][parser]") {
  auto m = parse_ok("a: 1\nb = 2\nc 3\nd:4\ne=5\n\"quoted key\": 6\n'single key' = 7\n");
  CHECK(int_of(m, "a") == 1);
  CHECK(int_of(m, "b") == 2);
  CHECK(int_of(m, "c") == 3);
  CHECK(int_of(m, "d") == 4);
  CHECK(int_of(m, "e") == 5);
  CHECK(int_of(m, "quoted key") == 6);
  CHECK(int_of(m, "single key") == 7);
  REQUIRE(m.entries.size() == 7);
  CHECK(m.entries[0].key == "a");  // file order
  CHECK(m.entries[6].key == "single key");
}

TEST_CASE("comments and value terminators", "[config][parser]") {
  auto m = parse_ok("# hash\n// slashes\na: 1 # after\nb: 2 // after\nc: 3; d: 4, e: 5\n  # indented\n");
  CHECK(int_of(m, "a") == 1);
  CHECK(int_of(m, "b") == 2);
  CHECK(int_of(m, "c") == 3);
  CHECK(int_of(m, "d") == 4);
  CHECK(int_of(m, "e") == 5);
  CHECK(m.entries.size() == 5);
}

TEST_CASE("strings: double quoted with escapes, single quoted raw, unquoted", "[config][parser]") {
  auto m = parse_ok(R"(a: "x\ty\n\"q\" \\ \x41\x7a"
b: 'raw \n $x'
c: hello-world
d: a\tb
e: "$NOT_A_VAR"
f: "multi
line"
g: nats://127.0.0.1:4222
h: ""
)");
  CHECK(str_of(m, "a") == "x\ty\n\"q\" \\ Az");
  CHECK(str_of(m, "b") == "raw \\n $x");
  CHECK(str_of(m, "c") == "hello-world");
  CHECK(str_of(m, "d") == "a\tb");
  CHECK(str_of(m, "e") == "$NOT_A_VAR");
  CHECK(str_of(m, "f") == "multi\nline");
  CHECK(str_of(m, "g") == "nats://127.0.0.1:4222");
  CHECK(str_of(m, "h").empty());
}

TEST_CASE("booleans as the reference: true/false/yes/no/on/off in any case", "[config][parser]") {
  auto m = parse_ok("a: true\nb: FALSE\nc: yes\nd: No\ne: on\nf: OFF\ng: \"true\"\nh: truely\n");
  CHECK(bool_of(m, "a"));
  CHECK_FALSE(bool_of(m, "b"));
  CHECK(bool_of(m, "c"));
  CHECK_FALSE(bool_of(m, "d"));
  CHECK(bool_of(m, "e"));
  CHECK_FALSE(bool_of(m, "f"));
  CHECK(str_of(m, "g") == "true");  // quoted: a string
  CHECK(str_of(m, "h") == "truely");
}

TEST_CASE("integers, floats and size suffixes", "[config][parser]") {
  auto m = parse_ok(
      "a: 42\nb: -7\nc: 1.5\nd: -2.25\n"
      "k: 1K\nkb: 1KB\nki: 1ki\nkib: 1KiB\nm: 2M\nmb: 2MB\nmi: 2Mi\ng: 1G\ngb: 1GB\nt: 1T\ntb: 1TB\n"
      "p: 1P\npb: 1PB\ne: 1E\neb: 1EB\nneg: -1K\nlow: 64kb\n");
  CHECK(int_of(m, "a") == 42);
  CHECK(int_of(m, "b") == -7);
  CHECK(get(m, "c").kind == value_kind::floating);
  CHECK(get(m, "c").floating == 1.5);
  CHECK(get(m, "d").floating == -2.25);
  CHECK(int_of(m, "k") == 1000);
  CHECK(int_of(m, "kb") == 1024);
  CHECK(int_of(m, "ki") == 1024);
  CHECK(int_of(m, "kib") == 1024);
  CHECK(int_of(m, "m") == 2'000'000);
  CHECK(int_of(m, "mb") == 2 * 1024 * 1024);
  CHECK(int_of(m, "mi") == 2 * 1024 * 1024);
  CHECK(int_of(m, "g") == 1'000'000'000);
  CHECK(int_of(m, "gb") == 1024LL * 1024 * 1024);
  CHECK(int_of(m, "t") == 1'000'000'000'000);
  CHECK(int_of(m, "tb") == 1LL << 40);
  CHECK(int_of(m, "p") == 1'000'000'000'000'000);
  CHECK(int_of(m, "pb") == 1LL << 50);
  CHECK(int_of(m, "e") == 1'000'000'000'000'000'000);
  CHECK(int_of(m, "eb") == 1LL << 60);
  CHECK(int_of(m, "neg") == -1000);
  CHECK(int_of(m, "low") == 64 * 1024);
  CHECK(get(m, "kb").text == "1KB");  // the source text is kept
}

TEST_CASE("values that start with a digit but are strings", "[config][parser]") {
  auto m = parse_ok("a: 10s\nb: 1ms\nc: 127.0.0.1:4222\nd: 1.2.3.4\ne: 2m\nf: 1h30m\ng: 4222abc\n");
  CHECK(str_of(m, "a") == "10s");
  CHECK(str_of(m, "b") == "1ms");
  CHECK(str_of(m, "c") == "127.0.0.1:4222");
  CHECK(str_of(m, "d") == "1.2.3.4");
  CHECK(int_of(m, "e") == 2'000'000);  // as the reference: unquoted 2m is 2 mega, not 2 minutes
  CHECK(str_of(m, "f") == "1h30m");
  CHECK(str_of(m, "g") == "4222abc");
}

TEST_CASE("Zulu datetimes", "[config][parser]") {
  auto m = parse_ok("a: 2016-05-04T18:53:41Z\n");
  CHECK(get(m, "a").kind == value_kind::datetime);
  CHECK(get(m, "a").text == "2016-05-04T18:53:41Z");
}

TEST_CASE("arrays: commas or new lines, comments, nesting", "[config][parser]") {
  auto m = parse_ok("a: [1, 2, 3]\nb [\n  \"x\" # one\n  'y', // two\n  z\n]\nc: [[1], [2, [3]]]\nd: []\n"
                    "e: [ {k: 1}, {k: 2} ]\n");
  const value& a = get(m, "a");
  REQUIRE(a.kind == value_kind::array);
  REQUIRE(a.items.size() == 3);
  CHECK(a.items[2].kind == value_kind::integer);  // "3]": the reference would make it the string "3]"
  CHECK(a.items[2].integer == 3);
  const value& b = get(m, "b");
  REQUIRE(b.items.size() == 3);
  CHECK(b.items[0].text == "x");
  CHECK(b.items[1].text == "y");
  CHECK(b.items[2].text == "z");
  const value& c = get(m, "c");
  REQUIRE(c.items.size() == 2);
  CHECK(c.items[1].items[1].items[0].integer == 3);
  CHECK(get(m, "d").items.empty());
  CHECK(int_of(get(m, "e").items[1], "k") == 2);
}

TEST_CASE("blocks: nested maps, separators inside, values on the next line", "[config][parser]") {
  auto m = parse_ok("a {\n  b: 1\n  c = \"two\"; d 3, e: {f: true}\n}\ng: {h: 1}\ni {\n  j =\n    5\n}\n");
  const value& a = get(m, "a");
  REQUIRE(a.kind == value_kind::map);
  CHECK(int_of(a, "b") == 1);
  CHECK(str_of(a, "c") == "two");
  CHECK(int_of(a, "d") == 3);
  CHECK(bool_of(get(a, "e"), "f"));
  CHECK(int_of(get(m, "g"), "h") == 1);
  CHECK(int_of(get(m, "i"), "j") == 5);
}

TEST_CASE("a whole file wrapped in braces", "[config][parser]") {
  auto m = parse_ok("{\n  a: 1\n  b: 2\n}\n");
  CHECK(int_of(m, "a") == 1);
  CHECK(int_of(m, "b") == 2);
}

TEST_CASE("raw text blocks end at a ')' alone on a line", "[config][parser]") {
  auto m = parse_ok("a: (\nline one (x)\n  line two\n)\nb: 1\n");
  CHECK(str_of(m, "a") == "\nline one (x)\n  line two\n");
  CHECK(int_of(m, "b") == 1);
}

TEST_CASE("a repeated key: the last one wins", "[config][parser]") {
  auto m = parse_ok("a: 1\nb: 2\na: 3\n");
  CHECK(int_of(m, "a") == 3);
  CHECK(m.entries.size() == 2);
  CHECK(find(m, "a")->key_pos.line == 3);
}

TEST_CASE("a key without a value at the end of the file is ignored, as the reference", "[config][parser]") {
  auto m = parse_ok("a: 1\nlonely");
  CHECK(m.entries.size() == 1);
}

TEST_CASE("positions: file, line and column of keys and values", "[config][parser]") {
  auto m = parse_ok("a: 1\n  bb = \"x\"\nc {\n\td: [1,\n   22]\n}\n\xC3\xA9t\xC3\xA9: 5\n");
  const entry* bb = find(m, "bb");
  REQUIRE(bb != nullptr);
  CHECK(to_string(bb->key_pos) == "t.conf:2:3");
  CHECK(to_string(bb->val.pos) == "t.conf:2:8");
  const entry* d = find(get(m, "c"), "d");
  REQUIRE(d != nullptr);
  CHECK(to_string(d->key_pos) == "t.conf:4:2");
  CHECK(to_string(d->val.items[1].pos) == "t.conf:5:4");
  const entry* ete = find(m, "\xC3\xA9t\xC3\xA9");
  REQUIRE(ete != nullptr);
  CHECK(to_string(ete->val.pos) == "t.conf:7:6");  // columns count characters, not bytes
}

TEST_CASE("variables: earlier keys of this block and the enclosing ones", "[config][parser]") {
  auto m = parse_ok("port = 4222\nname: srv\nblock {\n  inner: 1\n  p: $port\n  i: $inner\n}\nlisten: $port\n"
                    "copy: $block\narr: [$name, $port]\n");
  CHECK(int_of(get(m, "block"), "p") == 4222);
  CHECK(int_of(get(m, "block"), "i") == 1);
  CHECK(int_of(m, "listen") == 4222);
  CHECK(int_of(get(m, "copy"), "inner") == 1);
  CHECK(get(m, "arr").items[0].text == "srv");
  CHECK(find(m, "port")->used_as_variable);
  CHECK(find(m, "name")->used_as_variable);
  CHECK_FALSE(find(m, "listen")->used_as_variable);
  CHECK(to_string(get(m, "listen").pos) == "t.conf:8:9");  // where it is used
}

TEST_CASE("variables: the environment, parsed as a value", "[config][parser]") {
  ::setenv("NATRIUM_TEST_PORT", "4333", 1);
  ::setenv("NATRIUM_TEST_SIZE", "2MB", 1);
  ::setenv("NATRIUM_TEST_TEXT", "\"hello world\"", 1);
  ::setenv("NATRIUM_TEST_LIST", "[a, b]", 1);
  ::setenv("NATRIUM_TEST_BAD", "[a", 1);
  auto m = parse_ok("port: $NATRIUM_TEST_PORT\nsize: $NATRIUM_TEST_SIZE\ntext: $NATRIUM_TEST_TEXT\n"
                    "list: $NATRIUM_TEST_LIST\nNATRIUM_TEST_PORT: 1\nlocal: $NATRIUM_TEST_PORT\n");
  CHECK(int_of(m, "port") == 4333);
  CHECK(int_of(m, "size") == 2 * 1024 * 1024);
  CHECK(str_of(m, "text") == "hello world");
  CHECK(get(m, "list").items.size() == 2);
  CHECK(int_of(m, "local") == 1);  // a key defined earlier wins over the environment
  CHECK(parse_error("a: $NATRIUM_TEST_BAD\n") ==
        "t.conf:1:4: variable reference for 'NATRIUM_TEST_BAD' could not be parsed: Unexpected EOF processing array.");
  ::setenv("NATRIUM_TEST_LOOP", "$NATRIUM_TEST_LOOP", 1);
  CHECK(parse_error("a: $NATRIUM_TEST_LOOP\n").starts_with(
      "t.conf:1:4: variable reference for 'NATRIUM_TEST_LOOP' could not be parsed:"));
}

TEST_CASE("variables: not found, and bcrypt hashes are not variables", "[config][parser]") {
  ::unsetenv("NATRIUM_TEST_NOPE");
  CHECK(parse_error("a {\n  x: $NATRIUM_TEST_NOPE\n}\n") ==
        "t.conf:2:6: variable reference for 'NATRIUM_TEST_NOPE' can not be found");
  CHECK(parse_error("a { b: 1 }\nc: $b\n") == "t.conf:2:4: variable reference for 'b' can not be found");
  auto m = parse_ok("pass: $2a$11$abcdefghijk\n");
  CHECK(str_of(m, "pass") == "$2a$11$abcdefghijk");
}

TEST_CASE("include: relative to the including file, nested, merged into the block", "[config][parser]") {
  natrium::test::temp_dir dir;
  dir.write("sub/limits.conf", "max_payload: 2MB\ninclude ../more.conf\n");
  dir.write("more.conf", "ping_max: 5\nshared = 7\n");
  dir.write("auth.conf", "user: alice\n");
  const std::string main = dir.write("main.conf",
                                     "port: 4222\ninclude \"sub/limits.conf\"\nblock {\n  include 'auth.conf'\n"
                                     "  x: 1\n}\nuses: $shared\ninclude more.conf; after: 1\n");
  auto r = parse_file(main);
  if (!r.ok()) FAIL(r.err().text);
  const value& m = r.value();
  CHECK(int_of(m, "max_payload") == 2 * 1024 * 1024);
  CHECK(int_of(m, "ping_max") == 5);
  CHECK(int_of(m, "uses") == 7);
  CHECK(str_of(get(m, "block"), "user") == "alice");
  CHECK(int_of(get(m, "block"), "x") == 1);
  CHECK(int_of(m, "after") == 1);
  // Positions name the included file, joined to the including file's directory.
  CHECK(to_string(find(m, "max_payload")->key_pos) == dir.path() + "/sub/limits.conf:1:1");
  CHECK(to_string(find(m, "ping_max")->key_pos) == dir.path() + "/more.conf:1:1");
}

TEST_CASE("include: errors", "[config][parser]") {
  natrium::test::temp_dir dir;
  const std::string missing = dir.write("a.conf", "port: 1\n  include \"nope.conf\"\n");
  auto r = parse_file(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().text == missing + ":2:11: error parsing include file 'nope.conf', open " + dir.path() +
                            "/nope.conf: no such file or directory");
  const std::string bad_inner = dir.write("inner.conf", "x: [1\n");
  const std::string outer = dir.write("outer.conf", "include inner.conf\n");
  auto r2 = parse_file(outer);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.err().text == bad_inner + ":2:1: Unexpected EOF processing array.");
  const std::string loop = dir.write("loop.conf", "include loop.conf\n");
  auto r3 = parse_file(loop);
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.err().text == loop + ":1:9: error parsing include file 'loop.conf', includes nest deeper than 10 levels");
  CHECK(parse_error("include [x]\n") == "t.conf:1:9: Expected include value but found start of an array");
  CHECK(parse_error("include {x}\n") == "t.conf:1:9: Expected include value but found start of a map");
  CHECK(parse_error("include 5\n") == "t.conf:1:9: Expected include value but found start of a number");
  CHECK(parse_error("include \"x\n") == "t.conf:2:1: Unexpected EOF in double quoted include");
  CHECK(parse_error("include 'x\n") == "t.conf:2:1: Unexpected EOF in quoted include");
}

TEST_CASE("a missing file", "[config][parser]") {
  auto r = parse_file("/nonexistent/dir/x.conf");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().text == "open /nonexistent/dir/x.conf: no such file or directory");
}

TEST_CASE("syntax errors carry file:line:column and the reference's message", "[config][parser]") {
  CHECK(parse_error("a: \n") == "t.conf:1:4: Expected value but found new line");
  CHECK(parse_error("a {\n  b: 1\n") == "t.conf:3:1: Unexpected EOF processing map.");
  CHECK(parse_error("a: \"abc") == "t.conf:1:8: Unexpected EOF.");
  CHECK(parse_error("a: 'abc") == "t.conf:1:8: Unexpected EOF.");
  CHECK(parse_error("a: \"x\\qy\"\n") ==
        "t.conf:1:6: Invalid escape character 'q'. Only the following escape characters are allowed: "
        "\\xXX, \\t, \\n, \\r, \\\", \\\\.");
  CHECK(parse_error("a: \"\\xZZ\"\n") == "t.conf:1:5: Expected two hexadecimal digits after '\\x', but got 'ZZ'");
  CHECK(parse_error("a: \"\\x4\n\"\n") ==
        "t.conf:1:8: Expected two hexadecimal digits after '\\x', but hit end of line");
  CHECK(parse_error("a: [1,,2]\n") == "t.conf:1:7: Unexpected array value terminator ','.");
  CHECK(parse_error("a: [1 2]\n") ==
        "t.conf:1:7: Expected an array value terminator \",\" or an array terminator \"]\", but got '2' instead.");
  CHECK(parse_error("a: [1\n") == "t.conf:2:1: Unexpected EOF processing array.");
  CHECK(parse_error("a { b: 1 c: 2 }\n") ==
        "t.conf:1:10: Expected a map value terminator \",\" or a map terminator \"}\", but got 'c' instead.");
  CHECK(parse_error("a { : 1 }\n") == "t.conf:1:5: Unexpected key separator ':'.");
  CHECK(parse_error("a { b: , }\n") == "t.conf:1:8: Unexpected map value terminator \",\".");
  CHECK(parse_error("a { ] }\n") == "t.conf:1:5: Unexpected array end ']' processing map.");
  CHECK(parse_error("a { b }\n") == "t.conf:1:5: Expected a value for key 'b'.");
  CHECK(parse_error("a { \"b\n") == "t.conf:2:1: Unexpected EOF processing double quoted map key.");
  CHECK(parse_error("a { b") == "t.conf:1:6: Unexpected EOF processing map key.");
  CHECK(parse_error("a: 1 2\n") ==
        "t.conf:1:6: Expected a top-level value to end with a new line, comment or EOF, but got '2' instead.");
  CHECK(parse_error("= 1\n") == "t.conf:1:1: Unexpected key separator '='");
  CHECK(parse_error("a: .5\n") == "t.conf:1:4: Floats must start with a digit");
  CHECK(parse_error("a: -.5\n") == "t.conf:1:5: Floats must start with a digit, not '.'.");
  CHECK(parse_error("a: -x\n") == "t.conf:1:5: Expected a digit but got 'x'.");
  CHECK(parse_error("a: 1.\n") == "t.conf:1:6: Floats must have a digit after the '.', but got '\\n' instead.");
  CHECK(parse_error("a: 12-3\n") == "t.conf:1:6: All ISO8601 dates must be in full Zulu form.");
  CHECK(parse_error("a: 2016-05-04X\n") == "t.conf:1:14: Expected 'T' in ISO8601 datetime, but found 'X' instead.");
  CHECK(parse_error("a: 2016-0x\n") == "t.conf:1:10: Expected digit in ISO8601 datetime, but found 'x' instead.");
  CHECK(parse_error("a: 2016-13-04T18:53:41Z\n") ==
        "t.conf:1:4: expected Zulu formatted DateTime, but got '2016-13-04T18:53:41Z'");
  CHECK(parse_error("a: 99999999999999999999\n") == "t.conf:1:4: integer '99999999999999999999' is out of the range");
  CHECK(parse_error("a: 9EB\n") == "t.conf:1:4: integer '9EB' is out of the range");
  CHECK(parse_error("a: 1KBB\n") == "t.conf:1:4: expected integer, but got '1KBB'");
  CHECK(parse_error("a: (\nabc\n") == "t.conf:3:1: Unexpected EOF processing block.");
  CHECK(parse_error("/ a\n") == "t.conf:1:1: Unexpected EOF.");
  CHECK(parse_error("a: " + std::string(100000, '[')) == "t.conf:1:68: blocks and arrays nest deeper than 64 levels");
  CHECK(parse_ok("a: " + std::string(64, '[') + std::string(64, ']') + "\n").entries.size() == 1);
}

TEST_CASE("mutated inputs: an error with a position or a tree, never a crash", "[config][parser]") {
  const std::string corpus =
      "# c\nlisten: 127.0.0.1:4222\nname = \"a\\tb\\x41\"\nk 'raw'\nsizes [1K, 2MB, -3, 1.5, 2016-05-04T18:53:41Z]\n"
      "block {\n  inner: $name // c\n  arr: [ {x: 1}, {y: yes} ]\n}\nraw: (\ntext\n)\ninclude nope.conf\n";
  const std::string alphabet = "{}[]()\"'\\:=,;#/$-.0123456789kKbBiIxtz \n\t\xC3\xA9";
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // xorshift64: a fixed sequence
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text = corpus;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = next() % (text.size() + 1);
      switch (next() % 3) {
        case 0: text.insert(at, 1, alphabet[next() % alphabet.size()]); break;
        case 1: if (at < text.size()) text.erase(at, 1); break;
        default: text = text.substr(0, at); break;
      }
    }
    auto r = parse_text(text, "t.conf");
    if (!r.ok()) {
      INFO(text);
      CHECK(r.err().text.starts_with("t.conf:"));
    } else {
      CHECK(r.value().kind == value_kind::map);
    }
  }
}
