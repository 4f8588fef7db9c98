#pragma once
// The browser playground (web/, built into web/dist by scripts/build-playground.sh),
// embedded in the binary at build time (cmake/embed_playground.cmake) and served
// by the monitoring listener under /playground/.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace natrium::native {

struct playground_file {
  std::string_view path;   // relative to web/dist: "index.html", "js/main.js"
  std::string_view bytes;
};

// Every embedded file, sorted by path; empty when web/dist did not exist at
// build time. Defined in the generated playground_files.cpp.
std::span<const playground_file> playground_files();

// "text/javascript; charset=utf-8" for "js/main.js", by extension.
std::string_view playground_content_type(std::string_view path);

struct playground_response {
  int status = 200;
  std::string_view content_type;
  std::string_view body;       // embedded bytes or a static text: never freed
  std::string_view location;   // for redirects
};

// The answer for an HTTP path under /playground, or nullopt for any other path.
// "/playground" redirects to "/playground/", which serves index.html; unknown
// files are 404; without an embedded playground every path is a 404 saying
// how to build it.
std::optional<playground_response> playground_answer(std::string_view path);

}  // namespace natrium::native
