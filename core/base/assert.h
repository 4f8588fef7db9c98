#pragma once
// NATRIUM_ASSERT is on in every build (release and WASM included): a failed
// assertion is a programmer error and aborts. NATRIUM_ASSERT_SLOW covers O(n)
// checks and is only on in debug builds.
#include <cstdlib>

namespace natrium::base {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line) noexcept;
}  // namespace natrium::base

#define NATRIUM_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::natrium::base::assert_fail(#cond, __FILE__, __LINE__))

#ifndef NDEBUG
#define NATRIUM_ASSERT_SLOW(cond) NATRIUM_ASSERT(cond)
#else
#define NATRIUM_ASSERT_SLOW(cond) static_cast<void>(0)
#endif
