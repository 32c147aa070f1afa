#pragma once
/// Internal to lib/http: the middleware around one routed request, in the session but apart
/// from its I/O: SERVER span (parent from traceparent), request-id log scope, router dispatch
/// (exceptions → 500), security and X-Request-ID headers, metrics, one log line.

#include "http/router.hpp"
#include "http/server_state.hpp"

namespace vmterm::http {

/// Runs the handler for `m` and returns the finished response. Never throws except bad_alloc.
[[nodiscard]] response run_pipeline(server::state& st, const route_match& m, const request& req,
                                    const request_context& ctx);

/// Adds the headers every response carries: security headers and X-Request-ID.
void finish_response(response& res, const std::string& request_id);

}  // namespace vmterm::http
