#include "core/jetstream/names.h"

namespace natrium::jetstream {

bool is_valid_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  return name.find_first_of(" \t\r\n\f.*>") == std::string_view::npos;
}

bool has_path_separators(std::string_view name) noexcept {
  return name.find_first_of("\\/") != std::string_view::npos;
}

}  // namespace natrium::jetstream
