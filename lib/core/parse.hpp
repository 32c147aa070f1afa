#pragma once
/// Parsing of configuration values from text (environment variables, config files). Pure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::parse {

/// "true"/"false", case-insensitive (the OpenTelemetry rule), also "1"/"0", "yes"/"no", "on"/"off".
[[nodiscard]] expected<bool> boolean(std::string_view text);

/// A whole number in [min, max], decimal, optional leading '-'; no spaces, no trailing junk.
[[nodiscard]] expected<std::int64_t> integer(std::string_view text, std::int64_t min,
                                             std::int64_t max);

/// A finite decimal number such as "0.25" or "1e-3".
[[nodiscard]] expected<double> number(std::string_view text);

/// A duration: a whole number with a unit ("250ms", "10s", "5m", "2h", "1d", also "us" and
/// "ns"), or a bare whole number taken in `bare_unit` (OTel's *_TIMEOUT are bare milliseconds).
[[nodiscard]] expected<std::chrono::nanoseconds> duration(
    std::string_view text, std::chrono::nanoseconds bare_unit = std::chrono::milliseconds(1));

/// The value of one hex digit (either case), or -1.
[[nodiscard]] constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Decodes %XX escapes (either hex case), as in OTEL_RESOURCE_ATTRIBUTES and
/// OTEL_EXPORTER_OTLP_HEADERS; nullopt on a truncated or non-hex escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);

/// A byte size: a whole number with an optional unit B, KiB (K), MiB (M) or GiB (G): "65536",
/// "64KiB". Error: "'<text>' is not a size; use a whole number of bytes or KiB/MiB such as
/// 65536 or 64KiB".
[[nodiscard]] expected<std::uint64_t> size(std::string_view text);
/// A byte size as size() reads it, in the largest binary unit that writes it exactly: "1MiB",
/// "64KiB", "1000".
[[nodiscard]] std::string size_text(std::uint64_t bytes);

/// ASCII lower case (host names, header names, enum words).
[[nodiscard]] std::string lower(std::string_view text);

/// Removes leading and trailing ASCII white space.
[[nodiscard]] std::string_view trim(std::string_view text) noexcept;

}  // namespace vmterm::parse
