#include "jaeger/jaeger_client.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>

#include "jaeger/jaeger_api.hpp"
#include "jaeger/local_query.hpp"
#include "jaeger/search_render.hpp"
#include "jaeger/v1_json.hpp"
#include "jaeger/wire_probe.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::jaeger {
namespace {

/// "<GET 'url'>: HTTP <status>: <message from the body>".
error status_error(const std::string& url, const http::response& res) {
  std::string msg = "GET '" + url + "': HTTP " + std::to_string(res.status);
  const auto detail = api::error_message(res.body);
  if (!detail.empty()) msg += ": " + detail;
  if (res.status == 404) msg += "; is --jaeger the URL of Jaeger's query service?";
  return error{std::make_error_code(std::errc::protocol_error), std::move(msg)};
}

/// A 200 answer whose body is not what Jaeger sends.
error garbage_error(const std::string& url, const http::response& res) {
  return error{std::make_error_code(std::errc::bad_message),
               "GET '" + url + "': HTTP " + std::to_string(res.status) +
                   " with a body that is not Jaeger JSON ('" + api::body_excerpt(res.body) +
                   "'); is --jaeger the URL of Jaeger's query service?"};
}

template <class T>
expected<T> or_garbage(expected<T> decoded, const std::string& url, const http::response& res) {
  if (!decoded) return tl::unexpected(garbage_error(url, res));
  return decoded;
}

template <class T>
bool nothing_in(const std::vector<T>& v) {
  return v.empty();
}
bool nothing_in(const v1_document& doc) { return doc.spans.empty(); }

/// A v1 answer: its errors[] when it has no data (Jaeger can send those with 200), else the
/// decoded body, else garbage_error. (Only an empty or undecodable answer is parsed again.)
template <class T>
expected<T> v1_answer(expected<T> decoded, const std::string& url, const http::response& res) {
  if (decoded && !nothing_in(*decoded)) return decoded;
  if (auto reported = api::v1_envelope_error(res.body)) {
    return fail(std::errc::protocol_error, "GET '" + url + "': HTTP " + std::to_string(res.status) +
                                               " but Jaeger reported an error: " + *reported);
  }
  return or_garbage(std::move(decoded), url, res);
}

/// The server answered, but not in HTTP (Beast's "bad version"): say what it said instead, as
/// a second connection hears it (an SSH server greets with "SSH-2.0-…").
error not_http_error(const http::url& u, const std::string& full_url, const error& e) {
  const auto said = first_words(
      u.host, u.port,
      "GET " + u.target() + " HTTP/1.1\r\nHost: " + u.authority() + "\r\nConnection: close\r\n\r\n",
      std::chrono::milliseconds(1000));
  std::string where = u.authority();
  if (u.port == 80) where += ":80";
  std::string msg = "GET '" + full_url + "': " + where + " is not a Jaeger query service: ";
  const auto reason =
      e.message.substr(e.message.rfind(": ") == std::string::npos ? 0 : e.message.rfind(": ") + 2);
  msg += said ? "it answered '" + *said + "'" : "its answer is not HTTP (" + reason + ")";
  msg += "; point --jaeger at Jaeger's query service (port 16686 by default)";
  return error{std::make_error_code(std::errc::protocol_error), std::move(msg)};
}

/// Only the summaries with an error span, when asked for.
void keep_errors(std::vector<trace_summary>& rows, bool errors_only) {
  if (!errors_only) return;
  std::erase_if(rows, [](const trace_summary& s) { return s.error_count == 0; });
}

}  // namespace

expected<std::unique_ptr<jaeger_source>> jaeger_source::create(jaeger_options options) {
  auto base = http::parse_url(options.url);
  if (!base) return tl::unexpected(base.error());
  return std::unique_ptr<jaeger_source>(new jaeger_source(std::move(*base), std::move(options)));
}

jaeger_source::jaeger_source(http::url base, jaeger_options options)
    : base_(std::move(base)),
      options_(std::move(options)),
      client_(http::client_options{.timeout = options_.timeout,
                                   .user_agent = "vmterm-trace/0.1",
                                   .body_limit = std::size_t{512} << 20,
                                   .verify_tls = true,
                                   .observer = options_.observer}) {
  base_.query.clear();
}

expected<http::response> jaeger_source::fetch(const std::string& target, std::string& full_url) {
  const auto qpos = target.find('?');
  http::url u = base_;
  u.path = target.substr(0, qpos);
  u.query = qpos == std::string::npos ? "" : target.substr(qpos + 1);
  full_url = u.str();
  auto res =
      client_.send(http::request{.method = "GET", .url = full_url, .headers = {}, .body = {}});
  if (res) return res;
  auto e = res.error();
  if (std::string_view(e.code.category().name()) == "beast.http" && !u.tls()) {
    return tl::unexpected(not_http_error(u, full_url, e));
  }
  if (e.code == std::errc::connection_refused) {
    e.message = "GET '" + full_url + "': connection refused";  // without the client's "connect: "
  }
  if (e.code == std::errc::timed_out) {
    e.message += "; is Jaeger overloaded? raise --timeout";
  } else {
    e.message += "; start Jaeger or set --jaeger";
  }
  return tl::unexpected(std::move(e));
}

expected<http::response> jaeger_source::fetch_ok(const std::string& target, std::string& full_url,
                                                 bool allow_404) {
  auto res = fetch(target, full_url);
  if (!res) return res;
  if (res->status == 200 || (allow_404 && res->status == 404)) return res;
  return tl::unexpected(status_error(full_url, *res));
}

expected<jaeger_api> jaeger_source::detect() {
  if (api_ != jaeger_api::unknown) return api_;
  std::string url;
  auto res = fetch_ok(api::v3_services(base_.path), url, true);
  if (!res) return tl::unexpected(res.error());
  if (res->status == 404) {
    api_ = jaeger_api::v1;
    return api_;
  }
  auto names = or_garbage(api::decode_v3_services(res->body), url, *res);
  if (!names) return tl::unexpected(names.error());
  services_ = std::move(*names);
  api_ = jaeger_api::v3;
  return api_;
}

expected<std::vector<std::string>> jaeger_source::services() {
  auto which = detect();
  if (!which) return tl::unexpected(which.error());
  if (services_) return *services_;
  std::string url;
  auto res = fetch_ok(api::v1_services(base_.path), url);
  if (!res) return tl::unexpected(res.error());
  auto names = v1_answer(api::decode_v1_services(res->body), url, *res);
  if (names) services_ = *names;
  return names;
}

expected<std::vector<operation_info>> jaeger_source::operations(const std::string& service,
                                                                const std::string& kind) {
  auto which = detect();
  if (!which) return tl::unexpected(which.error());
  const bool v3 = *which == jaeger_api::v3;
  std::string url;
  auto res = fetch_ok(v3 ? api::v3_operations(base_.path, service, kind)
                         : api::v1_operations(base_.path, service, kind),
                      url);
  if (!res) return tl::unexpected(res.error());
  if (v3) return or_garbage(api::decode_v3_operations(res->body), url, *res);
  return v1_answer(api::decode_v1_operations(res->body), url, *res);
}

expected<std::vector<trace::span_data>> jaeger_source::search(const search_query& query) {
  auto which = detect();
  if (!which) return tl::unexpected(which.error());
  search_query asked = query;
  if (query.errors_only) asked.limit = std::max<std::size_t>(query.limit * 5, 100);
  std::string url;
  std::vector<trace::span_data> spans;
  bool v1 = *which == jaeger_api::v1;
  if (!v1) {
    auto res = fetch(api::v3_search(base_.path, asked), url);
    if (!res) return tl::unexpected(res.error());
    if (res->status == 404 && api::is_json_object(res->body)) return spans;  // "No traces found"
    v1 = res->status == 404 || res->status == 501;  // a Jaeger without api_v3 search
    if (!v1 && res->status != 200) return tl::unexpected(status_error(url, *res));
    if (!v1) {
      auto decoded = or_garbage(trace_otlp::decode_spans(res->body, url), url, *res);
      if (!decoded) return tl::unexpected(decoded.error());
      spans = std::move(*decoded);
    }
  }
  if (v1) {
    auto found = search_v1(asked);
    if (!found) return found;
    spans = std::move(*found);
  }
  // Jaeger matched service, operation, durations and times; older ones ignore tags, and none
  // filters by error, so those are checked here.
  search_query again{.tags = query.tags, .limit = query.limit, .errors_only = query.errors_only};
  return search_spans(std::move(spans), again);
}

expected<std::vector<trace::span_data>> jaeger_source::search_v1(const search_query& asked) {
  std::string url;
  auto res = fetch_ok(api::v1_search(base_.path, asked), url);
  if (!res) return tl::unexpected(res.error());
  auto doc = v1_answer(decode_v1_json(res->body, url), url, *res);
  if (!doc) return tl::unexpected(doc.error());
  return std::move(doc->spans);
}

expected<std::vector<trace_summary>> jaeger_source::summaries(const search_query& query) {
  auto which = detect();
  if (!which) return tl::unexpected(which.error());
  if (*which == jaeger_api::v3 && !summaries_absent_) {
    search_query asked = query;
    if (query.errors_only) asked.limit = std::max<std::size_t>(query.limit * 5, 100);
    std::string url;
    auto res = fetch(api::v3_trace_summaries(base_.path, asked), url);
    if (!res) return tl::unexpected(res.error());
    if (res->status == 200) {
      auto rows = or_garbage(api::decode_v3_summaries(res->body), url, *res);
      if (!rows) return rows;
      keep_errors(*rows, query.errors_only);
      newest_first(*rows, query.limit);
      return rows;
    }
    if (res->status != 404 && res->status != 501) return tl::unexpected(status_error(url, *res));
    summaries_absent_ = true;  // before v2.19: summarise the spans of a search instead
  }
  return source::summaries(query);
}

expected<std::string> jaeger_source::fetch_v3_trace(const trace::trace_id& id) {
  std::string url;
  auto res = fetch_ok(api::v3_trace(base_.path, id), url, true);
  if (!res) return tl::unexpected(res.error());
  if (res->status == 404) {
    return fail(std::errc::no_such_file_or_directory,
                "trace '" + id.hex() + "' not found in '" + base_.str() + "'");
  }
  return std::move(res->body);
}

expected<std::vector<trace::span_data>> jaeger_source::get_v1(const trace::trace_id& id) {
  std::string url;
  auto res = fetch_ok(api::v1_trace(base_.path, id), url, true);
  if (!res) return tl::unexpected(res.error());
  if (res->status == 404) {
    return fail(std::errc::no_such_file_or_directory,
                "trace '" + id.hex() + "' not found in '" + base_.str() + "'");
  }
  auto doc = v1_answer(decode_v1_json(res->body, url), url, *res);
  if (!doc) return tl::unexpected(doc.error());
  return std::move(doc->spans);
}

expected<std::vector<trace::span_data>> jaeger_source::get(std::span<const trace::trace_id> ids) {
  auto which = detect();
  if (!which) return tl::unexpected(which.error());
  std::vector<trace::span_data> all;
  for (const auto& id : ids) {
    expected<std::vector<trace::span_data>> spans = std::vector<trace::span_data>{};
    if (*which == jaeger_api::v3) {
      auto body = fetch_v3_trace(id);
      if (!body) return tl::unexpected(body.error());
      spans = trace_otlp::decode_spans(*body, api::v3_trace(base_.path, id));
    } else {
      spans = get_v1(id);
    }
    if (!spans) return spans;
    for (auto& s : *spans) all.push_back(std::move(s));
  }
  return all;
}

expected<std::string> jaeger_source::get_otlp(std::span<const trace::trace_id> ids) {
  auto which = detect();
  if (!which) return tl::unexpected(which.error());
  std::string out;
  for (const auto& id : ids) {
    if (*which == jaeger_api::v3) {
      auto body = fetch_v3_trace(id);
      if (!body) return tl::unexpected(body.error());
      if (!out.empty() && out.back() != '\n') out += '\n';  // one document per line
      out += *body;
    } else {
      auto spans = get_v1(id);
      if (!spans) return tl::unexpected(spans.error());
      out += trace_otlp::encode_request(*spans) + "\n";
    }
  }
  return out;
}

}  // namespace vmterm::jaeger
