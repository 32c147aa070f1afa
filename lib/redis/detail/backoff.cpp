#include "redis/detail/backoff.hpp"

#include <algorithm>

namespace vmterm::redis::detail {

std::chrono::milliseconds backoff_ceiling(unsigned attempt, std::chrono::milliseconds base,
                                          std::chrono::milliseconds cap) noexcept {
  const auto b = std::max<std::int64_t>(base.count(), 1);
  const auto c = std::max<std::int64_t>(cap.count(), 0);
  if (attempt >= 40) return std::chrono::milliseconds(c);
  const std::int64_t grown = b << attempt;  // attempt < 40 and b small: no overflow in practice
  return std::chrono::milliseconds(std::min(c, grown < b ? c : grown));
}

std::chrono::milliseconds backoff_delay(unsigned attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap,
                                        std::uint64_t random) noexcept {
  const auto ceiling = static_cast<std::uint64_t>(backoff_ceiling(attempt, base, cap).count());
  return std::chrono::milliseconds(static_cast<std::int64_t>(random % (ceiling + 1)));
}

}  // namespace vmterm::redis::detail
