#pragma once
// result<T>: a value or an error (code + text). <expected> is not available in
// C++20 on GCC 12 nor em++ 3.1.6's libc++.
#include <string>
#include <utility>
#include <variant>

#include "core/base/assert.h"

namespace natrium::base {

struct error {
  std::string text;
};

template <typename T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  result(error e) : v_(std::move(e)) {}              // NOLINT
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() { NATRIUM_ASSERT(ok()); return std::get<0>(v_); }
  const T& value() const { NATRIUM_ASSERT(ok()); return std::get<0>(v_); }
  const error& err() const { NATRIUM_ASSERT(!ok()); return std::get<1>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, error> v_;
};

}  // namespace natrium::base
