#include "jaeger/list_json.hpp"

#include <nlohmann/json.hpp>

namespace vmterm::jaeger {
namespace {

using json = nlohmann::ordered_json;

std::string line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_services_json(const std::vector<std::string>& services) {
  return line(json{{"services", services}});
}

std::string render_operations_json(const std::string& service,
                                   const std::vector<operation_info>& operations) {
  json ops = json::array();
  for (const auto& op : operations) {
    ops.push_back(json{{"name", op.name}, {"kind", op.kind.empty() ? json() : json(op.kind)}});
  }
  return line(json{{"service", service}, {"operations", std::move(ops)}});
}

}  // namespace vmterm::jaeger
