#include "health/expect_json.hpp"

#include <nlohmann/json.hpp>
#include <system_error>

namespace vmterm::health {

namespace {

error bad(std::string_view text, std::string reason) {
  return error{std::make_error_code(std::errc::invalid_argument),
               "'" + std::string(text) + "': " + reason};
}

error mismatch(std::string reason) {
  return error{std::make_error_code(std::errc::protocol_error), std::move(reason)};
}

}  // namespace

expected<json_expectation> parse_json_expectation(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return tl::unexpected(bad(text, "no '='; use PATH=VALUE, e.g. .status=ok"));
  }
  json_expectation e;
  e.path_text = std::string(text.substr(0, eq));
  e.value = std::string(text.substr(eq + 1));
  std::string_view p = e.path_text;
  if (!p.starts_with('.')) {
    return tl::unexpected(bad(text, "the path must start with '.'; use e.g. .status=ok"));
  }
  if (p == ".") return e;
  std::size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      std::size_t j = i + 1;
      while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
      if (j == i + 1) return tl::unexpected(bad(text, "an empty key in the path"));
      e.path.emplace_back(std::string(p.substr(i + 1, j - i - 1)));
      i = j;
    } else if (p[i] == '[') {
      const auto close = p.find(']', i);
      std::size_t index = 0;
      bool digits = close != std::string_view::npos && close > i + 1;
      for (std::size_t k = i + 1; digits && k < close; ++k) {
        if (p[k] < '0' || p[k] > '9' || index > 1000000) {
          digits = false;
        } else {
          index = index * 10 + static_cast<std::size_t>(p[k] - '0');
        }
      }
      if (!digits) return tl::unexpected(bad(text, "an index must be [N] with N a whole number"));
      e.path.emplace_back(index);
      i = close + 1;
    } else {
      return tl::unexpected(bad(text, "expected '.' or '[' at '" + std::string(p.substr(i)) + "'"));
    }
  }
  return e;
}

expected<void> match(const json_expectation& e, std::string_view body) {
  using nlohmann::json;
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return tl::unexpected(mismatch("the body is not JSON"));
  const json* at = &doc;
  for (const auto& step : e.path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      if (!at->is_object() || !at->contains(*key)) {
        return tl::unexpected(mismatch(e.path_text + " is missing"));
      }
      at = &(*at)[*key];
    } else {
      const auto index = std::get<std::size_t>(step);
      if (!at->is_array() || index >= at->size()) {
        return tl::unexpected(mismatch(e.path_text + " is missing"));
      }
      at = &(*at)[index];
    }
  }
  const std::string found = at->is_string() ? at->get<std::string>() : at->dump();
  if (found == e.value) return {};
  const std::string shown = at->dump(-1, ' ', false, json::error_handler_t::replace);
  return tl::unexpected(mismatch(e.path_text + " is " + shown + ", not " + json(e.value).dump()));
}

}  // namespace vmterm::health
