#pragma once
/// A file of traces as a source: OTLP JSON (one document, or JSON lines as the file exporters
/// write them) or Jaeger v1 JSON (a saved `/api/traces` answer or a trace downloaded from
/// Jaeger's UI); `-` reads stdin. The format is detected from the text. services, operations
/// and search are computed from the spans (local_query.hpp). The input is read once, on first
/// use, and kept: stdin cannot be read twice.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jaeger/source.hpp"

namespace vmterm::jaeger {

enum class file_format { otlp_json, otlp_json_lines, jaeger_v1 };

/// OTLP JSON lines when the first line is a whole OTLP object, OTLP JSON when
/// "resourceSpans" appears near the start, Jaeger v1 JSON otherwise.
[[nodiscard]] file_format detect_format(std::string_view text) noexcept;

/// Reads a whole file, or stdin for "-". Errors: "read '<path>': <reason>".
[[nodiscard]] expected<std::string> read_input(const std::string& path);

/// Decodes text of any supported format into spans; `name` names it in errors.
[[nodiscard]] expected<std::vector<trace::span_data>> decode_any(std::string_view text,
                                                                 std::string_view name);

class file_source final : public source {
 public:
  explicit file_source(std::string path) : path_(std::move(path)) {}

  [[nodiscard]] std::string name() const override { return path_; }
  [[nodiscard]] expected<std::vector<std::string>> services() override;
  [[nodiscard]] expected<std::vector<operation_info>> operations(const std::string& service,
                                                                 const std::string& kind) override;
  [[nodiscard]] expected<std::vector<trace::span_data>> search(const search_query& query) override;
  [[nodiscard]] expected<std::vector<trace::span_data>> get(
      std::span<const trace::trace_id> ids) override;
  [[nodiscard]] expected<std::string> get_otlp(std::span<const trace::trace_id> ids) override;

 private:
  /// Reads and decodes the input the first time; later calls return the same spans.
  expected<const std::vector<trace::span_data>*> load();
  /// Takes the loaded spans (commands need them once); a later load() reads them again.
  expected<std::vector<trace::span_data>> take();

  std::string path_;
  std::optional<std::string> text_{};
  std::optional<std::vector<trace::span_data>> spans_{};
};

/// "trace '<id>' not found in '<source>'" (the error of a get() that misses).
[[nodiscard]] error trace_not_found(const trace::trace_id& id, std::string_view source_name);

}  // namespace vmterm::jaeger
