#pragma once
// `consumer next`: pulls messages from a pull consumer with
// $JS.API.CONSUMER.MSG.NEXT over an inbox subscription, prints them and acks
// them (unless --no-ack).
#include <CLI/CLI.hpp>

#include "native/cli/cli_context.h"

namespace natrium::cli {

// Adds `next` to the `consumer` command.
void add_consumer_next_command(CLI::App* consumer, context& ctx);

}  // namespace natrium::cli
