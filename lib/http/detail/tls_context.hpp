#pragma once
/// Internal to lib/http: the server's TLS context, loaded from the PEM files of
/// server_options::tls_cert and tls_key. Includes Asio's SSL headers; never include it from a
/// public header.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "http/server.hpp"

namespace vmterm::http {

/// A configuration error: which input it is about and the message.
struct config_problem {
  server_input input;
  std::string message;
};

/// A TLS 1.2+ server context with the certificate chain and private key of these files, checked
/// to belong together. Errors (configuration errors, exit 2) name the setting, the file and what
/// is wrong, never a tool's flag: "TLS certificate '/x.pem': no such file", "TLS certificate
/// '/x.pem': not a PEM certificate", "TLS key '/k.pem': key does not match certificate
/// '/x.pem'"; both or neither must be set ("TLS certificate '/x.pem' needs a TLS key too").
/// An encrypted key is refused (no prompt).
[[nodiscard]] tl::expected<std::shared_ptr<boost::asio::ssl::context>, config_problem>
load_tls_context(const std::string& cert_file, const std::string& key_file);

}  // namespace vmterm::http
