#pragma once
/// A metric family: one name, help text, type and label names, and one child metric per set
/// of label values. Callers look a child up once and keep the reference: children live as long
/// as the registry that owns the family, and updating them takes no lock.
///
/// Children are stored compactly, for families with many series (vmterm-beat has one per
/// schedule entry: 10,000 and more): each child is its label values joined into one string and
/// the metric, side by side in a deque (no allocation per child beyond the string's own, which
/// short values avoid), found through an open-addressing table of 4-byte indexes. About 56
/// bytes a counter series, where a map of label vectors to heap-allocated metrics took ~125.

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"
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

  /// Appends the family as Prometheus text (HELP, TYPE, then each child ordered by label
  /// values), as write_text(collect()) would, without building the snapshot: a scrape of 10,000
  /// series costs the text, not a sample object per line. Nothing when it has no children.
  virtual void write_text(std::string& out) const = 0;

  /// About how many bytes write_text appends (a little more rather than less), so that a
  /// scrape reserves its text once instead of doubling it (old and new buffer alive at once).
  [[nodiscard]] virtual std::size_t text_size_hint() const = 0;

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

namespace detail {

/// Label values joined into one string that orders as the tuple does: values are separated by
/// "\0\0" and a NUL inside a value is written "\0\1", so the separator sorts below any
/// content. A single value without NUL is its own key.
[[nodiscard]] std::string join_label_values(std::span<const std::string_view> values);
/// The inverse of join_label_values.
[[nodiscard]] std::vector<std::string> split_label_values(std::string_view key, std::size_t n);

/// Open addressing over indexes into a family's children (0 = empty slot, else index + 1),
/// linear probing, grown at half full. Not thread-safe: the family's lock guards it.
class child_index {
 public:
  /// The index whose key (as `key_of(index)` gives it) equals `key`, or npos.
  template <class KeyOf>
  [[nodiscard]] std::size_t find(std::string_view key, std::size_t hash, KeyOf key_of) const {
    if (slots_.empty()) return npos;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const auto s = slots_[i];
      if (s == 0) return npos;
      if (key_of(s - 1) == key) return s - 1;
    }
  }
  /// Adds index `at` (not present yet); `hash_of(index)` rehashes on growth.
  template <class HashOf>
  void insert(std::size_t at, std::size_t hash, HashOf hash_of) {
    if ((size_ + 1) * 2 > slots_.size()) {
      std::vector<std::uint32_t> old(std::max<std::size_t>(16, slots_.size() * 2), 0);
      old.swap(slots_);
      for (const auto s : old) {
        if (s != 0) place(s, hash_of(s - 1));
      }
    }
    place(static_cast<std::uint32_t>(at + 1), hash);
    ++size_;
  }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  void place(std::uint32_t slot, std::size_t hash) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
  std::vector<std::uint32_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace detail

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
  void write_text(std::string& out) const override;
  [[nodiscard]] std::size_t text_size_hint() const override;

 private:
  struct child {
    template <class... A>
    explicit child(std::string k, A&&... a) : key(std::move(k)), metric(std::forward<A>(a)...) {}
    std::string key;  ///< detail::join_label_values
    Metric metric;
  };
  /// Indexes into children_ ordered by key (the exposition order). Under mu_.
  [[nodiscard]] std::vector<std::uint32_t> ordered() const;

  mutable std::mutex mu_;
  std::deque<child> children_;  ///< never moves an element: references stay valid
  detail::child_index index_;
};

// Compiled once, in family.cpp.
extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;

}  // namespace vmterm::metrics
