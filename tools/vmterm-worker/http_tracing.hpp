#pragma once
/// CLIENT spans for the health_check task's HTTP request, with the `traceparent` header that
/// carries them (an http::client_observer). The same shape as jaeger::make_client_tracing;
/// kept here so the worker does not link the Jaeger module (move both into lib/http).

#include <memory>

#include "http/client.hpp"

namespace vmterm::worker {

[[nodiscard]] std::shared_ptr<http::client_observer> make_http_tracing();

}  // namespace vmterm::worker
