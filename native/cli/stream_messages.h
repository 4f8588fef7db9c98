#pragma once
// `stream get` and `stream view`: stored messages read with STREAM.MSG.GET
// (no consumer is created, so viewing never changes the stream's state).
#include <CLI/CLI.hpp>

#include "native/cli/cli_context.h"

namespace natrium::cli {

// Adds `get` and `view` to the `stream` command.
void add_stream_message_commands(CLI::App* stream, context& ctx);

}  // namespace natrium::cli
