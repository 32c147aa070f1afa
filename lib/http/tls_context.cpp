#include "http/detail/tls_context.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmterm::http {
namespace {

namespace ssl = boost::asio::ssl;

constexpr off_t largest_pem = off_t{1} << 20;

constexpr std::string_view cert_input = "TLS certificate";
constexpr std::string_view key_input = "TLS key";

std::string quoted(std::string_view input, const std::string& file) {
  return std::string(input) + " '" + file + "'";
}

tl::unexpected<config_problem> bad_file(server_input which, const std::string& file,
                                        std::string_view reason) {
  ERR_clear_error();
  const auto input = which == server_input::tls_certificate ? cert_input : key_input;
  return tl::unexpected(config_problem{which, quoted(input, file) + ": " + std::string(reason)});
}

/// The file's contents, or an error naming the setting, the file and the reason.
tl::expected<std::string, config_problem> read_pem(server_input flag, const std::string& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) return bad_file(flag, file, "no such file");
    if (e == EACCES) return bad_file(flag, file, "permission denied");
    return bad_file(flag, file, std::strerror(e));
  }
  std::string out;
  struct stat st {};
  std::string_view problem;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
  } else if (st.st_size > largest_pem) {
    problem = "too large for a PEM file";
  } else {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
  }
  ::close(fd);
  if (!problem.empty()) return bad_file(flag, file, problem);
  return out;
}

struct bio_deleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct x509_deleter {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
struct pkey_deleter {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, bio_deleter> memory_bio(const std::string& pem) {
  return std::unique_ptr<BIO, bio_deleter>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

/// The first certificate in the text (the leaf of a chain); null when there is none.
std::unique_ptr<X509, x509_deleter> first_certificate(const std::string& pem) {
  auto bio = memory_bio(pem);
  if (!bio) return nullptr;
  return std::unique_ptr<X509, x509_deleter>(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

/// The first private key in the text; null when there is none or it is encrypted (the
/// passphrase callback gives none, so OpenSSL never prompts on the terminal).
std::unique_ptr<EVP_PKEY, pkey_deleter> first_private_key(const std::string& pem) {
  auto bio = memory_bio(pem);
  if (!bio) return nullptr;
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  return std::unique_ptr<EVP_PKEY, pkey_deleter>(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
}

}  // namespace

tl::expected<std::shared_ptr<ssl::context>, config_problem> load_tls_context(
    const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() != key_file.empty()) {
    return cert_file.empty() ? tl::unexpected(config_problem{
                                   server_input::tls_key,
                                   quoted(key_input, key_file) + " needs a TLS certificate too"})
                             : tl::unexpected(config_problem{
                                   server_input::tls_certificate,
                                   quoted(cert_input, cert_file) + " needs a TLS key too"});
  }
  auto cert = read_pem(server_input::tls_certificate, cert_file);
  if (!cert) return tl::unexpected(cert.error());
  auto key = read_pem(server_input::tls_key, key_file);
  if (!key) return tl::unexpected(key.error());
  const auto leaf = first_certificate(*cert);
  if (!leaf) return bad_file(server_input::tls_certificate, cert_file, "not a PEM certificate");
  const auto pkey = first_private_key(*key);
  if (!pkey) {
    return bad_file(server_input::tls_key, key_file,
                    key->find("ENCRYPTED") != std::string::npos
                        ? "the private key is encrypted; give an unencrypted one (openssl pkey)"
                        : "not a PEM private key");
  }
  if (X509_check_private_key(leaf.get(), pkey.get()) != 1) {
    return bad_file(server_input::tls_key, key_file,
                    "key does not match certificate '" + cert_file + "'");
  }

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  if (ctx->use_certificate_chain(boost::asio::buffer(*cert), ec); ec) {
    return bad_file(server_input::tls_certificate, cert_file, "not a PEM certificate chain");
  }
  if (SSL_CTX_use_PrivateKey(ctx->native_handle(), pkey.get()) != 1 ||
      SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return bad_file(server_input::tls_key, key_file,
                    "key does not match certificate '" + cert_file + "'");
  }
  ERR_clear_error();  // PEM look-ups that skipped other blocks leave entries behind
  return ctx;
}

}  // namespace vmterm::http
