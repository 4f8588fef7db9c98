// Subject rules: cases follow the facts in nats-server 2.9.10 sublist_test.go
// (TestSublistValidSubjects, TestSublistValidLiteralSubjects, TestSubjectIsLiteral,
// TestSublistMatchLiterals, the invalid-insert and empty-token cases).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/subject/subject.h"

using namespace natrium::subject;

TEST_CASE("is_valid_subject rejects empty tokens and a '>' that is not last") {
  for (const char* s : {"", ".", "..", ".foo", "foo.", "foo..bar", "foo.bar..baz", "a.b..d", ">.bar",
                        "foo.>.bar", "a.>.b", ">.>", "*.>.*"}) {
    INFO(s);
    CHECK_FALSE(is_valid_subject(s));
  }
}

TEST_CASE("is_valid_subject accepts wildcards as whole tokens and wildcard characters inside tokens") {
  for (const char* s : {"foo", "foo.bar.baz", "foo.bar.*", "foo.bar.>", "*", ">", "*.*", "*.>", "foo.*.bar",
                        "foo*", "foo**", "foo.**", "foo*bar", "foo.*bar", "foo*.bar", "*bar", "foo>",
                        "foo.>>", "foo>bar", "foo.>bar", "foo>.bar", ">bar", "foo.*-", "foo.>-", "$JS.API.>",
                        "_INBOX.abc.123", "a-b_c.d~e"}) {
    INFO(s);
    CHECK(is_valid_subject(s));
  }
}

TEST_CASE("is_valid_subject rejects whitespace anywhere") {
  for (const char* s : {" ", "\t", "\n", "\r", "\f", "foo bar", "foo.bar baz", " foo", "foo ", "foo.\tbar",
                        "foo.\n", "a.b.c\r", "foo.\f.bar", "foo. .bar", "*. ", "> "}) {
    INFO(s);
    CHECK_FALSE(is_valid_subject(s));
  }
  // Only space, \t, \n, \r and \f count (as in nats-server); other bytes are allowed.
  CHECK(is_valid_subject("foo\vbar"));
  CHECK(is_valid_subject(std::string("foo\0bar", 7)));
  CHECK(is_valid_subject("f\xc3\xbc\x62"));
}

TEST_CASE("is_literal looks only for whole-token wildcards") {
  for (const char* s : {"foo", "foo.bar", "foo*.bar", "foo*", "foo**", "foo.**", "foo*bar", "foo.*bar", "*bar",
                        "foo>", "foo>>", "foo.>>", "foo>bar", "foo.>bar", "foo>.bar", ">bar", ""}) {
    INFO(s);
    CHECK(is_literal(s));
  }
  for (const char* s : {"*", ">", "foo.*", "foo.>", "foo.*.>", "foo.*.bar", "foo.bar.>", "*.foo", ">.foo"}) {
    INFO(s);
    CHECK_FALSE(is_literal(s));
  }
}

TEST_CASE("is_valid_publish_subject is valid and literal") {
  for (const char* s : {"foo", "foo.bar", "foo*", "foo.>bar", "$JS.API.INFO", "*bar.baz>"}) {
    INFO(s);
    CHECK(is_valid_publish_subject(s));
  }
  for (const char* s : {"", ".foo", "foo.", "foo..bar", "foo.bar.*", "foo.bar.>", "*", ">", "foo bar", "a.*.b"}) {
    INFO(s);
    CHECK_FALSE(is_valid_publish_subject(s));
  }
}

TEST_CASE("is_valid_queue") {
  CHECK(is_valid_queue("workers"));
  CHECK(is_valid_queue("q.1"));
  CHECK(is_valid_queue("*"));
  CHECK_FALSE(is_valid_queue(""));
  CHECK_FALSE(is_valid_queue("a b"));
  CHECK_FALSE(is_valid_queue("a\tb"));
  CHECK_FALSE(is_valid_queue("ab\r"));
  CHECK_FALSE(is_valid_queue("\n"));
}

TEST_CASE("matches: literal filters") {
  CHECK(matches("foo", "foo"));
  CHECK_FALSE(matches("bar", "foo"));
  CHECK(matches("stats.test.foos", "stats.test.foos"));
  CHECK_FALSE(matches("stats.test.foo", "stats.test.foos"));
  CHECK_FALSE(matches("foo", "foo.bar"));
  CHECK_FALSE(matches("foo.bar", "foo"));
}

TEST_CASE("matches: '*' takes one token, '>' one or more") {
  CHECK(matches("*", "foo"));
  CHECK(matches(">", "foo"));
  CHECK(matches(">", "foo.bar"));
  CHECK(matches("foo.>", "foo.bar"));
  CHECK(matches("foo.>", "foo.bar.baz"));
  CHECK_FALSE(matches("foo.>", "foo"));
  CHECK_FALSE(matches("bar.>", "foo.bar"));
  CHECK(matches("stats.>", "stats.test.22"));
  CHECK(matches("stats.*.*", "stats.test.22"));
  CHECK_FALSE(matches("stats.test.*", "stats.test"));
  CHECK_FALSE(matches("stats.*", "stats.test.foos"));
  CHECK_FALSE(matches("stats.*.*.foos", "stats.test.foos"));
  CHECK(matches("*.*", "a.b"));
  CHECK_FALSE(matches("*.*", "a"));
  CHECK_FALSE(matches("*.*", "a.b.c"));
  CHECK(matches("a.*.c.>", "a.b.c.d.e"));
  CHECK_FALSE(matches("a.*.c.>", "a.b.c"));
  CHECK(matches("*.>", "a.b"));
  CHECK_FALSE(matches("*.>", "a"));
}

TEST_CASE("matches: wildcard characters inside a token are literal") {
  CHECK(matches("*bar", "*bar"));
  CHECK(matches("foo*", "foo*"));
  CHECK(matches("foo*bar", "foo*bar"));
  CHECK(matches("foo.***.bar", "foo.***.bar"));
  CHECK(matches(">bar", ">bar"));
  CHECK(matches("foo>", "foo>"));
  CHECK(matches("foo>bar", "foo>bar"));
  CHECK(matches("foo.>>>.bar", "foo.>>>.bar"));
  CHECK_FALSE(matches("foo*", "foo"));
  CHECK_FALSE(matches("foo*", "foobar"));
  CHECK_FALSE(matches("foo.*-", "foo.bar"));
  CHECK_FALSE(matches("foo.>-", "foo.bar"));
  CHECK_FALSE(matches("foo.>-", "foo.bar.baz"));
}

TEST_CASE("matches: subject tokens are compared as text") {
  // A subject token "*" is not a wildcard on the subject side.
  CHECK(matches("foo.*", "foo.*"));
  CHECK(matches("foo.>", "foo.>"));
  CHECK_FALSE(matches("foo.bar", "foo.*"));
  CHECK_FALSE(matches("foo.bar", "foo.>"));
}

TEST_CASE("matches: empty tokens and invalid filters never match") {
  for (const char* s : {"", ".foo", "..foo", "foo..", "foo.", "foo..bar", "foo...bar", "."}) {
    INFO(s);
    CHECK_FALSE(matches(">", s));
    CHECK_FALSE(matches("*", s));
    CHECK_FALSE(matches("foo.>", s));
  }
  CHECK_FALSE(matches("", "foo"));
  CHECK_FALSE(matches("foo.", "foo"));
  CHECK_FALSE(matches("foo.>.bar", "foo.x.bar"));
  CHECK_FALSE(matches(">.>", "a.b"));
}

TEST_CASE("tokens splits on dots, keeping empty tokens") {
  using natrium::subject::tokens;
  CHECK(tokens("a.b.c") == std::vector<std::string_view>{"a", "b", "c"});
  CHECK(tokens("a..b") == std::vector<std::string_view>{"a", "", "b"});
  CHECK(tokens("") == std::vector<std::string_view>{""});
  CHECK(tokens("foo.>") == std::vector<std::string_view>{"foo", ">"});
}
