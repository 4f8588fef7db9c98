#pragma once
// Subject rules of nats-server 2.9.10 (sublist.go): tokens separated by '.',
// no empty token, no whitespace; '*' matches one token, '>' one or more and
// only as the last token.
#include <string_view>
#include <vector>

namespace natrium::subject {

// Valid for SUB: wildcards allowed as whole tokens ('>' last).
bool is_valid_subject(std::string_view s) noexcept;
// Valid for PUB: a valid subject with no wildcard token.
bool is_valid_publish_subject(std::string_view s) noexcept;
// Literal: no wildcard tokens (does not check other rules).
bool is_literal(std::string_view s) noexcept;
// The '.'-separated tokens of s, empty ones included ("a..b" gives 3); never
// empty ("" gives one empty token).
std::vector<std::string_view> tokens(std::string_view s);
// Queue group names: no whitespace, not empty.
bool is_valid_queue(std::string_view q) noexcept;
// Does a (possibly wildcard) `filter` match the literal `subject`? (reference
// implementation, used by tests and by cache invalidation)
bool matches(std::string_view filter, std::string_view subject) noexcept;

}  // namespace natrium::subject
