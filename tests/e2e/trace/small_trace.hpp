#pragma once
// A small hand-made trace as OTLP JSON lines: checkout's GET /cart calls the database and
// publishes a message that fails.

#include <string>

namespace vmterm::test::trace_cli {

inline const std::string small_trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";

inline std::string otlp_span(const std::string& id, const std::string& parent,
                             const std::string& name, int kind, const std::string& start,
                             const std::string& end, const std::string& status) {
  return R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":")" + id + R"(",)" +
         (parent.empty() ? "" : R"("parentSpanId":")" + parent + R"(",)") + R"("name":")" + name +
         R"(","kind":)" + std::to_string(kind) + R"(,"startTimeUnixNano":")" + start +
         R"(","endTimeUnixNano":")" + end + R"(")" + status + "}";
}

inline std::string otlp_resource(const std::string& service, const std::string& spans) {
  return R"({"resource":{"attributes":[{"key":"service.name","value":{"stringValue":")" + service +
         R"("}}]},"scopeSpans":[{"scope":{"name":"test"},"spans":[)" + spans + "]}]}";
}

/// One JSON line (with its newline).
inline std::string small_trace_line() {
  const auto root = otlp_span("00f067aa0ba902b7", "", "GET /cart", 2, "1706678909000000000",
                              "1706678909012000000", "");
  const auto publish =
      otlp_span("00f067aa0ba902b9", "00f067aa0ba902b7", "publish", 4, "1706678909010000000",
                "1706678909010400000", R"(,"status":{"code":2,"message":"timeout"})");
  const auto select = otlp_span("00f067aa0ba902b8", "00f067aa0ba902b7", "SELECT cart", 3,
                                "1706678909001000000", "1706678909009000000", "");
  return R"({"resourceSpans":[)" + otlp_resource("checkout", root + "," + publish) + "," +
         otlp_resource("db", select) + "]}\n";
}

}  // namespace vmterm::test::trace_cli
