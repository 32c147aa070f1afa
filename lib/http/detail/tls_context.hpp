#pragma once
/// Internal to lib/http: the server's TLS context, loaded from PEM files named by --tls-cert and
/// --tls-key. Includes Asio's SSL headers; never include it from a public header.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace vmterm::http {

/// A TLS 1.2+ server context with the certificate chain and private key of these files, checked
/// to belong together. Errors (configuration errors, exit 2) name the flag, the file and what is
/// wrong: "--tls-cert '/x.pem': no such file", "--tls-cert '/x.pem': not a PEM certificate",
/// "--tls-key '/k.pem': key does not match certificate '/x.pem'"; both or neither must be set
/// ("--tls-cert '/x.pem' needs --tls-key too"). An encrypted key is refused (no prompt).
[[nodiscard]] expected<std::shared_ptr<boost::asio::ssl::context>> load_tls_context(
    const std::string& cert_file, const std::string& key_file);

}  // namespace vmterm::http
