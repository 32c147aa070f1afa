#include "http/static_files.hpp"

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

}  // namespace

response serve_file(const embedded_file& file, const request& req, std::string_view cache_control) {
  response res;
  res.headers.set("ETag", std::string(file.etag));
  res.headers.set("Cache-Control", std::string(cache_control));
  const auto inm = req.headers.get("If-None-Match");
  if (inm && !file.etag.empty() && etag_listed(*inm, file.etag)) {
    res.status = 304;
    res.reason = std::string(reason_phrase(304));
    return res;
  }
  res.status = 200;
  res.reason = std::string(reason_phrase(200));
  res.headers.set("Content-Type", std::string(file.content_type));
  res.body = std::string(file.content);
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
