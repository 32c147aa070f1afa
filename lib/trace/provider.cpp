#include "trace/provider.hpp"

#include <atomic>
#include <mutex>

namespace vmterm::trace {
namespace {

struct global_state {
  std::mutex mutex;
  std::shared_ptr<tracer_provider> current;
  std::shared_ptr<tracer_provider> noop = std::make_shared<tracer_provider>();
  std::atomic<std::uint64_t> generation{0};
};

global_state& global() noexcept {
  static global_state g;  // constructed on first use; never destroyed before its users
  return g;
}

}  // namespace

std::shared_ptr<tracer_provider> provider::get() noexcept {
  auto& g = global();
  std::lock_guard lock(g.mutex);
  return g.current ? g.current : g.noop;
}

void provider::set(std::shared_ptr<tracer_provider> p) noexcept {
  auto& g = global();
  std::shared_ptr<tracer_provider> old;
  {
    std::lock_guard lock(g.mutex);
    old = std::exchange(g.current, std::move(p));
    g.generation.fetch_add(1, std::memory_order_release);
  }
  // `old` is released outside the lock: its destructor may shut a processor down.
}

std::uint64_t provider::generation() noexcept {
  return global().generation.load(std::memory_order_acquire);
}

tracer get_tracer(std::string_view name, std::string_view version) noexcept {
  return provider::get()->get_tracer(name, version);
}

}  // namespace vmterm::trace
