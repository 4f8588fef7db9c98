#include "core/base/assert.h"

#include <cstdio>

namespace natrium::base {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line) noexcept {
  // The one place the core may write to stderr: it is about to abort.
  std::fprintf(stderr, "natrium: assertion failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}
}  // namespace natrium::base
