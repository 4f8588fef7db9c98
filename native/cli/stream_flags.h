#pragma once
// `stream add` and `stream edit` flags, named like the nats tool's, and the
// stream configuration they build. Each flag writes its field into a JSON
// patch as CLI11 parses it, so the patch holds exactly what was given: `add`
// lays it over the defaults, `edit` over the stream's current configuration.
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace natrium::cli {

struct stream_flags {
  nlohmann::json patch = nlohmann::json::object();  // config fields given on the command line
  bool defaults = false;                             // --defaults (add): never prompt
};

// Adds the config flags to `cmd`; `edit` adds --sealed and leaves out --defaults.
void add_stream_flags(CLI::App* cmd, stream_flags& f, bool edit);

// The configuration `stream add NAME` sends: the nats tool's defaults under the patch.
nlohmann::json stream_defaults(const std::string& name);
// Lays `patch` over `cfg` (republish merges field by field).
void apply_stream_patch(nlohmann::json& cfg, const nlohmann::json& patch);

}  // namespace natrium::cli
