#include "redis/script.hpp"

#include <boost/uuid/detail/sha1.hpp>

namespace vmterm::redis {

script::script(std::string name, std::string source)
    : name_(std::move(name)), source_(std::move(source)) {
  // Boost's header-only SHA-1, not OpenSSL's EVP: the first EVP_sha1() of OpenSSL 3 loads its
  // default provider and configuration, about 3 MiB of libcrypto paged into every worker.
  boost::uuids::detail::sha1 h;
  h.process_bytes(source_.data(), source_.size());
  boost::uuids::detail::sha1::digest_type digest{};
  h.get_digest(digest);
  static constexpr char hex[] = "0123456789abcdef";
  sha1_.reserve(40);
  for (const unsigned int word : digest) {
    for (int shift = 28; shift >= 0; shift -= 4) sha1_ += hex[(word >> shift) & 0xfu];
  }
}

}  // namespace vmterm::redis
