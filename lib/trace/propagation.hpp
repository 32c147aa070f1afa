#pragma once
/// W3C Trace Context (traceparent, tracestate) and Baggage, and the carriers that move them:
/// HTTP-like header lists, string maps (Celery message headers) and the process environment
/// (TRACEPARENT/TRACESTATE/BAGGAGE). Pure functions; thread-safe; never throw except
/// std::bad_alloc from the functions that build strings.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "trace/context.hpp"

namespace vmterm::trace {

/// Parses a traceparent strictly (W3C Trace Context level 2 and its test suite): optional
/// surrounding spaces/tabs; lowercase hex only; version 00 is exactly 55 characters; version
/// ff is invalid; a later version is read by the version-00 prefix and must be followed by
/// the end or '-'; all-zero ids are invalid. The result is marked remote and its flags keep
/// only the bits this version defines (sampled, random-trace-id).
[[nodiscard]] std::optional<span_context> parse_traceparent(std::string_view text) noexcept;

/// Length of a version-00 traceparent.
inline constexpr std::size_t traceparent_size = 55;

/// Writes the version-00 traceparent of `ctx` into `out` (no terminator). Allocation-free.
void format_traceparent(const span_context& ctx, std::array<char, traceparent_size>& out) noexcept;

/// The version-00 traceparent of `ctx`; "" when `ctx` is invalid.
[[nodiscard]] std::string format_traceparent(const span_context& ctx);

/// True when `text` is a valid tracestate: at most 32 list members (empty members allowed),
/// keys `[a-z0-9][a-z0-9_-*/]*` with an optional `@system` part, values of 1..256 printable
/// ASCII characters other than ',' and '=' not ending in a space.
[[nodiscard]] bool valid_tracestate(std::string_view text) noexcept;

/// True when `text` is within the W3C baggage limits (at most 64 members and 8192 bytes) and
/// every member has the form `key=value[;properties]` with a non-empty token key.
[[nodiscard]] bool valid_baggage(std::string_view text) noexcept;

/// Builds a context from header values (absent = nullopt). An invalid traceparent drops the
/// tracestate too; an invalid tracestate or baggage is dropped as a whole.
[[nodiscard]] context extract_context(std::optional<std::string_view> traceparent,
                                      std::optional<std::string_view> tracestate,
                                      std::optional<std::string_view> baggage);

/// HTTP-like headers: names compare case-insensitively, a name may repeat.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// The first value of header `name`, compared case-insensitively; nullopt when absent.
[[nodiscard]] std::optional<std::string_view> get_header(const header_list& headers,
                                                         std::string_view name) noexcept;

/// Reads traceparent/tracestate/baggage from headers. Two traceparent headers make the
/// traceparent invalid (W3C); repeated tracestate or baggage headers are joined with ','.
[[nodiscard]] context extract(const header_list& headers);

/// Replaces any traceparent/tracestate/baggage headers with those of `ctx` (lowercase names).
/// Writes no traceparent when `ctx.span` is invalid and no empty tracestate or baggage.
void inject(const context& ctx, header_list& headers);

/// Exact-key string maps such as Celery message headers.
using string_map = std::map<std::string, std::string, std::less<>>;

[[nodiscard]] context extract(const string_map& headers);
void inject(const context& ctx, string_map& headers);

/// Reads TRACEPARENT, TRACESTATE and BAGGAGE, so a tool started by a traced parent continues
/// its trace.
[[nodiscard]] context extract_env(const config::env_lookup& env);

/// The environment entries ("TRACEPARENT", value), ... a child process should get so that it
/// continues `ctx`; empty when `ctx.span` is invalid.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> child_env(const context& ctx);

}  // namespace vmterm::trace
