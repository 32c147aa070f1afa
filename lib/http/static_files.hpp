#pragma once
/// Serving files compiled into the program (core/embedded_file.hpp): Content-Type, a strong
/// ETag with If-None-Match → 304, Cache-Control, and the gzip form (compressed at build time)
/// to clients that accept it. Pure.

#include <span>
#include <string_view>

#include "core/embedded_file.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace vmterm::http {

/// "no-cache": the browser revalidates with the ETag every time (cheap 304s).
inline constexpr std::string_view cache_revalidate = "no-cache";

/// The response for `file`: 200 with the content, or 304 without body when the request's
/// If-None-Match lists the ETag of the form it would get (or "*"). When the file has a gzip
/// form and the request's Accept-Encoding allows gzip, that form is sent with
/// `Content-Encoding: gzip` and its own ETag (the file's with "-gzip" inside the quotes);
/// a file with a gzip form always carries `Vary: Accept-Encoding`.
[[nodiscard]] response serve_file(const embedded_file& file, const request& req,
                                  std::string_view cache_control = cache_revalidate);

/// Whether an Accept-Encoding value allows gzip ("gzip", "x-gzip" or "*" with a q above 0).
[[nodiscard]] bool accepts_gzip(std::string_view accept_encoding) noexcept;

/// A handler for a prefix route ("/static/*") that serves `files` by the path below the
/// prefix (request_context::rest); "" serves `index` when given. 404 when absent.
/// `files` must outlive the handler (embedded tables are static).
[[nodiscard]] handler embedded_files_handler(std::span<const embedded_file> files,
                                             std::string_view index = {},
                                             std::string_view cache_control = cache_revalidate);

}  // namespace vmterm::http
