#pragma once
/// A metric family: one name, help text, type and label names, and one child metric per set
/// of label values. Callers look a child up once and keep the reference: children live as long
/// as the registry that owns the family, and updating them takes no lock.

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

/// What every family shares, independent of its metric type. Thread-safe.
class family_base {
 public:
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;
  virtual ~family_base() = default;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& help() const noexcept { return help_; }
  [[nodiscard]] metric_type type() const noexcept { return type_; }
  [[nodiscard]] const std::vector<std::string>& label_names() const noexcept {
    return label_names_;
  }
  [[nodiscard]] const std::vector<double>& bounds() const noexcept { return bounds_; }

  /// A snapshot of every child, ordered by label values.
  [[nodiscard]] virtual family_snapshot collect() const = 0;

 protected:
  family_base(std::string name, std::string help, metric_type type,
              std::vector<std::string> label_names, std::vector<double> bounds);

  /// Throws std::invalid_argument: "metric 'x' takes 2 label values (method, code), got 1".
  void check_arity(std::size_t got) const;
  [[nodiscard]] std::vector<label_pair> label_pairs(const std::vector<std::string>& values) const;

  std::string name_;
  std::string help_;
  metric_type type_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  ///< histogram bucket bounds; empty for other types
};

/// Orders label-value tuples, comparing stored strings with looked-up views without copying.
struct label_values_less {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); });
  }
};

template <class Metric>
class family final : public family_base {
 public:
  /// Creates the family; a family without labels gets its single child at once.
  family(std::string name, std::string help, metric_type type, std::vector<std::string> label_names,
         std::vector<double> bounds = {});

  /// The child for these label values (one per label name, in order), created on first use.
  /// Throws std::invalid_argument when the count is wrong.
  Metric& labels(std::span<const std::string_view> values);

  /// `labels("GET", "200")`; `labels()` for a family without labels.
  template <class... V>
  Metric& labels(const V&... values) {
    const std::array<std::string_view, sizeof...(V)> views{std::string_view(values)...};
    return labels(std::span<const std::string_view>(views));
  }

  [[nodiscard]] family_snapshot collect() const override;

 private:
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, label_values_less> children_;
};

class counter;
class gauge;
class histogram;
// Compiled once, in family.cpp.
extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;

}  // namespace vmterm::metrics
