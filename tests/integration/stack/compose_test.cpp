// compose/ without a Docker engine: what docker-compose 1.29 and promtool validate, and the
// invariants users trip over (see shared/reference/observability-stack.md §5): endpoints on
// 0.0.0.0 inside containers, published ports on loopback, SPM's normalize flags and namespace
// agreeing across collector, Jaeger and Prometheus, provisioned datasource uids, no ${DS_...}.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config_files.hpp"
#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;
using namespace vmterm::test::stack;
using nlohmann::json;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

run_result compose(const std::vector<std::string>& args, env_changes env = {}) {
  std::vector<std::string> argv{require_program("docker-compose", "docker-compose").string(), "-f",
                                (compose_dir() / "docker-compose.yml").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  // The variables a user may set are unset here: the defaults are what is checked.
  for (const char* v : {"VMTERM_BIND", "VMTERM_PORT", "VMTERM_TOKEN_FILE", "VMTERM_VERSION",
                        "VMTERM_PUBLIC_HOST"}) {
    if (!env.count(v)) env[v] = std::nullopt;
  }
  return run(argv, {.env = env});
}

/// Every "endpoint" (and telemetry "host") value below `j`, with its path.
void endpoints(const json& j, const std::string& path,
               std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if ((k == "endpoint" || k == "host") && v.is_string()) {
        out.emplace_back(path + "." + k, v.get<std::string>());
      } else {
        endpoints(v, path + "." + k, out);
      }
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) endpoints(j[i], path + "[]", out);
  }
}

/// Listening endpoints (receivers, extensions, the prometheus exporter, telemetry readers) must
/// be 0.0.0.0:PORT: a component's default, localhost, is unreachable from other containers.
void check_listening_endpoints(const json& config, const std::string& file) {
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto* section : {"receivers", "extensions"}) {
    if (config.contains(section)) endpoints(config[section], section, found);
  }
  if (config["exporters"].contains("prometheus")) {
    endpoints(config["exporters"]["prometheus"], "exporters.prometheus", found);
  }
  endpoints(config["service"]["telemetry"], "service.telemetry", found);
  REQUIRE_FALSE(found.empty());
  for (const auto& [where, value] : found) {
    INFO(file << ": " << where << " = " << value);
    // A metric backend's endpoint is a URL Jaeger reads from, not one it listens on.
    if (value.rfind("http://", 0) == 0) continue;
    CHECK((value == "0.0.0.0" || value.rfind("0.0.0.0:", 0) == 0));
  }
}

}  // namespace

TEST_CASE("docker-compose 1.29 validates compose/docker-compose.yml with its services",
          "[stack][compose]") {
  const auto q = compose({"config", "-q"});
  INFO(q.err);
  REQUIRE(q.exit_code == 0);
  CHECK(q.err.empty());
  const auto s = compose({"config", "--services"});
  REQUIRE(s.exit_code == 0);
  std::set<std::string> services;
  std::istringstream lines(s.out);
  for (std::string l; std::getline(lines, l);) services.insert(l);
  CHECK(services == std::set<std::string>{"grafana", "jaeger", "otel-collector", "prometheus",
                                          "redis", "vmterm-beat-a", "vmterm-beat-b", "vmterm-serve",
                                          "vmterm-worker"});
}

TEST_CASE("compose publishes ports on 127.0.0.1 only, unless VMTERM_BIND says otherwise",
          "[stack][compose]") {
  temp_dir dir;
  for (const std::string bind : {"", "0.0.0.0"}) {
    env_changes env;
    if (!bind.empty()) env["VMTERM_BIND"] = bind;
    const auto r = compose({"config"}, env);
    REQUIRE(r.exit_code == 0);
    std::ofstream(dir / "rendered.yml") << r.out;
    const auto c = read_yaml(dir / "rendered.yml");
    int published = 0;
    for (const auto& [name, svc] : c["services"].items()) {
      INFO(name);
      // Scalable services publish nothing (--scale needs that); the rest name their host IP.
      if (name == "vmterm-worker" || name == "redis" || name == "otel-collector") {
        CHECK_FALSE(svc.contains("ports"));
      }
      for (const auto& p : svc.value("ports", json::array())) {
        ++published;
        const auto text = p.is_string() ? p.get<std::string>() : p.value("host_ip", "");
        CHECK(text.rfind((bind.empty() ? "127.0.0.1" : bind) + ":", 0) == 0);
      }
    }
    CHECK(published == 4);  // serve 8000, Jaeger 16686, Prometheus 9090, Grafana 3000
  }
}

TEST_CASE("docker-compose config fails on a broken file and names what is wrong",
          "[stack][compose]") {
  // A broken file is refused with the file named: the check can fail.
  temp_dir dir;
  auto text = slurp(compose_dir() / "docker-compose.yml");
  text.replace(text.find("condition: service_healthy"), 26, "condition: service_dreaming");
  std::ofstream(dir / "docker-compose.yml") << text;
  const auto r = run({require_program("docker-compose", "docker-compose").string(), "-f",
                      (dir / "docker-compose.yml").string(), "config", "-q"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("service_dreaming"));
}

TEST_CASE("promtool accepts the Prometheus config and rules, and the rule unit tests pass",
          "[stack][promtool]") {
  const auto promtool = require_program("promtool", "prometheus").string();
  // --syntax-only: the token file it names exists only inside the container.
  const auto config = run({promtool, "check", "config", "--syntax-only",
                           (compose_dir() / "prometheus/prometheus.yml").string()});
  INFO(config.out << config.err);
  CHECK(config.exit_code == 0);
  const auto files = rule_files();
  REQUIRE(files.size() >= 1);
  for (const auto& f : files) {
    const auto rules = run({promtool, "check", "rules", f.string()});
    INFO(rules.out << rules.err);
    CHECK(rules.exit_code == 0);
  }
  const auto tests = run(
      {promtool, "test", "rules", (compose_dir() / "prometheus/tests/vmterm-test.yml").string()});
  INFO(tests.out << tests.err);
  CHECK(tests.exit_code == 0);
  CHECK_THAT(tests.out, Catch::Contains("SUCCESS"));
}

TEST_CASE("every alert of the rules has a promtool unit test that fires it", "[stack][promtool]") {
  const auto tests = slurp(compose_dir() / "prometheus/tests/vmterm-test.yml");
  int alerts = 0;
  for (const auto& f : rule_files()) {
    const auto doc = read_yaml(f);
    for (const auto& g : doc["groups"]) {
      for (const auto& r : g["rules"]) {
        if (!r.contains("alert")) continue;
        ++alerts;
        const auto name = r["alert"].get<std::string>();
        INFO(name);
        // An expectation with exp_labels under this alert name, i.e. a test where it fires.
        const std::regex fires("alertname: " + name + R"(\n\s+exp_alerts:\n\s+- exp_labels)");
        CHECK(std::regex_search(tests, fires));
        CHECK(r.contains("annotations"));
        CHECK(r["annotations"].contains("description"));
      }
    }
  }
  CHECK(alerts >= 7);  // error rate, latency, worker gone, queue, beat, SSH, health probe
}

TEST_CASE("collector and Jaeger listen on 0.0.0.0 and agree with Prometheus on SPM's names",
          "[stack][spm]") {
  const auto collector = read_yaml(compose_dir() / "otel-collector/config.yaml");
  const auto jaeger = read_yaml(compose_dir() / "jaeger/config.yaml");
  check_listening_endpoints(collector, "otel-collector/config.yaml");
  check_listening_endpoints(jaeger, "jaeger/config.yaml");

  // Span metrics are computed once, by the collector: Jaeger has no spanmetrics connector.
  CHECK_FALSE(jaeger.contains("connectors"));
  const auto& sm = collector["connectors"]["spanmetrics"];
  const auto& traces = collector["service"]["pipelines"]["traces"]["exporters"];
  CHECK(std::find(traces.begin(), traces.end(), "spanmetrics") != traces.end());
  CHECK(std::find(traces.begin(), traces.end(), "otlp/jaeger") != traces.end());
  CHECK(collector["exporters"]["otlp/jaeger"]["endpoint"] == "jaeger:4317");
  // status.code stays a dimension: Jaeger's error rate needs it.
  CHECK_FALSE(sm.contains("exclude_dimensions"));
  // memory_limiter first.
  CHECK(collector["service"]["pipelines"]["traces"]["processors"][0] == "memory_limiter");

  // The namespace: traces.span.metrics in the connector is traces_span_metrics in Prometheus,
  // which is what Jaeger queries (and what the dashboards and rules use).
  auto ns = sm["namespace"].get<std::string>();
  std::replace(ns.begin(), ns.end(), '.', '_');
  const auto& prom =
      jaeger["extensions"]["jaeger_storage"]["metric_backends"]["prometheus_store"]["prometheus"];
  CHECK(prom["metric_namespace"] == ns);
  CHECK(prom["normalize_calls"] == true);
  CHECK(prom["normalize_duration"] == true);
  CHECK(prom["latency_unit"] == sm["histogram"]["unit"]);
  CHECK(prom["endpoint"] == "http://prometheus:9090");
  CHECK(jaeger["extensions"]["jaeger_query"]["storage"]["metrics"] == "prometheus_store");
  // With normalize_* the names carry _total and _milliseconds: every span-metric name the
  // dashboards and rules use is one of those.
  const std::regex span_metric(ns + R"([a-z_]*)");
  for (const auto& q : all_promql()) {
    for (std::sregex_iterator it(q.expr.begin(), q.expr.end(), span_metric), end; it != end; ++it) {
      INFO(q.where << ": " << it->str());
      CHECK(
          (it->str() == ns + "_calls_total" || it->str() == ns + "_duration_milliseconds_bucket"));
    }
  }
  // Prometheus scrapes the exporter the collector serves them on.
  const auto p = read_yaml(compose_dir() / "prometheus/prometheus.yml");
  std::set<std::string> targets;
  for (const auto& job : p["scrape_configs"]) {
    for (const auto& sc : job.value("static_configs", json::array())) {
      for (const auto& t : sc["targets"]) targets.insert(t.get<std::string>());
    }
  }
  CHECK(collector["exporters"]["prometheus"]["endpoint"] == "0.0.0.0:8889");
  CHECK(targets.count("otel-collector:8889") == 1);
  CHECK(targets.count("jaeger:8888") == 1);
  CHECK(targets.count("vmterm-serve:8000") == 1);
  // Host metrics read the host's root, mounted at /hostfs.
  CHECK(collector["receivers"]["hostmetrics"]["root_path"] == "/hostfs");
}

TEST_CASE(
    "Grafana: every datasource uid a dashboard uses is provisioned, no DS_ inputs, every panel "
    "described",
    "[stack][grafana]") {
  const auto ds_file = compose_dir() / "grafana/provisioning/datasources/vmterm.yaml";
  const auto ds = read_yaml(ds_file);
  std::set<std::string> uids;
  for (const auto& d : ds["datasources"]) uids.insert(d["uid"].get<std::string>());
  CHECK(uids == std::set<std::string>{"prometheus", "jaeger"});
  // Links between datasources name provisioned uids too.
  for (const auto& d : ds["datasources"]) {
    const auto& jd = d.value("jsonData", json::object());
    if (jd.contains("tracesToMetrics")) {
      CHECK(uids.count(jd["tracesToMetrics"]["datasourceUid"].get<std::string>()) == 1);
    }
    for (const auto& e : jd.value("exemplarTraceIdDestinations", json::array())) {
      CHECK(uids.count(e["datasourceUid"].get<std::string>()) == 1);
    }
  }
  // Grafana expands $VAR in provisioning files: every literal $ is written $$.
  const auto raw = slurp(ds_file);
  CHECK_FALSE(std::regex_search(raw, std::regex(R"((^|[^$])\$[^$])")));

  const auto files = dashboard_files();
  REQUIRE(files.size() == 4);
  std::set<std::string> dashboard_uids;
  for (const auto& f : files) {
    INFO(f.filename().string());
    const auto text = slurp(f);
    CHECK(text.find("${DS_") == std::string::npos);
    CHECK(text.find("__inputs") == std::string::npos);
    const auto d = json::parse(text);
    CHECK(dashboard_uids.insert(d["uid"].get<std::string>()).second);
    CHECK(d["uid"].get<std::string>() + ".json" == f.filename().string());
    CHECK_FALSE(d.contains("id"));
    std::function<void(const json&)> uses = [&](const json& j) {
      if (j.is_object()) {
        if (j.contains("datasource") && j["datasource"].is_object()) {
          INFO(j["datasource"].dump());
          CHECK(uids.count(j["datasource"]["uid"].get<std::string>()) == 1);
        }
        for (const auto& [k, v] : j.items()) uses(v);
      } else if (j.is_array()) {
        for (const auto& v : j) uses(v);
      }
    };
    uses(d);
    REQUIRE(d["panels"].size() >= 6);
    for (const auto& p : d["panels"]) {
      INFO(p["title"]);
      CHECK(p.value("description", std::string()).size() > 20);
      CHECK_FALSE(p["targets"].empty());
      CHECK(p["gridPos"]["x"].get<int>() + p["gridPos"]["w"].get<int>() <= 24);
    }
  }
  // The provider reads the directory compose mounts them at.
  const auto prov = read_yaml(compose_dir() / "grafana/provisioning/dashboards/vmterm.yaml");
  CHECK(prov["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards");
  CHECK(slurp(compose_dir() / "docker-compose.yml")
            .find("./grafana/dashboards:/var/lib/grafana/dashboards:ro") != std::string::npos);
}

TEST_CASE("the PromQL list covers every dashboard target, variable and rule", "[stack][promql]") {
  const auto all = all_promql();
  std::size_t targets = 0, rules = 0;
  for (const auto& f : dashboard_files()) {
    const auto d = read_json(f);
    for (const auto& p : d["panels"]) targets += p["targets"].size();
  }
  for (const auto& f : rule_files()) {
    const auto doc = read_yaml(f);
    for (const auto& g : doc["groups"]) rules += g["rules"].size();
  }
  CHECK(all.size() > targets + rules);  // plus variables and datasource links
  for (const auto& q : all) {
    INFO(q.where << ": " << q.query);
    CHECK(q.query.find('$') == std::string::npos);
  }
  CHECK(substitute_grafana(R"(rate(x{a=~"$service"}[$__rate_interval]) $$__tags)") ==
        R"(rate(x{a=~".*"}[1m]) service_name=~".+")");
}
