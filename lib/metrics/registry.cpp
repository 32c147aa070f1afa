#include "metrics/registry.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "metrics/exposition.hpp"
#include "metrics/names.hpp"

namespace vmterm::metrics {
namespace {

void throw_if(const expected<void>& e) {
  if (!e) throw std::invalid_argument(e.error().message);
}

/// Every check of a new family's definition; throws std::invalid_argument naming the input.
void check_definition(metric_type type, std::string_view name, std::string_view help,
                      const std::vector<std::string>& label_names) {
  throw_if(check_metric_name(name));
  const std::string what = std::string(to_string(type)) + " '" + std::string(name) + "'";
  const bool total = name.ends_with("_total");
  if (type == metric_type::counter && !total) {
    throw std::invalid_argument(what + ": counter names must end in '_total'; use '" +
                                std::string(name) + "_total'");
  }
  if (type != metric_type::counter && total) {
    throw std::invalid_argument(what + ": only counter names end in '_total'");
  }
  if (help.empty()) {
    throw std::invalid_argument(what + ": help text is empty; say what it measures");
  }
  std::set<std::string_view> seen;
  for (const auto& label : label_names) {
    throw_if(check_label_name(name, label));
    if (type == metric_type::histogram && label == "le") {
      throw std::invalid_argument("invalid label name 'le' for metric '" + std::string(name) +
                                  "': reserved for histogram buckets");
    }
    if (!seen.insert(label).second) {
      throw std::invalid_argument("duplicate label name '" + label + "' for metric '" +
                                  std::string(name) + "'");
    }
  }
}

}  // namespace

family_base& registry::add(metric_type type, std::string_view name, std::string_view help,
                           std::vector<std::string> label_names, std::vector<double> bounds) {
  check_definition(type, name, help, label_names);
  const std::lock_guard lock(mu_);
  if (const auto it = families_.find(name); it != families_.end()) {
    const family_base& f = *it->second;
    if (f.type() != type || f.help() != help || f.label_names() != label_names ||
        f.bounds() != bounds) {
      throw std::invalid_argument("metric '" + std::string(name) + "' is already registered as a " +
                                  std::string(to_string(f.type())) +
                                  " with other help, labels or buckets");
    }
    return *it->second;
  }
  std::unique_ptr<family_base> f;
  std::string n(name);
  std::string h(help);
  switch (type) {
    case metric_type::counter:
      f = std::make_unique<family<counter>>(n, h, type, std::move(label_names));
      break;
    case metric_type::gauge:
      f = std::make_unique<family<gauge>>(n, h, type, std::move(label_names));
      break;
    default:
      f = std::make_unique<family<histogram>>(n, h, type, std::move(label_names),
                                              std::move(bounds));
      break;
  }
  family_base& added = *f;
  families_.emplace(std::move(n), std::move(f));
  return added;
}

family<counter>& registry::add_counter(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names) {
  return static_cast<family<counter>&>(
      add(metric_type::counter, name, help, std::move(label_names), {}));
}

family<gauge>& registry::add_gauge(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names) {
  return static_cast<family<gauge>&>(
      add(metric_type::gauge, name, help, std::move(label_names), {}));
}

family<histogram>& registry::add_histogram(std::string_view name, std::string_view help,
                                           std::vector<std::string> label_names,
                                           std::vector<double> bounds) {
  auto checked = buckets::check(name, std::move(bounds));
  if (!checked) throw std::invalid_argument(checked.error().message);
  return static_cast<family<histogram>&>(
      add(metric_type::histogram, name, help, std::move(label_names), std::move(*checked)));
}

void registry::add_collector(collector c) {
  const std::lock_guard lock(mu_);
  collectors_.push_back(std::move(c));
}

void registry::run_collectors(std::vector<family_snapshot>& out) const {
  for (const auto& c : collectors_) {
    std::vector<family_snapshot> got;
    try {
      c(got);
    } catch (...) {
      continue;  // a failing collector loses its families for this scrape only
    }
    std::move(got.begin(), got.end(), std::back_inserter(out));
  }
}

std::vector<family_snapshot> registry::collect() const {
  std::vector<family_snapshot> out;
  {
    const std::lock_guard lock(mu_);
    out.reserve(families_.size());
    for (const auto& [name, f] : families_) out.push_back(f->collect());
    run_collectors(out);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  std::erase_if(out, [](const family_snapshot& f) { return f.samples.empty(); });
  return out;
}

std::string registry::expose() const {
  std::string out;
  {
    const std::lock_guard lock(mu_);
    // One allocation, not a doubling chain that holds the old and the new buffer (a 460 KB
    // scrape of 10,000 series peaked at ~1.9 MB): the families' estimate, or the last scrape's
    // size and a little more.
    std::size_t hint = 4096;
    for (const auto& [name, f] : families_) hint += f->text_size_hint();
    out.reserve(std::max(hint, last_size_.load(std::memory_order_relaxed) * 9 / 8 + 4096));
    std::vector<family_snapshot> extra;
    run_collectors(extra);
    std::stable_sort(extra.begin(), extra.end(),
                     [](const auto& a, const auto& b) { return a.name < b.name; });
    // Registered families stream their own text; collected ones (few) go through the snapshot
    // writer; merged by name as collect() orders them (registered first on a tie).
    auto e = extra.begin();
    for (const auto& [name, f] : families_) {
      for (; e != extra.end() && e->name < name; ++e) write_text(out, std::span(&*e, 1));
      f->write_text(out);
    }
    for (; e != extra.end(); ++e) write_text(out, std::span(&*e, 1));
  }
  last_size_.store(out.size(), std::memory_order_relaxed);
  return out;
}

registry& default_registry() noexcept {
  static registry r;
  return r;
}

}  // namespace vmterm::metrics
