#include "native/config_value.h"

namespace natrium::native::conf {

std::string to_string(const position& p) {
  return p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

const char* describe(value_kind kind) {
  switch (kind) {
    case value_kind::string: return "a string";
    case value_kind::integer: return "an integer";
    case value_kind::floating: return "a float";
    case value_kind::boolean: return "a boolean";
    case value_kind::datetime: return "a datetime";
    case value_kind::array: return "an array";
    case value_kind::map: return "a map";
  }
  return "a value";
}

const entry* find(const value& map, const std::string& key) {
  for (const auto& e : map.entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

}  // namespace natrium::native::conf
