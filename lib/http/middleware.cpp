#include "http/middleware.hpp"

#include <array>
#include "trace/id_generator.hpp"

namespace vmterm::http {

bool valid_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string generate_request_id() {
  // 128 random bits as 32 hex digits, from the tracer's fast per-thread generator.
  return trace::new_trace_id().hex();
}

std::string request_id_for(const headers& h) {
  const auto incoming = h.get("X-Request-ID");
  if (incoming && valid_request_id(*incoming)) return std::string(*incoming);
  return generate_request_id();
}

void add_security_headers(headers& h) {
  h.set("Content-Security-Policy", std::string(content_security_policy));
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "no-referrer");
}

std::string_view known_method(std::string_view method) noexcept {
  static constexpr std::array<std::string_view, 9> known{
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (const auto m : known) {
    if (m == method) return m;
  }
  return "_OTHER";
}

}  // namespace vmterm::http
