#pragma once
/// Writes spans as OTLP JSON lines: one ExportTraceServiceRequest per export_spans() call, one
/// line each, appended to a file (the OpenTelemetry Collector file exporter's format, which
/// vmterm-trace and otel-tui read). The embedded default of `scripts/run`.
///
/// Never throws. The file (and its parent directories) is created on the first export, and
/// reopened on a later export after a failure. Failures are counted; the first one is
/// reported on stderr (through vmterm::log), later ones only counted.
/// Threading: export_spans, force_flush and shutdown may be called from different threads.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "trace/exporter.hpp"

namespace vmterm::trace_otlp {

class file_exporter final : public trace::exporter {
 public:
  explicit file_exporter(std::filesystem::path path);
  ~file_exporter() override;
  file_exporter(const file_exporter&) = delete;
  file_exporter& operator=(const file_exporter&) = delete;

  trace::export_result export_spans(std::span<const trace::span_data> spans) noexcept override;
  /// The same line from the records where the batch processor keeps them (no move).
  std::optional<trace::export_result> export_records(
      std::span<const trace::span_data* const> spans) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown(std::chrono::milliseconds timeout) noexcept override;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// Failed exports since construction.
  [[nodiscard]] std::uint64_t failures() const noexcept { return failures_.load(); }

 private:
  /// export_spans and export_records: one line of `spans` (either form).
  template <class Spans>
  trace::export_result write_line(Spans spans) noexcept;
  bool open_locked() noexcept;
  void report_locked(const std::string& reason) noexcept;

  std::filesystem::path path_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;  ///< owned; guarded by mutex_
  std::string line_;           ///< reused buffer; guarded by mutex_
  bool shut_down_ = false;
  bool reported_ = false;
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace vmterm::trace_otlp
