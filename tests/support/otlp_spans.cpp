#include "otlp_spans.hpp"

#include <cstdint>
#include <sstream>

#include "temp_dir.hpp"

namespace vmterm::test {

std::multimap<std::string, nlohmann::json> otlp_spans_in(const std::filesystem::path& file) {
  std::multimap<std::string, nlohmann::json> out;
  if (!std::filesystem::exists(file)) return out;
  std::istringstream lines(read_file(file));
  for (std::string line; std::getline(lines, line);) {
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded()) continue;
    for (const auto& rs : doc.value("resourceSpans", nlohmann::json::array())) {
      for (const auto& ss : rs.value("scopeSpans", nlohmann::json::array())) {
        for (const auto& sp : ss.value("spans", nlohmann::json::array())) {
          out.emplace(sp.value("name", ""), sp);
        }
      }
    }
  }
  return out;
}

std::string otlp_attribute(const nlohmann::json& span, const std::string& key) {
  for (const auto& a : span.value("attributes", nlohmann::json::array())) {
    if (a.value("key", "") != key || !a.contains("value")) continue;
    const auto& v = a["value"];
    if (v.contains("stringValue")) return v["stringValue"].get<std::string>();
    if (v.contains("intValue")) {
      return v["intValue"].is_string() ? v["intValue"].get<std::string>()
                                       : std::to_string(v["intValue"].get<std::int64_t>());
    }
    return v.dump();
  }
  return {};
}

}  // namespace vmterm::test
