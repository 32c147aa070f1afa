#pragma once
/// Serving files compiled into the program (core/embedded_file.hpp): Content-Type, a strong
/// ETag with If-None-Match → 304, and Cache-Control. Pure.

#include <span>
#include <string_view>

#include "core/embedded_file.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace vmterm::http {

/// "no-cache": the browser revalidates with the ETag every time (cheap 304s).
inline constexpr std::string_view cache_revalidate = "no-cache";

/// The response for `file`: 200 with the content, or 304 without body when the request's
/// If-None-Match lists the file's ETag (or "*").
[[nodiscard]] response serve_file(const embedded_file& file, const request& req,
                                  std::string_view cache_control = cache_revalidate);

/// A handler for a prefix route ("/static/*") that serves `files` by the path below the
/// prefix (request_context::rest); "" serves `index` when given. 404 when absent.
/// `files` must outlive the handler (embedded tables are static).
[[nodiscard]] handler embedded_files_handler(std::span<const embedded_file> files,
                                             std::string_view index = {},
                                             std::string_view cache_control = cache_revalidate);

}  // namespace vmterm::http
