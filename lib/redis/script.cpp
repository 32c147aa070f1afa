#include "redis/script.hpp"

#include <openssl/evp.h>

#include <array>

namespace vmterm::redis {

script::script(std::string name, std::string source)
    : name_(std::move(name)), source_(std::move(source)) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(source_.data(), source_.size(), digest.data(), &length, EVP_sha1(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  sha1_.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    sha1_ += hex[digest[i] >> 4];
    sha1_ += hex[digest[i] & 0xf];
  }
}

}  // namespace vmterm::redis
