#include "trace/traced.hpp"

#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::trace {

active_span::active_span(span s) noexcept
    : span_(std::move(s)),
      scope_(context{span_.context(), current_context().baggage}),
      uncaught_(std::uncaught_exceptions()) {}

active_span::~active_span() {
  if (std::uncaught_exceptions() > uncaught_ && span_.status() != status_code::error) {
    span_.set_status(status_code::error, "exception escaped the span");
  }
  span_.end();
}

std::string_view function_name_of(std::string_view signature) noexcept {
  // Find the '(' that opens the parameter list: the first one outside template brackets,
  // skipping "operator()" itself.
  int depth = 0;
  std::size_t open = std::string_view::npos;
  for (std::size_t i = 0; i < signature.size(); ++i) {
    const char c = signature[i];
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    if (c == '(' && depth == 0) {
      if (signature.substr(0, i).ends_with("operator") && signature.substr(i, 2) == "()") {
        ++i;
        continue;
      }
      open = i;
      break;
    }
  }
  std::string_view head = signature.substr(0, open);
  // The name starts after the last space outside template brackets (return type before it).
  depth = 0;
  for (std::size_t i = head.size(); i > 0; --i) {
    const char c = head[i - 1];
    if (c == '>') ++depth;
    if (c == '<' && depth > 0) --depth;
    if (c == ' ' && depth == 0) return head.substr(i);
  }
  return head;
}

const tracer& traced_tracer() noexcept {
  struct cache {
    std::uint64_t generation = ~std::uint64_t{0};
    tracer t;
  };
  thread_local cache c;
  const auto gen = provider::generation();
  if (gen != c.generation) {
    c.t = provider::get()->get_tracer("vmterm.traced");
    c.generation = gen;
  }
  return c.t;
}

active_span trace_function(std::source_location where, span_kind kind) noexcept {
  const auto name = function_name_of(where.function_name());
  span s = traced_tracer().start_span(name, kind);
  if (s.is_recording()) {
    s.set_attribute(semconv::code_function_name, name);
    s.set_attribute(semconv::code_file_path, where.file_name());
    s.set_attribute(semconv::code_line_number, static_cast<std::int64_t>(where.line()));
  }
  return active_span(std::move(s));
}

}  // namespace vmterm::trace
