#include "http/middleware.hpp"

#include <array>
#include <random>

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
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out(32, '0');
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i % 16 == 0) bits = gen();
    out[i] = digits[bits & 0xfu];
    bits >>= 4;
  }
  return out;
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
