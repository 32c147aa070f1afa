#pragma once
/// The compose/ stack's configuration files as data for tests: YAML files read through
/// python3-yaml (the Debian package; no YAML library in the build), JSON with nlohmann_json,
/// and the PromQL expressions of every dashboard, rule and datasource link, with Grafana's
/// variables replaced by values a plain Prometheus query accepts.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmterm::test::stack {

/// compose/ in the source tree.
[[nodiscard]] std::filesystem::path compose_dir();

/// A YAML file as JSON (throws std::runtime_error naming the file when python3 cannot read it).
[[nodiscard]] nlohmann::json read_yaml(const std::filesystem::path& file);
[[nodiscard]] nlohmann::json read_json(const std::filesystem::path& file);

/// compose/grafana/dashboards/*.json, sorted by name.
[[nodiscard]] std::vector<std::filesystem::path> dashboard_files();
/// compose/prometheus/rules/*rules*.yml, sorted by name.
[[nodiscard]] std::vector<std::filesystem::path> rule_files();

struct promql {
  std::string where;  ///< "vmterm-red.json: panel 'Request rate by service' A"
  std::string expr;   ///< as written
  std::string query;  ///< with $__rate_interval, $service, $__tags... replaced
};
/// Every PromQL expression: dashboard targets and variable queries (label_values(X, l) → X),
/// rule expressions, and the Jaeger datasource's traces-to-metrics queries.
[[nodiscard]] std::vector<promql> all_promql();

/// Grafana variables replaced: $__rate_interval/$__interval → 1m, $__range → 5m, $__tags →
/// service_name=~".+", $var → .* (and $$ → $ for provisioning files).
[[nodiscard]] std::string substitute_grafana(std::string expr);

}  // namespace vmterm::test::stack
