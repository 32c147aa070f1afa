// Jaeger v1 key/value lists (`tags`, log `fields`, process `tags`) to span-model attributes.
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "jaeger/v1_span_convert.hpp"

namespace vmterm::jaeger::detail {
namespace {

using nlohmann::json;

std::optional<std::int64_t> parse_int64(std::string_view text) {
  std::int64_t out = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return out;
}

std::optional<double> parse_double(std::string_view text) {
  double out = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::int64_t> json_int64(const json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return {};
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::trunc(d) != d || std::fabs(d) > 9.2e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  if (v.is_string()) return parse_int64(v.get_ref<const std::string&>());
  return std::nullopt;
}

namespace {

std::optional<bool> as_bool(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<double> as_double(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return parse_double(v.get_ref<const std::string&>());
  return std::nullopt;
}

/// The value as text: strings as they are, anything else as compact JSON.
std::string as_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// A value whose `type` is missing or unknown: infer it from the JSON type.
trace::attribute_value infer(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_float()) return v.get<double>();
  if (auto i = json_int64(v); v.is_number() && i) return *i;
  return as_text(v);
}

/// `binary` values are base64 text in v1 JSON; the span model has no bytes type, so the
/// base64 text is kept as a string (as OTLP JSON writes bytesValue).
trace::attribute_value convert_value(std::string_view type, const json& v) {
  if (type == "string" || type == "binary") return as_text(v);
  if (type == "bool") {
    if (auto b = as_bool(v)) return *b;
  } else if (type == "int64") {
    if (auto i = json_int64(v)) return *i;
  } else if (type == "float64") {
    if (auto d = as_double(v)) return *d;
  } else {
    return infer(v);
  }
  return as_text(v);  // a value that does not match its declared type stays readable
}

}  // namespace

trace::attributes convert_tags(const json& tags) {
  trace::attributes out;
  if (!tags.is_array()) return out;
  out.reserve(tags.size());
  for (const auto& kv : tags) {
    if (!kv.is_object()) continue;
    auto key = kv.find("key");
    if (key == kv.end() || !key->is_string()) continue;
    auto type = kv.find("type");
    const std::string type_name =
        type != kv.end() && type->is_string() ? type->get<std::string>() : std::string();
    auto value = kv.find("value");
    const json& v = value != kv.end() ? *value : json();
    trace::attribute attr{key->get<std::string>(), convert_value(type_name, v)};
    // Keys are unique in the span model: a repeated key replaces the earlier value in place.
    bool replaced = false;
    for (auto& existing : out) {
      if (existing.key == attr.key) {
        existing.value = std::move(attr.value);
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(std::move(attr));
  }
  return out;
}

std::string pad_hex(std::string_view hex, std::size_t digits) {
  if (hex.size() >= digits) return std::string(hex);
  return std::string(digits - hex.size(), '0') + std::string(hex);
}

}  // namespace vmterm::jaeger::detail
