#include "core/redact.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::log;

TEST_CASE("secret field names are known whole or as suffixes, in any case", "[log][redact]") {
  for (const char* key : {"token", "password", "passwd", "secret", "authorization", "cookie",
                          "api_key", "private_key", "passphrase", "session_token", "Set-Cookie",
                          "X-Api-Key", "DB_PASSWORD", "client_secret", "Authorization", "apikey"}) {
    INFO(key);
    CHECK(is_secret_key(key));
  }
  for (const char* key : {"user", "token_count", "method", "path", "bytes", "secretary", ""}) {
    INFO(key);
    CHECK_FALSE(is_secret_key(key));
  }
}

TEST_CASE("free text loses bearer credentials, secret query values and URL passwords",
          "[log][redact]") {
  CHECK(redact_text("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer [REDACTED]");
  CHECK(redact_text("bearer xyz, then") == "bearer [REDACTED], then");
  CHECK(redact_text("GET /ws?token=s3cr3t&cols=80 HTTP/1.1") ==
        "GET /ws?token=[REDACTED]&cols=80 HTTP/1.1");
  CHECK(redact_text("login?user=bob&password=hunter2") == "login?user=bob&password=[REDACTED]");
  CHECK(redact_text("access_token=abc") == "access_token=[REDACTED]");
  CHECK(redact_text("connect 'redis://:pw@127.0.0.1:6379/0' failed") ==
        "connect 'redis://:[REDACTED]@127.0.0.1:6379/0' failed");
  CHECK(redact_text("ssh://ec2-user:pa:ss@host/x") == "ssh://ec2-user:[REDACTED]@host/x");
  CHECK(redact_text("http://host/path?a=1") == "http://host/path?a=1");
  CHECK(redact_text("user@host: token_count=3 tokens") == "user@host: token_count=3 tokens");
  CHECK(redact_text("the bearer of news") == "the bearer [REDACTED] news");
  CHECK(redact_text("token=") == "token=");
  CHECK(redact_text("") == "");
}
