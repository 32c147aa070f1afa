#pragma once
/// The OTLP exporter: sends each batch as an ExportTraceServiceRequest to a collector, over
/// HTTP (JSON or protobuf, optionally gzip; the connection kept alive between batches) or over
/// gRPC (protobuf through libvmterm_otlp_grpc.so, loaded by the constructor only for
/// otlp_protocol::grpc; see grpc_transport.hpp). Over HTTP, retries 429/502/503/504 and
/// connection failures with exponential backoff and jitter, honouring Retry-After; over gRPC,
/// the spec's retryable codes (UNAVAILABLE, RESOURCE_EXHAUSTED with a RetryInfo, ...),
/// honouring RetryInfo; both within the export timeout; everything else is final. A partial
/// success is logged, not retried.
///
/// Never throws. Failures are counted; they are logged (through vmterm::log) at most once a
/// minute, with the count of those in between.
/// Threading: export_spans is called by one thread at a time (the batch processor's);
/// shutdown may come from another thread and cuts short a wait between retries.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "trace/exporter.hpp"
#include "trace_otlp/otlp_http_options.hpp"

#include "core/error.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::http {
class client;
}

namespace vmterm::trace_otlp {

class grpc_transport;

class otlp_http_exporter final : public trace::exporter {
 public:
  explicit otlp_http_exporter(otlp_http_options options);
  ~otlp_http_exporter() override;
  otlp_http_exporter(const otlp_http_exporter&) = delete;
  otlp_http_exporter& operator=(const otlp_http_exporter&) = delete;

  trace::export_result export_spans(std::span<const trace::span_data> spans) noexcept override;
  /// The same request from the records where the batch processor keeps them (no move).
  std::optional<trace::export_result> export_records(
      std::span<const trace::span_data* const> spans) noexcept override;
  void shutdown(std::chrono::milliseconds timeout) noexcept override;
  void exit_by(std::chrono::steady_clock::time_point deadline) noexcept override;
  [[nodiscard]] std::uint64_t failed_spans() const noexcept override;

  [[nodiscard]] const otlp_http_options& options() const noexcept { return options_; }
  /// Why this exporter cannot send at all ("" when it can): over gRPC, the module that could
  /// not be loaded or the endpoint that is no URL. Every export then fails at once.
  [[nodiscard]] const std::string& setup_error() const noexcept { return grpc_error_; }

  /// Counters for tests and diagnostics.
  struct stats {
    std::uint64_t exported_spans = 0;  ///< accepted by the collector (rejected ones excluded)
    std::uint64_t failed_exports = 0;  ///< batches given up on
    std::uint64_t rejected_spans = 0;  ///< from partial-success responses
    std::uint64_t attempts = 0;        ///< HTTP requests made, retries included
  };
  [[nodiscard]] stats counters() const noexcept;

 private:
  enum class outcome { done, retry, give_up };
  /// export_spans and export_records: one request of `spans` (either form), retried.
  template <class Spans>
  trace::export_result export_any(Spans spans) noexcept;
  /// One POST; throws only std::bad_alloc (export_spans catches it).
  outcome attempt(const std::string& body, std::size_t span_count,
                  std::chrono::steady_clock::time_point deadline,
                  std::chrono::milliseconds& retry_after, std::string& reason);
  outcome attempt_grpc(const std::string& body, std::size_t span_count,
                       std::chrono::steady_clock::time_point deadline,
                       std::chrono::milliseconds& retry_after, std::string& reason);
  /// Counts a success, logging a partial one.
  void accept(const expected<export_response>& partial, std::size_t span_count);
  /// Waits `delay` unless shutdown comes first (→ false).
  bool wait(std::chrono::milliseconds delay) noexcept;
  void report(std::string_view message, bool is_error) noexcept;

  otlp_http_options options_;
  std::unique_ptr<http::client> client_;
  std::unique_ptr<grpc_transport> grpc_;  ///< set for otlp_protocol::grpc once loaded
  std::string grpc_error_;                ///< why grpc_ is not set
  std::minstd_rand random_;
  std::mutex mutex_;  ///< guards shut_down_ for the condition variable
  std::condition_variable wake_;
  bool shut_down_ = false;
  /// Set by exit_by: one attempt per export, ending by then; failures not logged.
  std::optional<std::chrono::steady_clock::time_point> exit_deadline_;
  std::chrono::steady_clock::time_point last_report_{};
  std::uint64_t unreported_ = 0;
  std::atomic<std::uint64_t> exported_{0}, failed_{0}, rejected_{0}, attempts_{0};
  std::atomic<std::uint64_t> failed_spans_{0};
};

}  // namespace vmterm::trace_otlp
