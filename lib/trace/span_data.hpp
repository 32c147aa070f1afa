#pragma once
/// The record of one finished span, as processors and exporters see it: plain values, no
/// behaviour, cheap to move. Shared by lib/trace (which produces it), lib/trace_otlp (which
/// encodes and decodes OTLP JSON) and lib/jaeger (which reads traces back).

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vmterm::trace {

namespace detail {
/// Writes 2*N lowercase hex digits at `out` (no terminator, no allocation: hot paths use it).
template <std::size_t N>
inline void write_hex(const std::array<std::uint8_t, N>& bytes, char* out) noexcept {
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0x0f];
  }
}
}  // namespace detail

/// 16 random bytes; all-zero is invalid.
struct trace_id {
  std::array<std::uint8_t, 16> bytes{};
  [[nodiscard]] bool valid() const noexcept;
  [[nodiscard]] std::string hex() const;  ///< 32 lowercase hex digits
  /// The same 32 digits written at `out`, without allocating.
  void write_hex(char* out) const noexcept { detail::write_hex(bytes, out); }
  /// Accepts exactly 32 hex digits (either case); also 16 digits, left-padded with zeros as
  /// Jaeger's 64-bit ids are. nullopt for anything else. An all-zero id parses (check valid()).
  [[nodiscard]] static std::optional<trace_id> from_hex(std::string_view hex) noexcept;
  friend auto operator<=>(const trace_id&, const trace_id&) = default;
};

/// 8 random bytes; all-zero is invalid (and means "no parent" in span_data::parent).
struct span_id {
  std::array<std::uint8_t, 8> bytes{};
  [[nodiscard]] bool valid() const noexcept;
  [[nodiscard]] std::string hex() const;  ///< 16 lowercase hex digits
  /// The same 16 digits written at `out`, without allocating.
  void write_hex(char* out) const noexcept { detail::write_hex(bytes, out); }
  [[nodiscard]] static std::optional<span_id> from_hex(std::string_view hex) noexcept;
  friend auto operator<=>(const span_id&, const span_id&) = default;
};

/// Values as in OTLP's Span.SpanKind (0 is "unspecified", never produced by vmterm).
enum class span_kind : std::uint8_t {
  internal = 1,
  server = 2,
  client = 3,
  producer = 4,
  consumer = 5
};

/// Values as in OTLP's Status.StatusCode.
enum class status_code : std::uint8_t { unset = 0, ok = 1, error = 2 };

/// W3C trace-flags; bit 0 is "sampled".
inline constexpr std::uint8_t flag_sampled = 0x01;

/// What crosses process boundaries: ids, flags and tracestate (W3C Trace Context).
struct span_context {
  trace_id trace;
  span_id span;
  std::uint8_t flags = 0;
  std::string trace_state;  ///< the raw, validated tracestate header value ("" when none)
  bool remote = false;      ///< extracted from a carrier rather than created here
  [[nodiscard]] bool valid() const noexcept { return trace.valid() && span.valid(); }
  [[nodiscard]] bool sampled() const noexcept { return (flags & flag_sampled) != 0; }
};

/// An attribute value: OTLP's AnyValue restricted to what the OTel API allows on spans.
using attribute_value =
    std::variant<std::string, bool, std::int64_t, double, std::vector<std::string>,
                 std::vector<bool>, std::vector<std::int64_t>, std::vector<double>>;

struct attribute {
  std::string key;
  attribute_value value;
  friend bool operator==(const attribute&, const attribute&) = default;
};

/// Ordered as set; keys are unique (setting an existing key replaces its value in place).
using attributes = std::vector<attribute>;

struct event {
  std::string name;
  std::uint64_t time_unix_nano = 0;
  attributes attrs;
  std::uint32_t dropped_attributes_count = 0;
  friend bool operator==(const event&, const event&) = default;
};

struct link {
  span_context context;
  attributes attrs;
  std::uint32_t dropped_attributes_count = 0;
};

struct status {
  status_code code = status_code::unset;
  std::string message;  ///< only meaningful with status_code::error
  friend bool operator==(const status&, const status&) = default;
};

/// The entity producing telemetry: service.name, host.name, process.pid, telemetry.sdk.*, ...
struct resource {
  attributes attrs;
  std::uint32_t dropped_attributes_count = 0;
};

/// The instrumentation library that made a span (e.g. "vmterm.http", version "0.1.0").
struct instrumentation_scope {
  std::string name;
  std::string version;
};

/// One finished span. Resource and scope are shared, immutable and usually identical across
/// a batch, so exporters may group spans by pointer.
struct span_data {
  trace_id trace;
  span_id span;
  span_id parent;  ///< all-zero for a root span
  std::string trace_state;
  std::uint8_t flags = flag_sampled;
  bool parent_remote = false;  ///< the parent came from another process
  std::string name;
  span_kind kind = span_kind::internal;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  attributes attrs;
  std::vector<event> events;
  std::vector<link> links;
  trace::status status;
  std::uint32_t dropped_attributes_count = 0;
  std::uint32_t dropped_events_count = 0;
  std::uint32_t dropped_links_count = 0;
  std::shared_ptr<const trace::resource> resource;
  std::shared_ptr<const instrumentation_scope> scope;
};

/// Looks up an attribute by key; nullptr when absent.
[[nodiscard]] const attribute_value* find_attribute(const attributes& attrs,
                                                    std::string_view key) noexcept;

/// The "lowercase name" of a kind as OTel's API spells it: "internal", "server", ...
[[nodiscard]] std::string_view to_string(span_kind kind) noexcept;

}  // namespace vmterm::trace
