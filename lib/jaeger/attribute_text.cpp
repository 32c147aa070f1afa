#include "jaeger/attribute_text.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace vmterm::jaeger {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string number(double d) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.17g", d);
  // Prefer the shortest form that reads back the same.
  for (int precision = 6; precision < 17; ++precision) {
    std::array<char, 32> shorter{};
    std::snprintf(shorter.data(), shorter.size(), "%.*g", precision, d);
    if (std::strtod(shorter.data(), nullptr) == d) return shorter.data();
  }
  return buf.data();
}

std::string scalar(const std::string& s) { return quoted(s); }
std::string scalar(bool b) { return b ? "true" : "false"; }
std::string scalar(std::int64_t i) { return std::to_string(i); }
std::string scalar(double d) { return number(d); }

}  // namespace

std::string attribute_text(const trace::attribute_value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return scalar(v);
        } else {
          std::string out = "[";
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ", ";
            out += scalar(static_cast<typename T::value_type>(v[i]));
          }
          return out + "]";
        }
      },
      value);
}

std::string attributes_text(const trace::attributes& attrs) {
  std::string out;
  for (const auto& a : attrs) {
    if (!out.empty()) out += ' ';
    out += a.key + "=" + attribute_text(a.value);
  }
  return out;
}

}  // namespace vmterm::jaeger
