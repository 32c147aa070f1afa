#pragma once
/// The pure parts of the per-request middleware the server runs around every handler:
/// request ids, security headers, method normalisation. Thread-safe.

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace vmterm::http {

/// The Content-Security-Policy every response carries (no inline script or style).
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// True when an incoming X-Request-ID may be reused: 1..128 characters of [A-Za-z0-9._-].
[[nodiscard]] bool valid_request_id(std::string_view id) noexcept;

/// A fresh id: 32 lowercase hex digits from a per-thread random generator.
[[nodiscard]] std::string generate_request_id();

/// The incoming id when valid, else a generated one.
[[nodiscard]] std::string request_id_for(const headers& h);

/// Sets Content-Security-Policy, X-Content-Type-Options and Referrer-Policy (replacing any).
void add_security_headers(headers& h);

/// The method as a metric label / span attribute value: a known HTTP method as is,
/// anything else "_OTHER" (OTel HTTP semantic conventions).
[[nodiscard]] std::string_view known_method(std::string_view method) noexcept;

}  // namespace vmterm::http
