#pragma once
/// OTEL_PROPAGATORS for the scope of one test (the process-wide list trace::extract/inject
/// use), and the default (tracecontext,baggage) again afterwards.

#include <catch2/catch.hpp>
#include <string_view>

#include "trace/propagators.hpp"

namespace vmterm::test {

struct with_propagators {
  explicit with_propagators(std::string_view text) {
    auto l = trace::parse_propagators(text);
    REQUIRE(l.has_value());
    trace::set_propagators(*l);
  }
  ~with_propagators() {
    trace::set_propagators({trace::propagator::tracecontext, trace::propagator::baggage});
  }
  with_propagators(const with_propagators&) = delete;
  with_propagators& operator=(const with_propagators&) = delete;
};

}  // namespace vmterm::test
