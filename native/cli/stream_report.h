#pragma once
// What the stream commands print: `stream info`'s report (also shown after
// add and edit), and the `stream ls` and `stream report` tables.
#include <nlohmann/json.hpp>
#include <string>

#include "native/cli/cli_context.h"

namespace natrium::cli {

// A STREAM.INFO (or CREATE/UPDATE) reply as a Configuration and State report.
void print_stream_info(const nlohmann::json& info);

struct stream_ls_options {
  bool names_only = false;  // --names
  std::string subject;      // --subject: streams whose subjects collide with this
};
void stream_ls(context& ctx, const stream_ls_options& o);
void stream_report(context& ctx);

}  // namespace natrium::cli
