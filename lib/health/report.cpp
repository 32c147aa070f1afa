#include "health/report.hpp"

#include <nlohmann/json.hpp>

#include "health/range.hpp"

namespace vmterm::health {

namespace {

constexpr std::size_t max_line_text = 120;

/// No '|' (it starts perfdata) and no line breaks inside one line's text.
std::string clean(std::string_view text, std::size_t limit) {
  std::string out;
  for (char c : text) {
    if (c == '|' || c == '\n' || c == '\r' || c == '\t') c = ' ';
    out += c;
  }
  if (out.size() > limit) out = out.substr(0, limit - 3) + "...";
  return out;
}

std::string label(const check_result& c) {
  return c.target.empty() ? c.kind : c.kind + " " + c.target;
}

std::string colored(state s, bool color) {
  std::string name(state_name(s));
  if (!color) return name;
  const char* code = s == state::ok         ? "32"
                     : s == state::warning  ? "33"
                     : s == state::critical ? "31"
                                            : "35";
  return std::string("\x1b[") + code + "m" + name + "\x1b[0m";
}

}  // namespace

state overall(const report& r) {
  if (r.checks.empty()) return state::unknown;
  state s = state::ok;
  for (const auto& c : r.checks) s = worst(s, c.status);
  return s;
}

std::string summary(const report& r) {
  for (state wanted : {state::critical, state::unknown, state::warning}) {
    for (const auto& c : r.checks) {
      if (c.status == wanted) return label(c) + ": " + c.output;
    }
  }
  const auto n = std::to_string(r.checks.size());
  return n + " of " + n + (r.checks.size() == 1 ? " check ok" : " checks ok");
}

std::string render_nagios(const report& r, int verbosity) {
  std::vector<perfdata> all;
  for (const auto& c : r.checks) all.insert(all.end(), c.perf.begin(), c.perf.end());
  std::string out =
      "HEALTH " + std::string(state_name(overall(r))) + " - " + clean(summary(r), max_line_text);
  if (!all.empty()) out += " | " + format(all);
  out += '\n';
  for (const auto& c : r.checks) {
    out += c.kind + " " + std::string(state_name(c.status)) + " - " +
           clean(c.target.empty() ? c.output : c.target + ": " + c.output, max_line_text) + '\n';
    if (verbosity >= 1) {
      for (const auto& d : c.detail) out += "  " + clean(d, 400) + '\n';
    }
  }
  return out;
}

std::string render_text(const report& r, int verbosity, bool color) {
  std::string out;
  for (const auto& c : r.checks) {
    std::string name(state_name(c.status));
    out += colored(c.status, color) + std::string(9 - name.size(), ' ') + label(c) + ": " +
           c.output + '\n';
    if (verbosity >= 1) {
      for (const auto& d : c.detail) out += "         " + d + '\n';
    }
  }
  out += "HEALTH " + colored(overall(r), color) + " - " + summary(r) + '\n';
  if (verbosity >= 1 && !r.trace_id.empty()) out += "trace " + r.trace_id + '\n';
  return out;
}

std::string render_json(const report& r) {
  using json = nlohmann::ordered_json;
  json checks = json::array();
  for (const auto& c : r.checks) {
    json perf = json::array();
    for (const auto& p : c.perf) {
      perf.push_back({{"label", p.label},
                      {"value", p.value ? json(*p.value) : json(nullptr)},
                      {"uom", p.uom},
                      {"warn", p.warn.empty() ? json(nullptr) : json(p.warn)},
                      {"crit", p.crit.empty() ? json(nullptr) : json(p.crit)},
                      {"min", p.min ? json(*p.min) : json(nullptr)},
                      {"max", p.max ? json(*p.max) : json(nullptr)}});
    }
    checks.push_back({{"name", c.kind},
                      {"target", c.target},
                      {"state", state_name(c.status)},
                      {"output", c.output},
                      {"latency_s", c.latency_s ? json(*c.latency_s) : json(nullptr)},
                      {"error_type", c.error_type.empty() ? json(nullptr) : json(c.error_type)},
                      {"attempts", c.attempts},
                      {"perfdata", perf},
                      {"detail", c.detail}});
  }
  const state s = overall(r);
  json doc = {{"state", state_name(s)},
              {"exit_code", static_cast<int>(s)},
              {"summary", summary(r)},
              {"trace_id", r.trace_id.empty() ? json(nullptr) : json(r.trace_id)},
              {"checks", checks}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
}

std::string usage_line(std::string_view reason) { return "UNKNOWN - " + clean(reason, 400); }

}  // namespace vmterm::health
