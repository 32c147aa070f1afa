#pragma once
/// CLIENT spans for a tool's own HTTP calls (a client_observer for http::client): one
/// span per request, named after the method, with HTTP semantic-convention attributes, and a
/// `traceparent` header carrying that span. The spans belong to the program's own trace
/// (the current context or TRACEPARENT; vmterm-trace: never the trace being displayed).
///
/// Threading: one request at a time (http::client's own rule). Never throws.

#include <memory>
#include <string_view>

#include "http/client.hpp"

namespace vmterm::http {

/// An observer tracing through trace::get_tracer(`scope`).
[[nodiscard]] std::shared_ptr<client_observer> make_client_tracing(std::string_view scope);

}  // namespace vmterm::http
