#pragma once
/// The test double (OTel's InMemorySpanExporter): keeps exported spans in memory. The store
/// is shared, so a test keeps a handle after handing the exporter to a processor.
/// Thread-safe; readers get copies.

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "trace/exporter.hpp"

namespace vmterm::trace {

class span_store {
 public:
  void add(std::span<const span_data> spans);
  void add(std::span<const span_data* const> spans);
  [[nodiscard]] std::vector<span_data> spans() const;
  [[nodiscard]] std::size_t size() const;
  void clear();
  /// Number of export_spans calls (batches) received.
  [[nodiscard]] std::size_t batches() const;
  [[nodiscard]] bool shut_down() const;
  void mark_shut_down();

 private:
  mutable std::mutex mutex_;
  std::vector<span_data> spans_;
  std::size_t batches_ = 0;
  bool shut_down_ = false;
};

class in_memory_exporter final : public exporter {
 public:
  explicit in_memory_exporter(std::shared_ptr<span_store> store = std::make_shared<span_store>())
      : store_(std::move(store)) {}
  export_result export_spans(std::span<const span_data> spans) noexcept override;
  std::optional<export_result> export_records(
      std::span<const span_data* const> spans) noexcept override;
  void shutdown(std::chrono::milliseconds timeout) noexcept override;
  [[nodiscard]] const std::shared_ptr<span_store>& store() const noexcept { return store_; }

 private:
  std::shared_ptr<span_store> store_;
};

}  // namespace vmterm::trace
