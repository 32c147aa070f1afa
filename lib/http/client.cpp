#include "http/client.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <utility>

#include "asio/cloexec.hpp"
#include "http/url.hpp"

namespace vmterm::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

/// An error whose reason is the network error's own text ("connection refused").
error network_error(const request& req, std::string_view step, const error_code& ec) {
  std::string reason = lower_first(ec.message());
  if (!step.empty()) reason = std::string(step) + ": " + reason;
  return error{std::error_code(ec), req.method + " '" + req.url + "': " + reason};
}

/// The system's CA store, read lazily: from the hashed directory (SSL_CERT_DIR, else OpenSSL's
/// default, /usr/lib/ssl/certs on Debian) one certificate at a time as a chain needs it, rather
/// than the whole bundle file parsed up front (set_default_verify_paths: ~20 ms per process
/// here). With SSL_CERT_FILE set, or no such directory, OpenSSL's defaults as they are.
void load_system_store(ssl::context& ctx) {
  const char* file = std::getenv(::X509_get_default_cert_file_env());
  const char* dir_env = std::getenv(::X509_get_default_cert_dir_env());
  const std::string dir = dir_env != nullptr ? dir_env : ::X509_get_default_cert_dir();
  std::error_code ec;
  if (file == nullptr && std::filesystem::is_directory(dir, ec)) {
    ctx.add_verify_path(dir);
  } else {
    ctx.set_default_verify_paths();
  }
}

/// "%40" → "@"; a malformed escape stays as it is.
std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// A proxy URL's credentials, "http://user:pass@host:port": the URL without them, and the
/// Proxy-Authorization value ("Basic base64(user:pass)", RFC 7617; "" when none). The
/// credentials appear nowhere else: not in errors, not in what the client reports.
std::pair<std::string, std::string> split_proxy_credentials(const std::string& proxy) {
  const auto scheme_end = proxy.find("://");
  if (scheme_end == std::string::npos) return {proxy, ""};
  const auto start = scheme_end + 3;
  const auto end = proxy.find_first_of("/?#", start);
  const std::string authority =
      proxy.substr(start, end == std::string::npos ? std::string::npos : end - start);
  const auto at = authority.rfind('@');
  if (at == std::string::npos) return {proxy, ""};
  const std::string userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  const std::string user = percent_decode(userinfo.substr(0, colon));
  const std::string pass =
      colon == std::string::npos ? "" : percent_decode(userinfo.substr(colon + 1));
  const std::string plain = user + ":" + pass;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n = ::EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()),
                                  static_cast<int>(plain.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return {proxy.substr(0, start) + authority.substr(at + 1) +
              (end == std::string::npos ? "" : proxy.substr(end)),
          "Basic " + encoded};
}

}  // namespace

struct client::impl {
  explicit impl(client_options o) : options(std::move(o)) {}

  client_options options;
  net::io_context ioc{1};
  std::unique_ptr<ssl::context> tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::string open_origin;  ///< scheme://host:port of the kept-alive connection, "" when none
  beast::flat_buffer buffer;
  std::optional<url> proxy;         ///< options.proxy parsed (at construction)
  std::string proxy_authorization;  ///< from the proxy URL's user:password, "" when none
  std::string proxy_error;          ///< why options.proxy could not be parsed, "" when it could
  std::string failure;              ///< a reason connect() found that no error_code names
  std::optional<peer_certificate> peer;
  std::string remote;

  void close() noexcept {
    error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
    open_origin.clear();
    buffer.clear();
  }

  /// Starts one asynchronous operation through `start(handler)` and runs the io_context until
  /// it completes or the deadline passes; on the deadline `cancel()` aborts it and the result is
  /// timed_out. Handlers run here, on the caller's thread, so plain references are safe.
  template <class Start, class Cancel>
  error_code run(clock::time_point deadline, Start start, Cancel cancel) {
    std::optional<error_code> result;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    if (deadline == clock::time_point::max()) {
      ioc.run();
    } else {
      while (!result && !ioc.stopped() && clock::now() < deadline) ioc.run_one_until(deadline);
    }
    if (!result) {
      cancel();
      ioc.restart();
      ioc.run();
      return net::error::timed_out;
    }
    return *result;
  }

  error_code resolve(const url& where, clock::time_point deadline,
                     tcp::resolver::results_type& endpoints) {
    // An IP literal of the family asked for needs no resolver: Asio's asynchronous resolver
    // starts a thread of its own (a probe's start-up paid for it; see tests/bench/health).
    error_code not_literal;
    const auto literal = net::ip::make_address(where.host, not_literal);
    if (!not_literal && (options.family == client_options::ip_family::any ||
                         literal.is_v4() == (options.family == client_options::ip_family::v4))) {
      endpoints = tcp::resolver::results_type::create(tcp::endpoint(literal, where.port),
                                                      where.host, std::to_string(where.port));
      return {};
    }
    tcp::resolver resolver(ioc);
    return run(
        deadline,
        [&](auto handler) {
          auto done = [&endpoints, handler](error_code e, auto results) mutable {
            endpoints = std::move(results);
            handler(e);
          };
          const auto port = std::to_string(where.port);
          if (options.family == client_options::ip_family::any) {
            resolver.async_resolve(where.host, port, std::move(done));
          } else {
            // Flags 0: no v4-mapped IPv6 answers for -6, only the family asked for.
            resolver.async_resolve(
                options.family == client_options::ip_family::v4 ? tcp::v4() : tcp::v6(), where.host,
                port, tcp::resolver::flags(), std::move(done));
          }
        },
        [&] { resolver.cancel(); });
  }

  /// An https:// request through the proxy: CONNECT host:port, then TLS inside the tunnel.
  error_code tunnel(beast::tcp_stream& tcp, const url& u, clock::time_point deadline,
                    std::string& step) {
    const std::string where =
        (u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host) + ":" +
        std::to_string(u.port);
    step = "proxy CONNECT " + where;
    bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, where, 11};
    req.set(bhttp::field::host, where);
    if (!options.user_agent.empty()) req.set(bhttp::field::user_agent, options.user_agent);
    if (!proxy_authorization.empty())
      req.set(bhttp::field::proxy_authorization, proxy_authorization);
    auto ec = run(
        deadline, [&](auto handler) { bhttp::async_write(tcp, req, handler); },
        [&] { tcp.cancel(); });
    if (ec) return ec;
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body: the tunnel starts after its header
    ec = run(
        deadline, [&](auto handler) { bhttp::async_read_header(tcp, buffer, parser, handler); },
        [&] { tcp.cancel(); });
    if (ec) return ec;
    if (parser.get().result_int() / 100 != 2) {
      failure = step + ": the proxy answered " + std::to_string(parser.get().result_int()) + " " +
                std::string(parser.get().reason());
      return net::error::connection_refused;
    }
    return {};
  }

  void remember_peer() {
    peer.reset();
    X509* cert = ::SSL_get1_peer_certificate(secure->native_handle());
    if (cert == nullptr) return;
    peer_certificate p;
    char cn[256] = {};
    if (::X509_NAME_get_text_by_NID(::X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) >
        0) {
      p.subject = cn;
    } else if (char* line = ::X509_NAME_oneline(::X509_get_subject_name(cert), nullptr, 0)) {
      p.subject = line;
      ::OPENSSL_free(line);
    }
    std::tm tm{};
    if (::ASN1_TIME_to_tm(::X509_get0_notAfter(cert), &tm) == 1) {
      p.not_after = std::chrono::system_clock::from_time_t(::timegm(&tm));
      peer = std::move(p);
    }
    ::X509_free(cert);
  }

  error_code connect(const url& u, clock::time_point deadline, std::string& step) {
    close();
    const url& hop = proxy ? *proxy : u;  // where the TCP connection goes
    tcp::resolver::results_type endpoints;
    step = "resolve '" + hop.host + "'";
    auto ec = resolve(hop, deadline, endpoints);
    if (ec) return ec;
    if (u.tls()) {
      step = "TLS setup";
      if (auto e = make_tls_context(step)) return e;
    }
    step = proxy ? "connect to proxy '" + proxy->authority() + "'" : "connect";
    beast::tcp_stream tcp(ioc);
    ec = run(
        deadline,
        [&](auto handler) {
          // Not Beast's range connect: its sockets would not be close-on-exec.
          asio::async_connect_cloexec(
              tcp.socket(), endpoints,
              [handler](error_code e, const tcp::endpoint&) mutable { handler(e); });
        },
        [&] { tcp.cancel(); });
    if (ec) return ec;
    error_code ignored;
    const auto ep = tcp.socket().remote_endpoint(ignored);
    remote = ep.address().is_v6()
                 ? "[" + ep.address().to_string() + "]:" + std::to_string(ep.port())
                 : ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!u.tls()) {
      plain.emplace(std::move(tcp));
      return {};
    }
    if (proxy) {
      if (auto e = tunnel(tcp, u, deadline, step)) return e;
    }
    secure.emplace(std::move(tcp), *tls_context);
    auto& lowest = beast::get_lowest_layer(*secure);
    step = "TLS handshake";
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
    if (::SSL_ctrl(secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(u.host.c_str())) != 1) {
      return error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
    }
    if (options.verify_tls) secure->set_verify_callback(ssl::host_name_verification(u.host));
    ec = run(
        deadline, [&](auto handler) { secure->async_handshake(ssl::stream_base::client, handler); },
        [&] { lowest.cancel(); });
    if (!ec) remember_peer();
    return ec;
  }

  error_code make_tls_context(std::string& step) {
    if (tls_context) return {};
    try {
      tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
      if (options.verify_tls) {
        if (options.ca_file.empty()) {
          load_system_store(*tls_context);
        } else {
          step = "load CA file '" + options.ca_file + "'";
          tls_context->load_verify_file(options.ca_file);
        }
        tls_context->set_verify_mode(ssl::verify_peer);
      } else {
        tls_context->set_verify_mode(ssl::verify_none);
      }
      if (!options.cert_file.empty()) {
        step = "load client certificate '" + options.cert_file + "'";
        tls_context->use_certificate_chain_file(options.cert_file);
        const auto& key = options.key_file.empty() ? options.cert_file : options.key_file;
        step = "load client key '" + key + "'";
        tls_context->use_private_key_file(key, ssl::context::pem);
      }
    } catch (const boost::system::system_error& e) {
      tls_context.reset();
      return e.code();
    }
    return {};
  }

  /// Writes the request and reads the response on whichever stream is open.
  template <class Stream>
  error_code exchange(Stream& stream, bhttp::request<bhttp::string_body>& req,
                      bhttp::response_parser<bhttp::string_body>& parser,
                      clock::time_point deadline, std::string& step) {
    auto& lowest = beast::get_lowest_layer(stream);
    step = "";
    auto ec = run(
        deadline, [&](auto handler) { bhttp::async_write(stream, req, handler); },
        [&] { lowest.cancel(); });
    if (ec) return ec;
    return run(
        deadline, [&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); },
        [&] { lowest.cancel(); });
  }

  expected<response> send(request& req, std::chrono::milliseconds timeout);
};

namespace {

bhttp::request<bhttp::string_body> to_beast(const request& req, const url& u,
                                            const client_options& options, bool via_proxy) {
  bhttp::request<bhttp::string_body> out;
  const auto verb = bhttp::string_to_verb(req.method);
  if (verb == bhttp::verb::unknown) {
    out.method_string(req.method);
  } else {
    out.method(verb);
  }
  out.target(via_proxy ? u.str() : u.target());  // a proxy takes the absolute form
  out.version(11);
  for (const auto& [name, value] : req.headers) out.insert(name, value);
  if (!req.headers.contains("Host")) out.set(bhttp::field::host, u.authority());
  if (!req.headers.contains("User-Agent") && !options.user_agent.empty()) {
    out.set(bhttp::field::user_agent, options.user_agent);
  }
  out.body() = req.body;
  out.keep_alive(true);
  out.prepare_payload();
  return out;
}

response from_beast(bhttp::response<bhttp::string_body>&& res) {
  response out;
  out.status = res.result_int();
  out.reason = std::string(res.reason());
  for (const auto& field : res)
    out.headers.add(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(res.body());
  return out;
}

/// Errors on a kept-alive connection that mean "the server closed it while idle".
bool stale_connection(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted || ec == net::ssl::error::stream_truncated;
}

}  // namespace

expected<response> client::impl::send(request& req, std::chrono::milliseconds timeout) {
  auto parsed = parse_url(req.url);
  if (!parsed) return tl::unexpected(parsed.error());
  const url& u = *parsed;
  if (timeout.count() <= 0) timeout = options.timeout;
  const auto deadline = timeout.count() > 0 ? clock::now() + timeout : clock::time_point::max();
  if (!proxy_error.empty()) {
    return fail(std::errc::invalid_argument, req.method + " '" + req.url + "': " + proxy_error);
  }
  auto beast_req = to_beast(req, u, options, proxy && !u.tls());
  if (proxy && !u.tls() && !proxy_authorization.empty())
    beast_req.set(bhttp::field::proxy_authorization, proxy_authorization);
  const std::string origin = u.scheme + "://" + u.host + ":" + std::to_string(u.port);

  for (int attempt = 0;; ++attempt) {
    const bool reused = open_origin == origin && (plain || secure);
    std::string step;
    error_code ec;
    if (!reused) {
      ec = connect(u, deadline, step);
      if (!ec) open_origin = origin;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options.body_limit);
    parser.skip(req.method == "HEAD");  // a HEAD response has Content-Length but no body
    if (!ec) {
      ec = u.tls() ? exchange(*secure, beast_req, parser, deadline, step)
                   : exchange(*plain, beast_req, parser, deadline, step);
    }
    if (!ec) {
      const bool keep = parser.get().keep_alive();
      auto out = from_beast(parser.release());
      if (!keep) close();
      return out;
    }
    close();
    if (reused && attempt == 0 && stale_connection(ec)) continue;  // reopen once
    if (!failure.empty()) {
      return fail(std::errc::protocol_error,
                  req.method + " '" + req.url + "': " + std::exchange(failure, {}));
    }
    if (ec == net::error::timed_out) {
      return fail(std::errc::timed_out, req.method + " '" + req.url + "': no response within " +
                                            std::to_string(timeout.count()) + " ms");
    }
    if (ec == bhttp::error::body_limit) {
      return fail(std::errc::message_size, req.method + " '" + req.url +
                                               "': response body exceeds " +
                                               std::to_string(options.body_limit) + " bytes");
    }
    return tl::unexpected(network_error(req, step, ec));
  }
}

client::client(client_options options) : impl_(std::make_unique<impl>(std::move(options))) {
  if (impl_->options.proxy.empty()) return;
  auto [without_credentials, authorization] = split_proxy_credentials(impl_->options.proxy);
  impl_->proxy_authorization = std::move(authorization);
  auto p = parse_url(without_credentials);
  if (!p) {
    impl_->proxy_error = "proxy: " + p.error().message;
  } else if (p->tls()) {
    impl_->proxy_error = "proxy '" + without_credentials +
                         "': an https:// proxy is not supported; give http://HOST:PORT";
  } else {
    impl_->proxy = *p;
  }
}
client::~client() {
  if (impl_) impl_->close();
}
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

expected<response> client::send(request req, std::chrono::milliseconds timeout) noexcept {
  const auto started = clock::now();
  const auto& observer = impl_->options.observer;
  if (observer) observer->on_request(req);
  expected<response> result = fail(std::errc::io_error, "");
  try {
    result = impl_->send(req, timeout);
  } catch (const std::exception& e) {
    impl_->close();
    result = fail(std::errc::io_error, req.method + " '" + req.url + "': " + e.what());
  }
  if (observer) observer->on_response(req, result, clock::now() - started);
  return result;
}

void client::close() noexcept { impl_->close(); }

std::optional<peer_certificate> client::last_peer_certificate() const { return impl_->peer; }

std::string client::last_remote_address() const { return impl_->remote; }

const client_options& client::options() const noexcept { return impl_->options; }

}  // namespace vmterm::http
