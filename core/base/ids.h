#pragma once
// Strong ids. A conn_id is unique within one node (shard) for its lifetime.
#include <cstdint>
#include <compare>
#include <functional>

namespace natrium::base {

struct conn_id {
  std::uint64_t value = 0;
  auto operator<=>(const conn_id&) const = default;
};

}  // namespace natrium::base

template <>
struct std::hash<natrium::base::conn_id> {
  std::size_t operator()(natrium::base::conn_id id) const noexcept { return std::hash<std::uint64_t>{}(id.value); }
};
