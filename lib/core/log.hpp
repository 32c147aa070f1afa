#pragma once
/// Structured logging: one line per record on stderr (or an injected stream), JSON by default
/// (`--log-format text` for people), filtered by a level threshold (`--log-level`). Every line
/// written while a span is current carries its trace_id and span_id (through the context source
/// that lib/trace installs), and the request_id of the enclosing request_id_scope.
///
/// Threading: every function here may be called from any thread. Lines are written whole,
/// under one mutex, so concurrent lines never interleave. Logging never throws.
/// Secrets: messages and string fields pass through core/redact.hpp before they are written.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/error.hpp"

namespace vmterm::log {

enum class level { debug, info, warn, error };
enum class format { json, text };

/// "debug", "info", "warn", "error".
[[nodiscard]] std::string_view to_string(level l) noexcept;
/// "json", "text".
[[nodiscard]] std::string_view to_string(format f) noexcept;

/// Parses a `--log-level` value (case-insensitive; "warning" is accepted for "warn").
/// Error text: "unknown log level 'verbose'; use debug, info, warn or error".
[[nodiscard]] expected<level> parse_level(std::string_view text);
/// Parses a `--log-format` value (case-insensitive).
/// Error text: "unknown log format 'xml'; use json or text".
[[nodiscard]] expected<format> parse_format(std::string_view text);

// ---- trace correlation (lib/trace installs the source; lib/core never depends on lib/trace)

struct log_context {
  std::string trace_id;
  std::string span_id;
};
/// Returns the current span's ids (empty strings when there is none). Called once per line.
using context_source = log_context (*)() noexcept;
/// Installs the source; nullptr removes it. Thread-safe (atomic).
void set_context_source(context_source source) noexcept;

// ---- request id

/// Sets the request id of the current thread for its lifetime and restores the previous one
/// on destruction (scopes nest). Thread-local: async code re-enters a scope in each handler.
class request_id_scope {
 public:
  explicit request_id_scope(std::string id) noexcept;
  ~request_id_scope();
  request_id_scope(const request_id_scope&) = delete;
  request_id_scope& operator=(const request_id_scope&) = delete;

 private:
  std::string previous_;
};

/// The current thread's request id; empty when none is set.
[[nodiscard]] std::string_view current_request_id() noexcept;

// ---- extra fields

/// One key/value pair on a line. Keys and string values are views: they must stay valid for
/// the call that receives the field (the natural case for `log::info("...", {{"k", v}})`).
struct field {
  using value_type = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  std::string_view key;
  value_type value;

  field(std::string_view k, std::string_view v) noexcept : key(k), value(v) {}
  field(std::string_view k, const char* v) noexcept : key(k), value(std::string_view(v)) {}
  field(std::string_view k, const std::string& v) noexcept : key(k), value(std::string_view(v)) {}
  field(std::string_view k, bool v) noexcept : key(k), value(v) {}
  template <class T,
            std::enable_if_t<
                std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_signed_v<T>, int> = 0>
  field(std::string_view k, T v) noexcept : key(k), value(static_cast<std::int64_t>(v)) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                          std::is_unsigned_v<T>,
                                      int> = 0>
  field(std::string_view k, T v) noexcept : key(k), value(static_cast<std::uint64_t>(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  field(std::string_view k, T v) noexcept : key(k), value(static_cast<double>(v)) {}
};

// ---- configuration

/// The wall clock used for timestamps; injectable so tests can compare exact lines.
using clock_source = std::chrono::system_clock::time_point (*)() noexcept;

struct options {
  std::string service{"vmterm"};     ///< the `service` field; a tool passes its own name
  level min_level{level::info};      ///< lines below this level are dropped
  format line_format{format::json};  ///< json lines, or one readable line for people
  std::ostream* out{nullptr};        ///< nullptr: std::cerr; otherwise not owned, must outlive use
  clock_source clock{nullptr};       ///< nullptr: std::chrono::system_clock::now
};

/// Replaces the process-wide logging options (thread-safe). Defaults: see `options`.
void configure(options opt) noexcept;

/// True when a line at `l` would be written (one relaxed atomic load).
[[nodiscard]] bool enabled(level l) noexcept;

/// Writes one line at `l` if enabled. Never throws; a failing stream loses the line.
void write(level l, std::string_view message, std::initializer_list<field> fields = {}) noexcept;

inline void debug(std::string_view message, std::initializer_list<field> fields = {}) noexcept {
  write(level::debug, message, fields);
}
inline void info(std::string_view message, std::initializer_list<field> fields = {}) noexcept {
  write(level::info, message, fields);
}
inline void warn(std::string_view message, std::initializer_list<field> fields = {}) noexcept {
  write(level::warn, message, fields);
}
inline void error(std::string_view message, std::initializer_list<field> fields = {}) noexcept {
  write(level::error, message, fields);
}

}  // namespace vmterm::log
