#pragma once
/// Private to lib/trace_otlp (includes nlohmann_json): typed, tolerant access to the fields of
/// an OTLP JSON document. Every helper throws decode_failure naming the JSON path of the bad
/// field; absent and null fields read as the proto3 default.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "trace/span_data.hpp"

namespace vmterm::trace_otlp::detail {

/// A position in the document as a chain of nodes on the stack: a key or an array index.
struct path {
  const path* parent = nullptr;
  std::string_view key;
  std::size_t index = static_cast<std::size_t>(-1);
  /// "resourceSpans[0].scopeSpans[1].spans[2].traceId"
  [[nodiscard]] std::string str() const;
};

struct decode_failure {
  std::string where;
  std::string reason;
};

using json = nlohmann::json;

/// The field's value, or nullptr when absent or null.
[[nodiscard]] const json* find(const json& j, std::string_view key);
void expect_object(const json& j, const path& at);
[[nodiscard]] const json* object_field(const json& j, std::string_view key, const path& at);
void for_each_item(const json& j, std::string_view key, const path& at,
                   const std::function<void(const json&, const path&)>& fn);

[[nodiscard]] std::string string_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] std::uint64_t u64_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] std::int64_t i64_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] std::uint32_t u32_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] trace::trace_id trace_id_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] trace::span_id span_id_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] trace::span_kind kind_field(const json& j, std::string_view key, const path& at);
[[nodiscard]] trace::status_code status_code_field(const json& j, std::string_view key,
                                                   const path& at);
[[nodiscard]] trace::attributes attributes_field(const json& j, std::string_view key,
                                                 const path& at);

}  // namespace vmterm::trace_otlp::detail
