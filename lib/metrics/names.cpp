#include "metrics/names.hpp"

#include <string>

namespace vmterm::metrics {
namespace {

bool is_alpha_(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

expected<void> check_metric_name(std::string_view name) {
  bool ok = !name.empty();
  for (std::size_t i = 0; ok && i < name.size(); ++i) {
    const char c = name[i];
    ok = is_alpha_(c) || c == ':' || (i > 0 && is_digit(c));
  }
  if (ok) return {};
  return fail(std::errc::invalid_argument,
              "invalid metric name '" + std::string(name) + "': use [a-zA-Z_:][a-zA-Z0-9_:]*");
}

expected<void> check_label_name(std::string_view metric, std::string_view label) {
  bool ok = !label.empty();
  for (std::size_t i = 0; ok && i < label.size(); ++i) {
    ok = is_alpha_(label[i]) || (i > 0 && is_digit(label[i]));
  }
  const std::string prefix =
      "invalid label name '" + std::string(label) + "' for metric '" + std::string(metric) + "': ";
  if (!ok) return fail(std::errc::invalid_argument, prefix + "use [a-zA-Z_][a-zA-Z0-9_]*");
  if (label.starts_with("__")) {
    return fail(std::errc::invalid_argument, prefix + "names starting with '__' are reserved");
  }
  return {};
}

}  // namespace vmterm::metrics
