#include "trace/context.hpp"

#include <utility>

namespace vmterm::trace {
namespace {

context& current_slot() noexcept {
  thread_local context current;
  return current;
}

}  // namespace

const context& current_context() noexcept { return current_slot(); }

context_scope::context_scope(context ctx) noexcept
    : previous_(std::exchange(current_slot(), std::move(ctx))) {}

context_scope::~context_scope() { current_slot() = std::move(previous_); }

}  // namespace vmterm::trace
