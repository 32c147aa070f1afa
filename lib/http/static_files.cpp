#include "http/static_files.hpp"

#include <optional>
#include <string>

namespace vmterm::http {
namespace {

/// True when an If-None-Match value ("a", W/"b", *) names `etag` (weak comparison).
bool etag_listed(std::string_view list, std::string_view etag) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// A coding's parameters ("q=0.5"): false only for a weight of zero ("q=0", "q=0.000").
bool weight_above_zero(std::string_view params) noexcept {
  params = trim(params);
  if (params.size() < 2 || (params[0] != 'q' && params[0] != 'Q') || params[1] != '=') return true;
  params = trim(params.substr(2));
  return params.empty() || params.find_first_not_of("0.") != std::string_view::npos;
}

/// The ETag of the gzip form: "abc" -> "abc-gzip".
std::string gzip_etag(std::string_view etag) {
  if (etag.size() < 2 || etag.back() != '"') return std::string(etag);
  etag.remove_suffix(1);
  return std::string(etag) + "-gzip\"";
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) noexcept {
  // An explicit gzip (or x-gzip) decides; "*" counts only without one.
  std::optional<bool> named;
  bool any = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semi = item.find(';');
    const std::string_view coding = trim(item.substr(0, semi));
    const bool gzip = iequals(coding, "gzip") || iequals(coding, "x-gzip");
    if (!gzip && coding != "*") continue;
    const bool ok = semi == std::string_view::npos || weight_above_zero(item.substr(semi + 1));
    if (gzip) {
      named = named.value_or(false) || ok;
    } else {
      any = any || ok;
    }
  }
  return named.value_or(any);
}

response serve_file(const embedded_file& file, const request& req, std::string_view cache_control) {
  response res;
  const auto encodings = req.headers.get("Accept-Encoding");
  const bool gzip = !file.gzip.empty() && encodings && accepts_gzip(*encodings);
  const std::string etag = gzip ? gzip_etag(file.etag) : std::string(file.etag);
  res.headers.set("ETag", etag);
  res.headers.set("Cache-Control", std::string(cache_control));
  if (!file.gzip.empty()) res.headers.set("Vary", "Accept-Encoding");
  const auto inm = req.headers.get("If-None-Match");
  if (inm && !file.etag.empty() && etag_listed(*inm, etag)) {
    res.status = 304;
    res.reason = std::string(reason_phrase(304));
    return res;
  }
  res.status = 200;
  res.reason = std::string(reason_phrase(200));
  res.headers.set("Content-Type", std::string(file.content_type));
  if (gzip) res.headers.set("Content-Encoding", "gzip");
  res.body = std::string(gzip ? file.gzip : file.content);
  return res;
}

handler embedded_files_handler(std::span<const embedded_file> files, std::string_view index,
                               std::string_view cache_control) {
  return [files, index = std::string(index), cache = std::string(cache_control)](
             const request& req, const request_context& ctx) {
    const std::string_view name = ctx.rest.empty() ? std::string_view(index) : ctx.rest;
    const embedded_file* f = name.empty() ? nullptr : find_embedded(files, name);
    if (f == nullptr) return text_response(404, "404 Not Found\n");
    return serve_file(*f, req, cache);
  };
}

}  // namespace vmterm::http
