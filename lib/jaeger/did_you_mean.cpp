#include "jaeger/did_you_mean.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <vector>

namespace vmterm::jaeger {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> nearest_name(std::string_view name, std::span<const std::string> known) {
  for (const auto& k : known) {
    if (equal_ignoring_case(k, name)) return k;
  }
  const std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, name.size() / 3));
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& k : known) {
    const auto d = edit_distance(name, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

std::string unknown_name_message(std::string_view what, std::string_view name,
                                 std::span<const std::string> known) {
  std::string out = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (auto near = nearest_name(name, known)) return out + ", did you mean '" + *near + "'?";
  if (known.empty()) return out + "; no " + std::string(what) + "s are known";
  constexpr std::size_t max_listed = 10;
  out += "; known " + std::string(what) + "s: ";
  for (std::size_t i = 0; i < known.size() && i < max_listed; ++i) {
    if (i > 0) out += ", ";
    out += known[i];
  }
  if (known.size() > max_listed)
    out += " and " + std::to_string(known.size() - max_listed) + " more";
  return out;
}

}  // namespace vmterm::jaeger
