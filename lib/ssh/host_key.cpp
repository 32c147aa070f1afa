#include "ssh/host_key.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>

namespace vmterm::ssh {

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes: drop them.
  std::size_t size = static_cast<std::size_t>(n);
  if (text.back() == '=') --size;
  if (text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

std::optional<host_key> host_key_from_blob(std::string_view blob) {
  if (blob.size() < 4) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const std::uint32_t len = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                            (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
  if (len == 0 || len > blob.size() - 4 || len > 64) return std::nullopt;
  return host_key{std::string(blob.substr(4, len)), std::string(blob)};
}

std::optional<host_key> host_key_from_text(std::string_view type, std::string_view base64) {
  auto blob = base64_decode(base64);
  if (!blob) return std::nullopt;
  auto key = host_key_from_blob(*blob);
  if (!key || key->type != type) return std::nullopt;
  return key;
}

std::string fingerprint_sha256(std::string_view blob) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(blob.data()), blob.size(), digest.data());
  std::string b64 =
      base64_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

}  // namespace vmterm::ssh
