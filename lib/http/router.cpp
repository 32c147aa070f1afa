#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace vmterm::http {
namespace {

std::string normalise_base(std::string_view base) {
  if (base.empty()) return "/";
  if (base.front() != '/') {
    throw std::invalid_argument("base path '" + std::string(base) +
                                "' must start with '/'; give e.g. '/vmterm/'");
  }
  std::string out(base);
  if (out.back() != '/') out += '/';
  return out;
}

void add_allowed(std::string& allow, std::string_view method) {
  if (!allow.empty()) allow += ", ";
  allow += method;
}

}  // namespace

router::router(std::string_view base_path) : base_(normalise_base(base_path)) {}

void router::add(std::string method, std::string_view pattern, handler fn) {
  insert(entry{std::move(method), std::string(pattern), false, std::move(fn), {}, {}});
}

void router::add_upgrade(std::string method, std::string_view pattern, upgrade_handler fn,
                         upgrade_gate gate) {
  insert(entry{std::move(method), std::string(pattern), false, {}, std::move(fn), std::move(gate)});
}

void router::insert(entry e) {
  if (e.pattern.empty() || e.pattern.front() != '/') {
    throw std::invalid_argument("route '" + e.pattern + "' must start with '/'");
  }
  if (e.pattern.ends_with("/*")) {
    e.prefix = true;
    e.pattern.pop_back();  // keep the trailing '/'
  }
  e.pattern = base_ + e.pattern.substr(1);
  for (const auto& r : routes_) {
    if (r.method == e.method && r.pattern == e.pattern && r.prefix == e.prefix) {
      throw std::invalid_argument("route '" + e.method + " " + e.pattern + "' added twice");
    }
  }
  routes_.push_back(std::move(e));
}

bool router::path_matches(const entry& e, std::string_view path) const noexcept {
  return e.prefix ? path.starts_with(e.pattern) : path == e.pattern;
}

const router::entry* router::most_specific(std::string_view path) const noexcept {
  // An exact route first, else the longest prefix.
  const entry* best = nullptr;
  for (const auto& r : routes_) {
    if (!path_matches(r, path)) continue;
    if (best == nullptr || (!r.prefix && best->prefix) ||
        (r.prefix == best->prefix && r.pattern.size() > best->pattern.size())) {
      best = &r;
    }
  }
  return best;
}

route_match router::match(std::string_view method, std::string_view path) const {
  route_match m;
  if (base_ != "/" && path == std::string_view(base_).substr(0, base_.size() - 1)) {
    m.result = route_match::kind::redirect;
    m.location = base_;
    return m;
  }
  const entry* best = most_specific(path);
  if (best == nullptr) return m;
  m.route = best->prefix ? best->pattern + "*" : best->pattern;
  if (best->prefix) m.rest = std::string(path.substr(best->pattern.size()));
  const entry* hit = nullptr;
  const entry* get = nullptr;
  bool has_head = false;
  for (const auto& r : routes_) {
    if (r.pattern != best->pattern || r.prefix != best->prefix) continue;
    if (r.method == method) hit = &r;
    if (r.method == "GET") get = &r;
    has_head = has_head || r.method == "HEAD";
    add_allowed(m.allow, r.method);
  }
  if (get != nullptr && get->fn && !has_head) add_allowed(m.allow, "HEAD");
  if (hit == nullptr && method == "HEAD" && get != nullptr && get->fn) {
    hit = get;
    m.head_as_get = true;
  }
  if (hit == nullptr) {
    m.result = route_match::kind::method_not_allowed;
    return m;
  }
  m.result = hit->fn ? route_match::kind::handled : route_match::kind::upgrade;
  m.fn = hit->fn ? &hit->fn : nullptr;
  m.upgrade_fn = hit->upgrade_fn ? &hit->upgrade_fn : nullptr;
  m.gate = hit->gate ? &hit->gate : nullptr;
  m.allow.clear();
  return m;
}

response router::dispatch(const route_match& m, const request& req,
                          const request_context& ctx) const {
  switch (m.result) {
    case route_match::kind::handled: {
      response res = (*m.fn)(req, ctx);
      if (m.head_as_get) {
        res.headers.set("Content-Length", std::to_string(res.body.size()));
        res.body.clear();
      }
      return res;
    }
    case route_match::kind::upgrade: {
      response res = text_response(426, "426 Upgrade Required\n");
      res.headers.set("Connection", "Upgrade");
      res.headers.set("Upgrade", "websocket");
      return res;
    }
    case route_match::kind::method_not_allowed: {
      response res = text_response(405, "405 Method Not Allowed\n");
      res.headers.set("Allow", m.allow);
      return res;
    }
    case route_match::kind::redirect: {
      response res = text_response(308, "308 Permanent Redirect\n");
      res.headers.set("Location", ctx.query.empty() ? m.location : m.location + "?" + ctx.query);
      return res;
    }
    case route_match::kind::not_found:
      break;
  }
  return text_response(404, "404 Not Found\n");
}

response text_response(unsigned status, std::string body, std::string_view content_type) {
  response res;
  res.status = status;
  res.reason = std::string(reason_phrase(status));
  res.headers.set("Content-Type", std::string(content_type));
  res.body = std::move(body);
  return res;
}

std::string_view reason_phrase(unsigned status) noexcept {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

}  // namespace vmterm::http
