#include "metrics/family.hpp"

#include <functional>
#include <stdexcept>

#include "metrics/counter.hpp"
#include "metrics/exposition.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"

namespace vmterm::metrics {

namespace detail {

std::string join_label_values(std::span<const std::string_view> values) {
  std::string key;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) key.append(2, '\0');
    for (const char c : values[i]) {
      key.push_back(c);
      if (c == '\0') key.push_back('\1');
    }
  }
  return key;
}

std::vector<std::string> split_label_values(std::string_view key, std::size_t n) {
  std::vector<std::string> out(n);
  std::size_t v = 0;
  for (std::size_t i = 0; i < key.size() && v < n; ++i) {
    if (key[i] == '\0' && i + 1 < key.size()) {
      ++i;
      if (key[i] == '\0') {
        ++v;
        continue;
      }
      out[v].push_back('\0');  // "\0\1": a NUL inside the value
      continue;
    }
    out[v].push_back(key[i]);
  }
  return out;
}

}  // namespace detail

namespace {

std::size_t hash_key(std::string_view key) { return std::hash<std::string_view>{}(key); }

/// `a="x",b="y"` for the key's values (escaped), appended to `out`.
void append_labels(std::string& out, const std::vector<std::string>& names, std::string_view key) {
  if (names.size() == 1 && key.find('\0') == std::string_view::npos) {  // the common case
    out.append(names[0]).append("=\"");
    append_escaped_label_value(out, key);
    out.push_back('"');
    return;
  }
  const auto values = detail::split_label_values(key, names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(names[i]).append("=\"");
    append_escaped_label_value(out, values[i]);
    out.push_back('"');
  }
}

/// One sample line: `name{labels} value` (labels already escaped, may be empty).
void append_line(std::string& out, std::string_view name, std::string_view suffix,
                 std::string_view labels, double v) {
  out.append(name).append(suffix);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.push_back(' ');
  append_value(out, v);
  out.push_back('\n');
}

void write_child(std::string& out, std::string_view name, std::string_view labels,
                 const std::vector<double>&, const counter& c) {
  append_line(out, name, "", labels, c.value());
}
void write_child(std::string& out, std::string_view name, std::string_view labels,
                 const std::vector<double>&, const gauge& g) {
  append_line(out, name, "", labels, g.value());
}
void write_child(std::string& out, std::string_view name, std::string_view labels,
                 const std::vector<double>& bounds, const histogram& h) {
  const auto t = h.read();
  std::string with_le(labels);
  const std::size_t base = with_le.size();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    with_le.resize(base);
    if (base > 0) with_le.push_back(',');
    with_le.append("le=\"");
    if (i < bounds.size()) {
      append_value(with_le, bounds[i]);
    } else {
      with_le.append("+Inf");
    }
    with_le.push_back('"');
    append_line(out, name, "_bucket", with_le, static_cast<double>(t.cumulative[i]));
  }
  append_line(out, name, "_sum", labels, t.sum);
  append_line(out, name, "_count", labels, static_cast<double>(t.count));
}

}  // namespace

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
  std::string key = detail::join_label_values(values);
  const auto hash = hash_key(key);
  const std::lock_guard lock(mu_);
  const auto key_of = [this](std::size_t i) { return std::string_view(children_[i].key); };
  if (const auto at = index_.find(key, hash, key_of); at != detail::child_index::npos) {
    return children_[at].metric;
  }
  if constexpr (std::is_default_constructible_v<Metric>) {
    children_.emplace_back(std::move(key));
  } else {
    children_.emplace_back(std::move(key), std::span<const double>(bounds_));
  }
  index_.insert(children_.size() - 1, hash,
                [this](std::size_t i) { return hash_key(children_[i].key); });
  return children_.back().metric;
}

template <class Metric>
std::vector<std::uint32_t> family<Metric>::ordered() const {
  std::vector<std::uint32_t> order(children_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(),
            [this](auto a, auto b) { return children_[a].key < children_[b].key; });
  return order;
}

template <class Metric>
family_snapshot family<Metric>::collect() const {
  family_snapshot f{name_, help_, type_, {}};
  const std::lock_guard lock(mu_);
  for (const auto i : ordered()) {
    const auto& c = children_[i];
    c.metric.collect(name_, label_pairs(detail::split_label_values(c.key, label_names_.size())),
                     f.samples);
  }
  return f;
}

template <class Metric>
void family<Metric>::write_text(std::string& out) const {
  const std::lock_guard lock(mu_);
  if (children_.empty()) return;
  out.append("# HELP ").append(name_).push_back(' ');
  append_escaped_help(out, help_);
  out.append("\n# TYPE ").append(name_).push_back(' ');
  out.append(to_string(type_)).push_back('\n');
  std::string labels;
  for (const auto i : ordered()) {
    const auto& c = children_[i];
    labels.clear();
    if (!label_names_.empty()) append_labels(labels, label_names_, c.key);
    write_child(out, name_, labels, bounds_, c.metric);
  }
}

template <class Metric>
std::size_t family<Metric>::text_size_hint() const {
  const std::lock_guard lock(mu_);
  if (children_.empty()) return 0;
  std::size_t keys = 0;
  for (const auto& c : children_) keys += c.key.size();
  std::size_t per_line = name_.size() + 32;  // suffix, braces, quotes, the value
  for (const auto& l : label_names_) per_line += l.size() + 4;
  const std::size_t lines = type_ == metric_type::histogram ? bounds_.size() + 3 : 1;
  return 2 * (name_.size() + 12) + help_.size() + 16 +
         lines * (children_.size() * per_line + keys + children_.size() * 16);
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

}  // namespace vmterm::metrics
