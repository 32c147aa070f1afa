#pragma once
/// A registry of metric families and scrape-time collectors, rendered as Prometheus text.
/// Passed explicitly to whoever registers or scrapes; `default_registry()` exists only for
/// convenience. All members are thread-safe. Families and their children live as long as the
/// registry, so references returned here stay valid until it is destroyed.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/buckets.hpp"
#include "metrics/counter.hpp"
#include "metrics/family.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"
#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

class registry {
 public:
  /// Appends families computed at scrape time (e.g. process metrics). Called under the
  /// registry's lock, so it must not call back into the registry. A collector that throws is
  /// skipped for that scrape.
  using collector = std::function<void(std::vector<family_snapshot>&)>;

  registry() = default;
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// Registers a counter family (name must end in "_total"). Registering the same name again
  /// with the same type, help and labels returns the existing family. Throws
  /// std::invalid_argument on a bad name, label name, empty help or a conflicting family.
  family<counter>& add_counter(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names = {});
  /// Registers a gauge family (see add_counter; a gauge's name must not end in "_total").
  family<gauge>& add_gauge(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names = {});
  /// Registers a histogram family with the given bucket bounds ("le" is a reserved label).
  family<histogram>& add_histogram(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names = {},
                                   std::vector<double> bounds = buckets::prometheus_default());

  void add_collector(collector c);

  /// Every family with samples (registered and collected), ordered by name.
  [[nodiscard]] std::vector<family_snapshot> collect() const;
  /// collect() as Prometheus text format 0.0.4.
  [[nodiscard]] std::string expose() const;

 private:
  family_base& add(metric_type type, std::string_view name, std::string_view help,
                   std::vector<std::string> label_names, std::vector<double> bounds);
  /// Appends every collector's families (under mu_).
  void run_collectors(std::vector<family_snapshot>& out) const;

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<family_base>, std::less<>> families_;
  std::vector<collector> collectors_;
  mutable std::atomic<std::size_t> last_size_{0};  ///< of the last expose(), to reserve
};

/// A process-wide registry for code that has no registry passed in. Prefer passing one.
[[nodiscard]] registry& default_registry() noexcept;

}  // namespace vmterm::metrics
