#pragma once
/// The propagation formats users meet besides W3C Trace Context, and OTEL_PROPAGATORS: B3
/// (Zipkin; one `b3` header or the `X-B3-*` set) and Jaeger's own (`uber-trace-id`, baggage in
/// `uberctx-<key>`). Pure parsers and formatters, plus the process-wide list of propagators
/// that trace::extract/inject on header lists and string maps use (default
/// `tracecontext,baggage`, so nothing changes unless OTEL_PROPAGATORS says so).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::trace {

enum class propagator : std::uint8_t { tracecontext, baggage, b3, b3multi, jaeger };

/// The spec's name of each ("tracecontext", "baggage", "b3", "b3multi", "jaeger").
[[nodiscard]] std::string_view propagator_name(propagator p) noexcept;

/// Parses OTEL_PROPAGATORS: names separated by commas (spaces allowed), in order, duplicates
/// kept once; "none" alone means no propagation. An unknown name (the spec's ottrace and xray
/// included: not implemented) is an error that names it and lists the known ones; the caller
/// warns and keeps the default, as the spec asks.
[[nodiscard]] expected<std::vector<propagator>> parse_propagators(std::string_view text);

/// The process-wide list (thread-safe; set once at start-up, read on every extract/inject).
void set_propagators(std::vector<propagator> list);
[[nodiscard]] std::vector<propagator> propagators();
/// True when the list is exactly the default (the fast path).
[[nodiscard]] bool default_propagators() noexcept;

/// B3 single header: `{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]`, trace id of 16
/// (left-padded) or 32 lowercase hex digits, span id 16; sampling state 1, 0 or d (debug:
/// sampled); absent = sampled is deferred, read as not sampled. A sampling state alone ("0")
/// carries no context: nullopt.
[[nodiscard]] std::optional<span_context> parse_b3_single(std::string_view text) noexcept;
/// `{trace32}-{span16}-{1|0}`; "" for an invalid context.
[[nodiscard]] std::string format_b3_single(const span_context& ctx);

/// B3 multiple headers (values, absent = nullopt): X-B3-TraceId, X-B3-SpanId, X-B3-Sampled
/// ("1"/"0", also the legacy "true"/"false"), X-B3-Flags ("1" = debug, which implies sampled).
[[nodiscard]] std::optional<span_context> parse_b3_multi(
    std::optional<std::string_view> trace, std::optional<std::string_view> span,
    std::optional<std::string_view> sampled, std::optional<std::string_view> flags) noexcept;

/// Jaeger's `uber-trace-id`: `{trace-id}:{span-id}:{parent-span-id}:{flags}`, ids in hex of
/// up to 32 / 16 digits with leading zeros omitted (as Jaeger clients write them), either
/// case, the parent ignored (deprecated, usually 0), flags in hex (bit 1 sampled, bit 2
/// debug). A URL-encoded value (`%3A` for `:`) is accepted, as the OTel Jaeger propagator does.
[[nodiscard]] std::optional<span_context> parse_uber_trace_id(std::string_view text) noexcept;
/// `{trace32}:{span16}:0:{1|0}`; "" for an invalid context.
[[nodiscard]] std::string format_uber_trace_id(const span_context& ctx);

}  // namespace vmterm::trace
