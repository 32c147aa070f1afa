#pragma once
/// A self-signed certificate for 127.0.0.1 (CN and subjectAltName) and its EC key, made by
/// openssl(1) for one test in a private temp dir, for TLS servers in tests.

#include <catch2/catch.hpp>
#include <string>

#include "process.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {

struct self_signed_cert {
  self_signed_cert() {
    const auto r =
        run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days",
             "1", "-keyout", key, "-out", cert});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  temp_dir dir{"vmterm-tls"};
  std::string cert = (dir / "cert.pem").string();  ///< PEM certificate, also its own CA
  std::string key = (dir / "key.pem").string();    ///< PEM private key
};

}  // namespace vmterm::test
