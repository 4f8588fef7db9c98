#pragma once
// The command groups of `natrium`. Each cmd_<group>.cpp defines one
// `const command_group` at namespace scope, which registers the function that
// adds its subcommands; main() adds them all, in `order`, to the CLI11 app
// before parsing. A command runs from its CLI11 callback and reports failure
// by throwing cli_error (cli_context.h).
#include <CLI/CLI.hpp>

namespace natrium::cli {

class context;

using add_commands_fn = void (*)(CLI::App& app, context& ctx);

class command_group {
 public:
  command_group(int order, add_commands_fn add);
};

// Every registered group, by order.
void add_all_commands(CLI::App& app, context& ctx);

}  // namespace natrium::cli
