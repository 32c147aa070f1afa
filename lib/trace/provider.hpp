#pragma once
/// The one allowed global (STYLE.md 2.6): the process's tracer provider. It starts as a no-op
/// provider, is set once by install() in main, and reset at exit. get() never returns null.
/// All functions are thread-safe.

#include <cstdint>
#include <memory>
#include <string_view>

#include "trace/tracer.hpp"

namespace vmterm::trace {

class provider {
 public:
  provider() = delete;
  /// The current provider (a shared no-op provider when none is set). Never null.
  [[nodiscard]] static std::shared_ptr<tracer_provider> get() noexcept;
  /// Replaces the global provider; null means reset to no-op.
  static void set(std::shared_ptr<tracer_provider> p) noexcept;
  /// Back to the no-op provider.
  static void reset() noexcept { set(nullptr); }
  /// Incremented by every set/reset, so caches can notice a change cheaply.
  [[nodiscard]] static std::uint64_t generation() noexcept;
};

/// provider::get()->get_tracer(name, version). Takes a lock: obtain tracers once (after
/// install()) and keep them, rather than per span.
[[nodiscard]] tracer get_tracer(std::string_view name, std::string_view version = {}) noexcept;

}  // namespace vmterm::trace
