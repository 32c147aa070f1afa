#include "metrics/family.hpp"

#include <stdexcept>

#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"

namespace vmterm::metrics {

family_base::family_base(std::string name, std::string help, metric_type type,
                         std::vector<std::string> label_names, std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

void family_base::check_arity(std::size_t got) const {
  if (got == label_names_.size()) return;
  std::string names;
  for (const auto& n : label_names_) names.append(names.empty() ? "" : ", ").append(n);
  throw std::invalid_argument("metric '" + name_ + "' takes " +
                              std::to_string(label_names_.size()) + " label values (" + names +
                              "), got " + std::to_string(got));
}

std::vector<label_pair> family_base::label_pairs(const std::vector<std::string>& values) const {
  std::vector<label_pair> out;
  out.reserve(values.size() + (type_ == metric_type::histogram ? 1 : 0));
  for (std::size_t i = 0; i < values.size(); ++i) out.emplace_back(label_names_[i], values[i]);
  return out;
}

template <class Metric>
family<Metric>::family(std::string name, std::string help, metric_type type,
                       std::vector<std::string> label_names, std::vector<double> bounds)
    : family_base(std::move(name), std::move(help), type, std::move(label_names),
                  std::move(bounds)) {
  if (label_names_.empty()) (void)labels(std::span<const std::string_view>{});
}

template <class Metric>
Metric& family<Metric>::labels(std::span<const std::string_view> values) {
  check_arity(values.size());
  const std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::unique_ptr<Metric> child;
    if constexpr (std::is_default_constructible_v<Metric>) {
      child = std::make_unique<Metric>();
    } else {
      child = std::make_unique<Metric>(std::span<const double>(bounds_));
    }
    it = children_.emplace(std::vector<std::string>(values.begin(), values.end()), std::move(child))
             .first;
  }
  return *it->second;
}

template <class Metric>
family_snapshot family<Metric>::collect() const {
  family_snapshot f{name_, help_, type_, {}};
  const std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) {
    child->collect(name_, label_pairs(values), f.samples);
  }
  return f;
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

}  // namespace vmterm::metrics
