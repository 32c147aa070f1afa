#include "routes.hpp"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>

#include "core/embedded_file.hpp"
#include "http/static_files.hpp"
#include "metrics/exposition.hpp"
#include "ssh/target.hpp"
#include "trace/context.hpp"
#include "trace/propagation.hpp"

extern const vmterm::embedded_file vmterm_serve_page[];
extern const std::size_t vmterm_serve_page_count;

namespace vmterm::serve {
namespace {

std::span<const embedded_file> page_files() { return {vmterm_serve_page, vmterm_serve_page_count}; }

/// Wraps a handler so that it runs only with a session cookie or the bearer token.
http::handler authenticated(http::authenticator& auth, http::handler next) {
  return
      [&auth, next = std::move(next)](const http::request& req, const http::request_context& ctx) {
        const auto verdict = auth.check(req);
        if (verdict != http::authenticator::verdict::ok) return auth.unauthorized(verdict);
        return next(req, ctx);
      };
}

/// What the page's title names: user@host for --ssh, the command for --command, else the user
/// and this machine's name (the login shell runs here).
std::string session_target(const settings& s) {
  if (s.ssh) return ssh::to_string(s.ssh->target);
  std::string out;
  for (const auto& word : s.command) out += (out.empty() ? "" : " ") + word;
  if (!out.empty()) return out;
  const passwd* pw = ::getpwuid(::geteuid());
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(pw != nullptr ? pw->pw_name : "") + "@" + host.data();
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// A browser asking for the page without a valid login gets the 401's words as HTML (no
/// inline style or script: the CSP holds here too); other clients get the plain text.
http::response unauthorized_for(const http::authenticator& auth, http::authenticator::verdict why,
                                const http::request& req) {
  http::response res = auth.unauthorized(why);
  const auto accept = req.headers.get("Accept");
  if (!accept || accept->find("text/html") == std::string_view::npos) return res;
  std::string_view words = res.body;
  while (!words.empty() && words.back() == '\n') words.remove_suffix(1);
  res.body =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>vmterm: login needed</title>\n"
      "<link rel=\"icon\" href=\"favicon.svg\" type=\"image/svg+xml\">\n</head>\n<body>\n"
      "<h1>vmterm: login needed</h1>\n<p>" +
      html_escape(words) +
      "</p>\n<p>The login URL is the line <code>vmterm-serve: open http://...</code> that "
      "vmterm-serve prints on its standard error when it starts (in its terminal, or its log: "
      "<code>journalctl -u vmterm-serve</code>, <code>./var/log/</code> under "
      "<code>scripts/run</code>). A restarted vmterm-serve prints a new one.</p>\n"
      "</body>\n</html>\n";
  res.headers.set("Content-Type", "text/html; charset=utf-8");
  return res;
}

/// GET /info: what the page asks without upgrading. 401 (as every route without a login: after
/// a restart, the old login is gone) or 200 with what sessions run, for the title.
http::handler info_handler(app_state& app) {
  return [&app, target = session_target(app.config)](const http::request& req,
                                                     const http::request_context&) {
    const auto verdict = app.auth.check(req);
    if (verdict != http::authenticator::verdict::ok) return app.auth.unauthorized(verdict);
    auto res = http::text_response(
        200, nlohmann::json{{"target", target}, {"readonly", app.config.readonly}}.dump(),
        "application/json");
    res.headers.set("Cache-Control", "no-store");
    return res;
  };
}

/// The page with this request's trace context in a <meta name="traceparent">, which the page
/// passes on in its WebSocket URL so that the terminal session joins the GET's trace. Made for
/// each request, so never cached; none (the file as it is) when there is no trace context.
std::optional<http::response> page_with_trace(const embedded_file& index) {
  const auto tp = trace::format_traceparent(trace::current_context().span);
  if (tp.empty()) return std::nullopt;
  std::string html(index.content);
  constexpr std::string_view after = "<meta charset=\"utf-8\">\n";
  const auto at = html.find(after);
  if (at == std::string::npos) return std::nullopt;
  html.insert(at + after.size(), "  <meta name=\"traceparent\" content=\"" + tp + "\">\n");
  auto res = http::text_response(200, std::move(html), std::string(index.content_type));
  res.headers.set("Cache-Control", "no-store");
  return res;
}

/// GET /: with ?token= the login (cookie and 303 to the same path without the token),
/// otherwise the page for a signed-in browser.
http::handler page_handler(app_state& app) {
  const embedded_file* index = find_embedded(page_files(), "index.html");
  return [&app, index](const http::request& req, const http::request_context& ctx) {
    if (auto login = app.auth.login(req, ctx)) return std::move(*login);
    const auto verdict = app.auth.check(req);
    if (verdict != http::authenticator::verdict::ok)
      return unauthorized_for(app.auth, verdict, req);
    if (index == nullptr) return http::text_response(500, "the page is missing from this build\n");
    if (auto traced = page_with_trace(*index)) return std::move(*traced);
    return http::serve_file(*index, req);
  };
}

http::response readiness_response(app_state& app) {
  if (app.stopping.load()) return http::text_response(503, "not ready: shutting down\n");
  const auto r = app.terminals->check();
  if (!r.ready) return http::text_response(503, "not ready: " + r.reason + "\n");
  if (app.redis) {
    const auto p = app.redis->ping();
    if (!p.ready) return http::text_response(503, "not ready: " + p.reason + "\n");
  }
  return http::text_response(200, "ready\n");
}

/// `text` as the inside of a JSON string.
std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

/// The original app's health check: {"status":"ok"}; with --redis-url, only while Redis answers
/// PING (the original reported ok only when its checks passed).
http::response health_check_response(app_state& app) {
  http::response res;
  if (app.redis) {
    if (const auto p = app.redis->ping(); !p.ready) {
      res =
          http::text_response(503, R"({"status":"error","redis":")" + json_escape(p.reason) + "\"}",
                              "application/json");
      res.headers.set("Cache-Control", "no-store");
      return res;
    }
  }
  res = http::text_response(200, R"({"status":"ok"})", "application/json");
  res.headers.set("Cache-Control", "no-store");
  return res;
}

http::response metrics_response(app_state& app, const http::request& req) {
  const auto verdict = app.auth.check_bearer(req);
  if (verdict != http::authenticator::verdict::ok) return app.auth.unauthorized(verdict);
  auto res =
      http::text_response(200, app.registry.expose(), std::string(metrics::text_content_type));
  res.headers.set("Cache-Control", "no-store");
  return res;
}

/// The upgrade is refused before the hub sees it: no credentials → 401, foreign Origin → 403.
http::upgrade_gate terminal_gate(app_state& app) {
  return [&app](const http::request& req,
                const http::request_context&) -> std::optional<http::response> {
    const auto verdict = app.auth.check(req);
    if (verdict != http::authenticator::verdict::ok) return app.auth.unauthorized(verdict);
    if (!app.auth.origin_ok(req)) {
      return app.auth.forbidden_origin(req.headers.get("Origin").value_or(""));
    }
    if (app.stopping.load()) return http::text_response(503, "vmterm-serve is shutting down\n");
    return std::nullopt;
  };
}

}  // namespace

http::router make_router(app_state& app) {
  http::router r(app.config.base_path);
  r.add("GET", "/", page_handler(app));
  // The page's own files, each at its own path; index.html only through "/". The icon needs
  // no login (the 401 page shows it too).
  for (const auto& file : page_files()) {
    if (file.path == "index.html") continue;
    if (file.path == "favicon.svg") {
      r.add("GET", "/favicon.svg", [&file](const http::request& req, const http::request_context&) {
        return http::serve_file(file, req);
      });
      continue;
    }
    r.add("GET", "/" + std::string(file.path),
          authenticated(app.auth, [&file](const http::request& req, const http::request_context&) {
            return http::serve_file(file, req);
          }));
  }
  r.add("GET", "/info", info_handler(app));
  r.add("GET", "/health-check/", [&app](const http::request&, const http::request_context&) {
    return health_check_response(app);
  });
  r.add("GET", "/healthz", [](const http::request&, const http::request_context&) {
    return http::text_response(200, "ok\n");
  });
  r.add("GET", "/readyz", [&app](const http::request&, const http::request_context&) {
    return readiness_response(app);
  });
  r.add("GET", "/metrics", [&app](const http::request& req, const http::request_context&) {
    return metrics_response(app, req);
  });
  r.add_upgrade(
      "GET", "/ws/terminal/",
      [&app](const http::request& req, const http::request_context& ctx,
             http::upgraded_connection conn) { app.hub->accept(std::move(conn), req, ctx); },
      terminal_gate(app));
  return r;
}

}  // namespace vmterm::serve
