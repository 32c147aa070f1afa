#pragma once
/// One-line tracing of a function, the equivalent of the Python stack's @traced_function:
///
///   void worker::run_task(const task& t) {
///     auto s = VMTERM_TRACE_FUNCTION();   // span "vmterm::queue::worker::run_task"
///     s->set_attribute("celery.task_name", t.name);
///     ...
///   }
///
/// The span is named after the function, records code.function.name, code.file.path and
/// code.line.number, is current for the rest of the scope (so nested calls become children)
/// and ends with status error when an exception leaves the scope. `traced(fn)` wraps a
/// callable the same way and also records the exception's type and message.

#include <exception>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>

#include "trace/context.hpp"
#include "trace/span.hpp"
#include "trace/tracer.hpp"

namespace vmterm::trace {

/// A span that is current on this thread for its lifetime. Not movable (the context scope is
/// tied to the stack); create it with guaranteed copy elision: `auto s = trace_function();`.
class active_span {
 public:
  explicit active_span(span s) noexcept;
  ~active_span();
  active_span(const active_span&) = delete;
  active_span& operator=(const active_span&) = delete;

  [[nodiscard]] span& get() noexcept { return span_; }
  span* operator->() noexcept { return &span_; }

 private:
  span span_;
  context_scope scope_;
  int uncaught_;
};

/// "void ns::cls::f(int) const" -> "ns::cls::f": what std::source_location::function_name()
/// gives, without return type, parameters and qualifiers.
[[nodiscard]] std::string_view function_name_of(std::string_view signature) noexcept;

/// The tracer used by trace_function: scope "vmterm.traced" of the current global provider
/// (cached per thread and refreshed when the global provider changes).
[[nodiscard]] const tracer& traced_tracer() noexcept;

/// Starts a span for the function at `where`, current until the returned value dies.
[[nodiscard]] active_span trace_function(
    std::source_location where = std::source_location::current(),
    span_kind kind = span_kind::internal) noexcept;

/// Calls `fn` inside a span named after the caller (or `name` when given); an exception is
/// recorded (type and message) and rethrown.
template <class F>
decltype(auto) traced(F&& fn, std::string_view name = {},
                      std::source_location where = std::source_location::current()) {
  auto s = trace_function(where);
  if (!name.empty()) s->update_name(name);
  try {
    return std::forward<F>(fn)();
  } catch (const std::exception& e) {
    s->record_exception(e);
    throw;
  } catch (...) {
    s->record_exception("_OTHER", "unknown exception");
    throw;
  }
}

}  // namespace vmterm::trace

/// `auto s = VMTERM_TRACE_FUNCTION();` traces the enclosing function (see above).
#define VMTERM_TRACE_FUNCTION() ::vmterm::trace::trace_function(std::source_location::current())
