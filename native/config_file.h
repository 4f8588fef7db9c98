#pragma once
// Maps a nats-server configuration file onto `options` (server/opts.go
// processConfigFileLine): the keys and aliases of the reference, its value
// types, sizes and durations, and its error and warning texts, each prefixed
// with the file:line:column of the key.
#include <string>
#include <vector>

#include "native/config_value.h"
#include "native/options.h"

namespace natrium::native {

struct config_report {
  std::vector<std::string> errors;    // the file is not usable
  std::vector<std::string> warnings;  // the reference's own warnings (it also starts with them)
  std::vector<std::string> ignored;   // unknown keys and features Natrium does not have yet
};

// Reads `path` and applies its keys to `o`; keys absent from the file keep
// their value in `o`.
config_report apply_config_file(const std::string& path, options& o);

// The same for a parsed tree (a map).
config_report apply_config(const conf::value& root, options& o);

}  // namespace natrium::native
