// vmterm-health --http against a real TLS server (openssl s_server) with certificates made by
// openssl(1) in the test: --cacert, a near-expiry certificate against --cert-days in the same
// run as the content, and client certificates (--cert/--key) for a server that requires one.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "connect_proxy.hpp"
#include "ports.hpp"
#include "service.hpp"
#include "silent_listener.hpp"
#include "sshd_server.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  const auto r = run(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

/// A CA, a server certificate for 127.0.0.1 valid `days` days signed by it, and a client
/// certificate signed by it; then openssl s_server -www on a free port (requiring a client
/// certificate when `mutual`).
struct tls_server {
  tls_server(int days, bool mutual) {
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};
    auto req = [&](std::vector<std::string> a) {
      a.insert(a.begin(), "req");
      a.insert(a.begin() + 1, ec.begin(), ec.end());
      openssl(a);
    };
    req({"-x509", "-subj", "/CN=vmterm test CA", "-days", "2", "-keyout", file("ca.key"), "-out",
         ca});
    for (const std::string name : {"server", "client"}) {
      req({"-subj", name == "server" ? "/CN=127.0.0.1" : "/CN=probe", "-keyout",
           file(name + ".key"), "-out", file(name + ".csr")});
      write_file(dir / (name + ".ext"), name == "server" ? "subjectAltName=IP:127.0.0.1\n"
                                                         : "extendedKeyUsage=clientAuth\n");
      openssl({"x509", "-req", "-in", file(name + ".csr"), "-CA", ca, "-CAkey", file("ca.key"),
               "-CAcreateserial", "-days", std::to_string(days), "-extfile", file(name + ".ext"),
               "-out", file(name + ".pem")});
    }
    service = start_service(
        {.name = "openssl s_server",
         .command =
             [this, mutual](std::uint16_t p) {
               std::vector<std::string> argv{"openssl", "s_server",
                                             "-quiet",  "-www",
                                             "-accept", "127.0.0.1:" + std::to_string(p),
                                             "-cert",   file("server.pem"),
                                             "-key",    file("server.key")};
               if (mutual) argv.insert(argv.end(), {"-Verify", "1", "-CAfile", ca});
               return spawn_options{.argv = argv, .stderr_file = dir / "s_server.log"};
             },
         .ready = [](std::uint16_t p) { return tcp_exchange(p, "", 0, 200ms).has_value(); },
         .log = dir / "s_server.log"});
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (dir / name).string(); }
  [[nodiscard]] std::string url() const {
    return "https://127.0.0.1:" + std::to_string(service.port) + "/";
  }

  temp_dir dir{"vmterm-health-tls"};
  std::string ca = file("ca.pem");
  started_service service;
};

}  // namespace

TEST_CASE("a certificate near expiry is judged by --cert-days with the content, in one run",
          "[health][tls]") {
  tls_server server(3, false);  // expires in 2 days and some hours
  const std::vector<std::string> base = {"--nagios", "--http",        server.url(), "--cacert",
                                         server.ca,  "--expect-body", "Ciphers"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return health(args);
  };
  auto crit = with({"--cert-days", "30,7"});
  INFO(crit.out << crit.err);
  CHECK(crit.exit_code == 2);
  CHECK(first_line(crit.out).starts_with("HEALTH CRITICAL - http " + server.url() +
                                         ": certificate '127.0.0.1' expires in 2 days ("));
  CHECK(first_line(crit.out).find(" UTC); 200 in ") != std::string::npos);
  CHECK(first_line(crit.out).ends_with(" 'http_cert_days'=2;30:;7:"));
  auto warn = with({"--cert-days", "5,1"});
  CHECK(warn.exit_code == 1);
  CHECK(first_line(warn.out).starts_with("HEALTH WARNING - http " + server.url() +
                                         ": certificate '127.0.0.1' expires in 2 days ("));
  auto ok = with({"--cert-days", "2,1"});
  CHECK(ok.exit_code == 0);
  // The content is still checked: a wrong body wins over a near-expiry certificate.
  auto body = with({"--cert-days", "30,7", "--expect-body", "no such text"});
  CHECK(body.exit_code == 2);
  const auto j = health({"--json", "--http", server.url(), "--cacert", server.ca, "--expect-body",
                         "no such text", "--cert-days", "30,7"});
  CHECK(nlohmann::json::parse(j.out)["checks"][0]["error_type"] == "body_mismatch");
  auto expiry =
      health({"--json", "--http", server.url(), "--cacert", server.ca, "--cert-days", "30,7"});
  CHECK(nlohmann::json::parse(expiry.out)["checks"][0]["error_type"] == "cert_expiry");
}

TEST_CASE("the server's certificate is verified: unknown CA CRITICAL, --cacert or --insecure pass",
          "[health][tls]") {
  tls_server server(30, false);
  auto untrusted = health({"--json", "--http", server.url()});
  CHECK(untrusted.exit_code == 2);
  const auto check = nlohmann::json::parse(untrusted.out)["checks"][0];
  CHECK(check["error_type"] == "tls");
  CHECK(check["output"] == "TLS handshake: certificate verify failed (SSL routines)");
  CHECK(health({"--nagios", "--http", server.url(), "--cacert", server.ca}).exit_code == 0);
  CHECK(health({"--nagios", "--http", server.url(), "--insecure"}).exit_code == 0);
}

TEST_CASE("the system store is the hashed SSL_CERT_DIR, read lazily", "[health][tls]") {
  tls_server server(30, false);
  temp_dir store{"vmterm-health-store"};
  write_file(store / "test-ca.pem", read_file(server.ca));
  REQUIRE(run({"openssl", "rehash", store.path().string()}).exit_code == 0);
  auto trusted = health({"--nagios", "--http", server.url()},
                        {{"SSL_CERT_DIR", store.path().string()}, {"SSL_CERT_FILE", std::nullopt}});
  INFO(trusted.out);
  CHECK(trusted.exit_code == 0);
  auto system = health({"--nagios", "--http", server.url()},
                       {{"SSL_CERT_DIR", std::nullopt}, {"SSL_CERT_FILE", std::nullopt}});
  CHECK(system.exit_code == 2);
  // SSL_CERT_FILE still works as OpenSSL documents it.
  auto file = health({"--nagios", "--http", server.url()},
                     {{"SSL_CERT_FILE", server.ca}, {"SSL_CERT_DIR", std::nullopt}});
  CHECK(file.exit_code == 0);
}

TEST_CASE("a server that requires a client certificate gets --cert and --key", "[health][tls]") {
  tls_server server(30, true);
  auto without = health({"--nagios", "--http", server.url(), "--cacert", server.ca});
  INFO(without.out);
  CHECK(without.exit_code == 2);
  auto with = health({"--nagios", "--http", server.url(), "--cacert", server.ca, "--cert",
                      server.file("client.pem"), "--key", server.file("client.key")});
  INFO(with.out << with.err << read_file(server.dir / "s_server.log"));
  CHECK(with.exit_code == 0);
  // A key that is not a key: CRITICAL naming the file, not a crash.
  auto bad = health({"--json", "--http", server.url(), "--cacert", server.ca, "--cert",
                     server.file("client.pem"), "--key", server.file("client.csr")});
  CHECK(bad.exit_code == 2);
  CHECK(nlohmann::json::parse(bad.out)["checks"][0]["output"].get<std::string>().starts_with(
      "load client key '" + server.file("client.csr") + "': "));
}

TEST_CASE("an https:// probe through a proxy is a CONNECT tunnel, verified end to end",
          "[health][tls][proxy]") {
  tls_server server(3, false);
  connect_proxy proxy;
  const auto proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  auto r = health({"--nagios", "-v", "--http", server.url(), "--cacert", server.ca, "--proxy",
                   proxy_url, "--cert-days", "30,7", "--expect-body", "Ciphers"});
  INFO(r.out << r.err);
  // The certificate seen through the tunnel is the server's: its expiry is judged.
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out).find(": certificate '127.0.0.1' expires in 2 days (") !=
        std::string::npos);
  CHECK(r.out.find("\n  through proxy " + proxy_url + "\n") != std::string::npos);
  REQUIRE(proxy.requests().size() == 1);
  CHECK(proxy.requests()[0] ==
        "CONNECT 127.0.0.1:" + std::to_string(server.service.port) + " HTTP/1.1");
  // Without --cacert the tunnelled server's certificate is not trusted.
  auto untrusted = health({"--json", "--http", server.url(), "--proxy", proxy_url},
                          {{"SSL_CERT_FILE", std::nullopt}, {"SSL_CERT_DIR", std::nullopt}});
  CHECK(untrusted.exit_code == 2);
  CHECK(nlohmann::json::parse(untrusted.out)["checks"][0]["error_type"] == "tls");
}

TEST_CASE("OpenSSL is loaded only by a probe that needs it", "[health][tls]") {
  // LD_DEBUG=files names each library the loader maps, at start or by dlopen, on stderr.
  const env_changes loader_log{{"LD_DEBUG", "files"}};
  auto version = health({"--version"}, loader_log);
  REQUIRE(version.exit_code == 0);
  if (version.err.find("file=libcrypto.so.3 [0];  needed by") != std::string::npos) {
    WARN("vmterm-health links libcrypto at start (a sanitizer or shared build): nothing to check");
    return;
  }
  const std::string module = "/libvmterm_health_tls.so [0];  dynamically loaded by";
  CHECK(version.err.find("libvmterm_health_tls") == std::string::npos);
  CHECK(version.err.find("libcrypto") == std::string::npos);
  // A plain http:// probe (refused: no server needed) maps no OpenSSL.
  const auto port = std::to_string(free_loopback_port());
  auto plain = health({"--nagios", "--http", "http://127.0.0.1:" + port + "/"}, loader_log);
  CHECK(plain.exit_code == 2);
  CHECK(plain.err.find("libvmterm_health_tls") == std::string::npos);
  CHECK(plain.err.find("libcrypto") == std::string::npos);
  // An https:// probe loads the module (OpenSSL inside it) on its first TLS call, and works;
  // Debian's shared libssl and libcrypto stay unmapped.
  tls_server server(30, false);
  auto secure = health({"--nagios", "--http", server.url(), "--cacert", server.ca}, loader_log);
  INFO(secure.out);
  CHECK(secure.exit_code == 0);
  CHECK(secure.err.find(module) != std::string::npos);
  CHECK(secure.err.find("libssl.so") == std::string::npos);
  CHECK(secure.err.find("libcrypto.so") == std::string::npos);
}

TEST_CASE("without its TLS module an https probe is UNKNOWN naming the module; http still works",
          "[health][tls]") {
  if (!std::filesystem::exists(bin_dir() / "libvmterm_health_tls.so")) {
    WARN(
        "no libvmterm_health_tls.so (a sanitizer or shared build links OpenSSL): nothing to check");
    return;
  }
  // The program alone in a directory: neither beside it nor in ../lib/vmterm/ is the module.
  temp_dir alone{"vmterm-health-alone"};
  std::filesystem::create_directories(alone / "bin");
  const auto program = alone / "bin" / "vmterm-health";
  std::filesystem::copy_file(bin_dir() / "vmterm-health", program);
  const run_options opt{.env = {{"OTEL_TRACES_EXPORTER", "none"}, {"NO_COLOR", "1"}}};
  const auto port = std::to_string(free_loopback_port());
  auto plain = run({program.string(), "--nagios", "--http", "http://127.0.0.1:" + port + "/"}, opt);
  CHECK(plain.exit_code == 2);  // refused, judged as ever
  auto secure =
      run({program.string(), "--nagios", "--http", "https://127.0.0.1:" + port + "/"}, opt);
  INFO(secure.out << secure.err);
  CHECK(secure.exit_code == 3);
  CHECK(first_line(secure.out)
            .starts_with("UNKNOWN - vmterm-health: cannot load libvmterm_health_tls.so ("));
  CHECK(first_line(secure.out)
            .ends_with("), which https and ssh probes need; install it beside vmterm-health or in "
                       "../lib/vmterm/ "
                       "from it"));
  CHECK(secure.err.starts_with("vmterm-health: cannot load libvmterm_health_tls.so ("));
}

TEST_CASE("https and ssh probes of one run load the TLS module once, whichever thread is first",
          "[health][tls][ssh]") {
  if (!std::filesystem::exists(bin_dir() / "libvmterm_health_tls.so")) {
    WARN(
        "no libvmterm_health_tls.so (a sanitizer or shared build links OpenSSL): nothing to check");
    return;
  }
  tls_server server(30, false);
  sshd_server sshd;
  const auto target = "127.0.0.1:" + std::to_string(sshd.port());
  const std::string loaded = "/libvmterm_health_tls.so [0];  dynamically loaded by";
  // Three probes on three threads, each making its first OpenSSL or libssh2 call at about the
  // same moment: one of them loads the module, the others wait for it and use it.
  for (int run = 0; run < 5; ++run) {
    auto r = health({"--nagios", "--http", server.url(), "--cacert", server.ca, "--ssh", target,
                     "--ssh", target, "--known-hosts", sshd.known_hosts_file().string()},
                    {{"LD_DEBUG", "files"}});
    INFO(r.out << sshd.log());
    CHECK(r.exit_code == 0);
    CHECK(first_line(r.out).starts_with("HEALTH OK - 3 of 3 checks ok | "));
    std::size_t loads = 0;
    for (auto at = r.err.find(loaded); at != std::string::npos; at = r.err.find(loaded, at + 1)) {
      ++loads;
    }
    CHECK(loads == 1);
  }
}
