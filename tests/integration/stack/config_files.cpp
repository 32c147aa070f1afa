#include "config_files.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "process.hpp"

namespace vmterm::test::stack {

namespace fs = std::filesystem;

fs::path compose_dir() { return source_dir() / "compose"; }

nlohmann::json read_yaml(const fs::path& file) {
  const auto r = run({"python3", "-c",
                      "import json, sys, yaml\n"
                      "json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)\n",
                      file.string()});
  if (r.exit_code != 0) {
    throw std::runtime_error(file.string() + ": python3-yaml cannot read it: " + r.err);
  }
  return nlohmann::json::parse(r.out);
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  return nlohmann::json::parse(in);
}

namespace {

std::vector<fs::path> files_in(const fs::path& dir, const std::regex& name) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && std::regex_match(e.path().filename().string(), name)) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<fs::path> dashboard_files() {
  return files_in(compose_dir() / "grafana/dashboards", std::regex(R"(.*\.json)"));
}

std::vector<fs::path> rule_files() {
  return files_in(compose_dir() / "prometheus/rules", std::regex(R"(.*rules.*\.yml)"));
}

std::string substitute_grafana(std::string expr) {
  static const std::vector<std::pair<std::regex, std::string>> subs{
      {std::regex(R"(\$\$)"), "$"},
      {std::regex(R"(\$__rate_interval|\$__interval)"), "1m"},
      {std::regex(R"(\$__range)"), "5m"},
      {std::regex(R"(\$__tags)"), "service_name=~\".+\""},
      {std::regex(R"(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)"), ".*"},
  };
  for (const auto& [re, with] : subs) expr = std::regex_replace(expr, re, with);
  return expr;
}

std::vector<promql> all_promql() {
  std::vector<promql> out;
  const std::regex label_values(R"(^label_values\((.*),\s*[A-Za-z_]+\)$)");
  for (const auto& file : dashboard_files()) {
    const auto d = read_json(file);
    const auto name = file.filename().string();
    for (const auto& p : d.value("panels", nlohmann::json::array())) {
      for (const auto& t : p.value("targets", nlohmann::json::array())) {
        const auto expr = t.value("expr", std::string());
        out.push_back({name + ": panel '" + p.value("title", std::string()) + "' " +
                           t.value("refId", std::string()),
                       expr, substitute_grafana(expr)});
      }
    }
    for (const auto& v : d["templating"].value("list", nlohmann::json::array())) {
      if (v.value("type", std::string()) != "query") continue;
      const auto q = v["query"].is_object() ? v["query"].value("query", std::string())
                                            : v["query"].get<std::string>();
      std::smatch m;
      const auto expr = std::regex_match(q, m, label_values) ? m[1].str() : q;
      out.push_back(
          {name + ": variable $" + v.value("name", std::string()), q, substitute_grafana(expr)});
    }
  }
  for (const auto& file : rule_files()) {
    const auto r = read_yaml(file);
    for (const auto& g : r["groups"]) {
      for (const auto& rule : g["rules"]) {
        const auto id = rule.contains("alert") ? rule["alert"].get<std::string>()
                                               : rule["record"].get<std::string>();
        const auto expr = rule["expr"].get<std::string>();
        out.push_back({file.filename().string() + ": " + id, expr, expr});
      }
    }
  }
  const auto ds = read_yaml(compose_dir() / "grafana/provisioning/datasources/vmterm.yaml");
  for (const auto& d : ds["datasources"]) {
    if (!d.contains("jsonData") || !d["jsonData"].contains("tracesToMetrics")) continue;
    for (const auto& q : d["jsonData"]["tracesToMetrics"]["queries"]) {
      const auto expr = q["query"].get<std::string>();
      out.push_back({"datasource " + d["uid"].get<std::string>() + ": tracesToMetrics '" +
                         q["name"].get<std::string>() + "'",
                     expr, substitute_grafana(expr)});
    }
  }
  return out;
}

}  // namespace vmterm::test::stack
