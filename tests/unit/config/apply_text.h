#pragma once
// Test helper: a configuration text parsed and applied onto fresh options,
// with the report (errors, warnings) kept. Shared by the config tests.
#include <string>

#include <catch2/catch.hpp>

#include "native/config_file.h"
#include "native/config_parser.h"

namespace natrium::test {

struct applied {
  native::options o;
  native::config_report r;
};

inline applied apply_text(const std::string& text) {
  auto root = native::conf::parse_text(text, "t.conf");
  INFO(text);
  if (!root.ok()) FAIL(root.err().text);
  applied a;
  a.r = native::apply_config(root.value(), a.o);
  return a;
}

}  // namespace natrium::test
