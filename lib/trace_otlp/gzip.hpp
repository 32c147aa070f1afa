#pragma once
/// gzip (RFC 1952) for OTLP/HTTP request bodies, on zlib (inside gzip.cpp only). Pure.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::trace_otlp {

/// Compresses `data` into a gzip member. Fails only when zlib does (out of memory).
[[nodiscard]] expected<std::string> gzip_compress(std::string_view data);

/// Decompresses gzip (or zlib) data; used by tests and by anyone reading compressed bodies.
[[nodiscard]] expected<std::string> gzip_decompress(std::string_view data);

}  // namespace vmterm::trace_otlp
