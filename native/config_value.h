#pragma once
// The tree a configuration file parses into (nats-server's conf package):
// maps keep their keys in file order, and every key and value keeps the
// file:line:column it came from, for error messages.
#include <cstdint>
#include <string>
#include <vector>

namespace natrium::native::conf {

struct position {
  std::string file;  // as given (relative paths stay relative); empty for an environment value
  int line = 0;      // 1-based
  int column = 0;    // 1-based, in characters
};

// "file:line:column" (what every config error and warning starts with).
std::string to_string(const position& p);

enum class value_kind { string, integer, floating, boolean, datetime, array, map };

struct entry;

struct value {
  value_kind kind = value_kind::string;
  std::string text;          // string and datetime contents; the source text of a number
  std::int64_t integer = 0;  // with its size suffix applied (1K = 1000, 1KB = 1024)
  double floating = 0;
  bool boolean = false;
  std::vector<value> items;    // array
  std::vector<entry> entries;  // map, in file order; a repeated key replaces the earlier one
  position pos;                // where the value starts
};

struct entry {
  std::string key;
  position key_pos;
  value val;
  bool used_as_variable = false;  // referenced as $key: never reported as an unknown field
};

// "a string", "an integer", ... for type errors.
const char* describe(value_kind kind);

// The entry named `key` (exact match), or nullptr.
const entry* find(const value& map, const std::string& key);

}  // namespace natrium::native::conf
