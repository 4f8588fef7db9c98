#pragma once
// What the consumer commands print: `consumer info`'s report (also shown
// after add and edit), and the `consumer ls` and `consumer report` tables,
// which show each consumer's lag: unprocessed (num_pending), ack pending and
// redelivered messages.
#include <nlohmann/json.hpp>
#include <string>

#include "native/cli/cli_context.h"

namespace natrium::cli {

// A CONSUMER.INFO (or CREATE) reply as a Configuration and State report.
void print_consumer_info(const nlohmann::json& info);

void consumer_ls(context& ctx, const std::string& stream, bool names_only);
void consumer_report(context& ctx, const std::string& stream);

}  // namespace natrium::cli
