#pragma once
/// Setting tracing up in a tool's main, from the standard OTEL_* environment:
///
///   auto tracing = vmterm::trace::install("vmterm-health", make_exporter_from_env());
///   ...  // spans go to the exporter through a batch processor
///   // at exit (or on SIGTERM: tracing.shutdown()) every span is exported, then tracing is off
///
/// install() never throws and never fails a tool: bad settings warn once on stderr
/// ("<tool>: OTEL_BSP_MAX_QUEUE_SIZE='abc': ...; using the default 2048") and use defaults.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/config.hpp"
#include "trace/batch_processor.hpp"
#include "trace/deferred_processor.hpp"
#include "trace/env.hpp"
#include "trace/exporter.hpp"
#include "trace/tracer.hpp"

namespace vmterm::trace {

/// How ended spans reach the exporter: `batch` through batch_processor's worker thread (servers
/// and anything long-running), `at_exit` kept by a deferred_processor and exported by the
/// thread that flushes or shuts down (a short-lived tool such as vmterm-health: no thread).
enum class span_delivery { batch, at_exit };

/// RAII owner of the installed pipeline. Destruction = force_flush + shutdown + reset of the
/// global provider to no-op (and of the log-correlation hook). Move-only; the methods may be
/// called from any thread, shutdown() also from a signal-handling path (not a raw signal
/// handler: it takes locks).
class installation {
 public:
  /// Nothing installed (tracing off).
  installation() noexcept = default;
  installation(installation&&) noexcept;
  installation& operator=(installation&&) noexcept;
  ~installation();
  installation(const installation&) = delete;
  installation& operator=(const installation&) = delete;

  /// Exports every span ended so far; true when done within `timeout`.
  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(5)) noexcept;
  /// Flushes (waiting at most OTEL_BSP_EXPORT_TIMEOUT), shuts the exporter down and resets
  /// the global provider and log hook. Idempotent.
  void shutdown() noexcept;

  /// shutdown() for a process that is exiting, within `bound` (say 1 s): spans still queued
  /// get one export attempt each, without the retries that make an absent collector hold the
  /// exit for seconds. Returns how many spans were lost in it (0 when all went, or tracing is
  /// off), for the caller's one log line. Idempotent.
  std::uint64_t shutdown_within(std::chrono::milliseconds bound) noexcept;

  /// True when spans are being recorded and exported.
  [[nodiscard]] bool enabled() const noexcept { return provider_ != nullptr; }
  /// The installed provider (null when tracing is off).
  [[nodiscard]] const std::shared_ptr<tracer_provider>& provider() const noexcept {
    return provider_;
  }
  /// Spans dropped by the batch processor's full queue (0 when off).
  [[nodiscard]] std::uint64_t dropped_spans() const noexcept;

 private:
  friend installation install(std::string_view, std::unique_ptr<exporter>,
                              const config::env_lookup&, const warn_fn&, span_delivery);
  std::shared_ptr<tracer_provider> provider_;
  batch_processor* batch_ = nullptr;        ///< owned by provider_
  deferred_processor* deferred_ = nullptr;  ///< owned by provider_ (span_delivery::at_exit)
  std::chrono::milliseconds shutdown_timeout_{30000};
};

/// Reads OTEL_SDK_DISABLED, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG),
/// OTEL_BSP_*, OTEL_*_LIMIT, TRACEPARENT/TRACESTATE; builds resource + sampler + batch processor
/// around `exp` (nullptr = tracing off) and sets the global provider. Never throws.
/// Warnings go to stderr prefixed with `default_service_name`.
[[nodiscard]] installation install(std::string_view default_service_name,
                                   std::unique_ptr<exporter> exp,
                                   const config::env_lookup& env = config::process_env());

/// The same with the warnings sent to `warn` (tests read them) and the delivery chosen
/// (`at_exit`: OTEL_BSP_MAX_QUEUE_SIZE bounds the spans kept; the other OTEL_BSP_* settings have
/// nothing to act on).
[[nodiscard]] installation install(std::string_view default_service_name,
                                   std::unique_ptr<exporter> exp, const config::env_lookup& env,
                                   const warn_fn& warn,
                                   span_delivery delivery = span_delivery::batch);

/// The current span's ids as hex (empty strings when none): the log-correlation source.
struct current_ids {
  std::string trace_id;
  std::string span_id;
};
[[nodiscard]] current_ids current_span_ids();

}  // namespace vmterm::trace
