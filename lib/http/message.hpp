#pragma once
/// vmterm's own HTTP request and response values, so that callers (exporters, probes, CLI
/// tools) never see Beast types. Shared by the client and, later, the server.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmterm::http {

/// Header fields in order; names compare case-insensitively. Repeated names are allowed.
class headers {
 public:
  headers() = default;
  headers(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}

  void add(std::string name, std::string value);
  /// Replaces every field of that name with one field (or adds it).
  void set(std::string_view name, std::string value);
  /// The first value of that name; nullopt when absent.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
  [[nodiscard]] bool contains(std::string_view name) const noexcept {
    return get(name).has_value();
  }

  [[nodiscard]] auto begin() const noexcept { return fields_.begin(); }
  [[nodiscard]] auto end() const noexcept { return fields_.end(); }
  [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
  [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// True when a and b are equal ignoring ASCII case (header names, schemes, tokens).
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

struct request {
  std::string method = "GET";  ///< any token; GET, POST, ... as usual
  std::string url;             ///< absolute http:// or https:// URL
  http::headers headers;       ///< Host, Content-Length and User-Agent are added when missing
  std::string body;
};

struct response {
  unsigned status = 0;
  std::string reason;
  http::headers headers;
  std::string body;
};

}  // namespace vmterm::http
