#pragma once
/// The trace context that flows through a program: the active span's context plus the W3C
/// baggage passed on unchanged. Synchronous code uses the thread-local current context
/// (context_scope); asynchronous code (Asio handlers, coroutines) carries a `context` value
/// and passes it to tracer::start_span explicitly.

#include <string>

#include "trace/span_data.hpp"

namespace vmterm::trace {

/// A plain value: copy it into handlers freely.
struct context {
  span_context span;    ///< invalid when there is no active span
  std::string baggage;  ///< the raw W3C baggage header value ("" when none), passed on as is
};

/// This thread's current context (an empty context when none is active). The reference stays
/// valid until the next context_scope on this thread begins or ends.
[[nodiscard]] const context& current_context() noexcept;

/// Makes a context current on this thread for the scope's lifetime and then restores the
/// previous one. Scopes must end in reverse order of creation on the same thread, which the
/// RAII type enforces when used as a local variable; neither copyable nor movable.
class context_scope {
 public:
  explicit context_scope(context ctx) noexcept;
  ~context_scope();
  context_scope(const context_scope&) = delete;
  context_scope& operator=(const context_scope&) = delete;

 private:
  context previous_;
};

}  // namespace vmterm::trace
