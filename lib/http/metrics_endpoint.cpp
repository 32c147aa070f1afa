#include "http/metrics_endpoint.hpp"

#include <stdexcept>

#include "core/parse.hpp"
#include "core/read_file.hpp"
#include "http/auth.hpp"
#include "http/server.hpp"
#include "metrics/exposition.hpp"

namespace vmterm::http {

router metrics_router(const metrics::registry& registry, std::string token) {
  router r;
  r.add("GET", "/metrics",
        [&registry, token = std::move(token)](const request& req, const request_context&) {
          if (!token.empty()) {
            auto given = bearer_token(req.headers);
            if (!given || !constant_time_equal(*given, token)) {
              auto res = text_response(401, "a bearer token is required\n");
              res.headers.set("WWW-Authenticate", "Bearer");
              return res;
            }
          }
          auto res = text_response(200, registry.expose(), std::string(metrics::text_content_type));
          res.headers.set("Cache-Control", "no-store");
          return res;
        });
  return r;
}

expected<std::string> read_token_file(const std::string& file, const std::string& flag) {
  std::error_code ec;
  const auto text = read_file(file, ec, 64 * 1024);
  const auto named = flag + " '" + file + "': ";
  const auto fix = "; write the token into the file";
  if (ec) return tl::unexpected(error{ec, named + errno_words(ec.value()) + fix});
  const auto line = parse::trim(std::string_view(text).substr(0, text.find('\n')));
  if (line.empty()) {
    return tl::unexpected(error{std::make_error_code(std::errc::invalid_argument),
                                named + "its first line is empty" + fix});
  }
  return std::string(line);
}

bool is_loopback_listen(std::string_view listen) noexcept {
  auto ep = parse_listen_address(listen);
  if (!ep) return false;
  return ep->address.starts_with("127.") || ep->address == "::1";
}

expected<std::unique_ptr<metrics_endpoint>> metrics_endpoint::start(boost::asio::io_context& ioc,
                                                                    metrics::registry& registry,
                                                                    metrics_endpoint_options o) {
  const auto named = o.flag + " '" + o.listen + "'";
  if (auto ep = parse_listen_address(o.listen); !ep) {
    return tl::unexpected(error{ep.error().code, o.flag + ": " + ep.error().message});
  }
  const bool loopback = is_loopback_listen(o.listen);
  if (o.token.empty() && !loopback) {
    return tl::unexpected(
        error{std::make_error_code(std::errc::invalid_argument),
              named + ": metrics on a non-loopback address need a token; " + o.token_advice});
  }
  server_options so{.listen = o.listen, .registry = &registry, .server_name = o.server_name};
  // Without a token only the Host check keeps a rebinding page from reading the metrics.
  if (o.token.empty()) so.allowed_hosts = std::vector<std::string>{};
  std::unique_ptr<metrics_endpoint> me(new metrics_endpoint());
  try {
    me->server_ = std::make_unique<server>(ioc, std::move(so), metrics_router(registry, o.token));
  } catch (const std::invalid_argument& e) {
    return tl::unexpected(error{std::make_error_code(std::errc::invalid_argument), e.what()});
  }
  auto bound = me->server_->listen();
  if (!bound)
    return tl::unexpected(error{bound.error().code, o.flag + ": " + bound.error().message});
  me->bound_ = *bound;
  return me;
}

metrics_endpoint::~metrics_endpoint() { stop(); }

void metrics_endpoint::stop() noexcept {
  if (server_) server_->stop();
}

}  // namespace vmterm::http
