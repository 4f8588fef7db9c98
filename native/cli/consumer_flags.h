#pragma once
// `consumer add` and `consumer edit` flags, named like the nats tool's, and
// the consumer configuration they build. As with stream_flags.h, each flag
// writes its field into a JSON patch while CLI11 parses, so the patch holds
// exactly what was given.
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace natrium::cli {

struct consumer_flags {
  nlohmann::json patch = nlohmann::json::object();  // config fields given on the command line
  bool pull = false;       // --pull
  bool push = false;       // --push (needs --target)
  bool defaults = false;   // --defaults (add): never prompt
  bool ephemeral = false;  // --ephemeral (add): no name, removed when unused
};

// Adds the config flags to `cmd`; `edit` leaves out --pull/--push, --defaults and --ephemeral.
void add_consumer_flags(CLI::App* cmd, consumer_flags& f, bool edit);

// The configuration `consumer add` sends: the nats tool's defaults under the patch.
nlohmann::json consumer_defaults();
// Lays `patch` over `cfg`; a new deliver policy drops the old start sequence/time.
void apply_consumer_patch(nlohmann::json& cfg, const nlohmann::json& patch);

}  // namespace natrium::cli
