#include "native/playground_assets.h"

#include <algorithm>
#include <array>
#include <utility>

namespace natrium::native {

namespace {

constexpr std::string_view prefix = "/playground";

constexpr std::string_view not_built =
    "The playground is not built into this natrium-server.\n"
    "Build it, then rebuild the server (web/dist is embedded at build time):\n"
    "  cmake --preset wasm && cmake --build --preset wasm -j2\n"
    "  scripts/build-playground.sh\n"
    "  cmake --build --preset release -j2\n"
    "or run scripts/run-server.sh, which does all of that.\n";

constexpr std::string_view not_found = "404 page not found\n";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view playground_content_type(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> types{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  }};
  for (const auto& [ext, type] : types) {
    if (ends_with(path, ext)) return type;
  }
  return "application/octet-stream";
}

std::optional<playground_response> playground_answer(std::string_view path) {
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (!rest.empty() && rest.front() != '/') return std::nullopt;  // "/playgroundx"

  const auto files = playground_files();
  if (files.empty()) return playground_response{404, "text/plain; charset=utf-8", not_built, {}};
  // Relative URLs in index.html need the trailing slash.
  if (rest.empty()) return playground_response{301, "text/html; charset=utf-8", {}, "/playground/"};

  rest.remove_prefix(1);
  if (rest.empty()) rest = "index.html";
  const auto it = std::lower_bound(files.begin(), files.end(), rest,
                                   [](const playground_file& f, std::string_view p) { return f.path < p; });
  if (it == files.end() || it->path != rest) {
    return playground_response{404, "text/plain; charset=utf-8", not_found, {}};
  }
  return playground_response{200, playground_content_type(it->path), it->bytes, {}};
}

}  // namespace natrium::native
