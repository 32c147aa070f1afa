#pragma once
/// A Jaeger query service as a source: api_v3 first, the v1 JSON API when api_v3 is absent
/// (404 on `/api/v3/services`, decided once per source). Handles Jaeger's quirks: a base path
/// in the URL, error bodies served as text/plain with JSON inside, 404 for an empty api_v3
/// search, 16-hex trace ids and int64s as strings (in the decoders). Tag and error filters are
/// applied client-side as well, since older Jaeger ignores them. `search` lines come from
/// `/api/v3/trace-summaries` where Jaeger has it (v2.19+), else from `/api/v3/traces` (a 404
/// with a JSON body is an empty search; "404 page not found" or 501 means no api_v3 search),
/// else from v1's `/api/traces`. A v1 answer that carries only errors[] quotes them.
///
/// Errors name the request and what came back, e.g.
///   GET 'http://127.0.0.1:1/api/v3/services': connection refused; start Jaeger or set --jaeger
///   GET 'http://h:16686/api/v3/traces/…': HTTP 500: internal error
/// Threading: one thread at a time (it owns an http::client).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/client.hpp"
#include "http/url.hpp"
#include "jaeger/source.hpp"

namespace vmterm::jaeger {

struct jaeger_options {
  std::string url = "http://127.0.0.1:16686";         ///< may carry a base path
  std::chrono::milliseconds timeout{10000};           ///< for each request
  std::shared_ptr<http::client_observer> observer{};  ///< client spans, traceparent
};

enum class jaeger_api { unknown, v3, v1 };

class jaeger_source final : public source {
 public:
  /// Fails with "parse URL '<url>': …" for a URL the client cannot use.
  [[nodiscard]] static expected<std::unique_ptr<jaeger_source>> create(jaeger_options options);

  [[nodiscard]] std::string name() const override { return base_.str(); }
  [[nodiscard]] expected<std::vector<std::string>> services() override;
  [[nodiscard]] expected<std::vector<operation_info>> operations(const std::string& service,
                                                                 const std::string& kind) override;
  [[nodiscard]] expected<std::vector<trace::span_data>> search(const search_query& query) override;
  /// api_v3's `/api/v3/trace-summaries` (Jaeger v2.19+); on 404 or 501 the spans of a search
  /// (`/api/v3/traces`, else v1), summarised here.
  [[nodiscard]] expected<std::vector<trace_summary>> summaries(const search_query& query) override;
  [[nodiscard]] expected<std::vector<trace::span_data>> get(
      std::span<const trace::trace_id> ids) override;
  [[nodiscard]] expected<std::string> get_otlp(std::span<const trace::trace_id> ids) override;

  /// Which API answered (unknown until the first request).
  [[nodiscard]] jaeger_api api() const noexcept { return api_; }

 private:
  jaeger_source(http::url base, jaeger_options options);

  /// GETs base + target. A response with any status is a value; transport failures are errors.
  expected<http::response> fetch(const std::string& target, std::string& full_url);
  /// Like fetch, but only 200 is a value; `allow_404` lets 404 through too.
  expected<http::response> fetch_ok(const std::string& target, std::string& full_url,
                                    bool allow_404 = false);
  /// Learns the API from /api/v3/services (caching the service list).
  expected<jaeger_api> detect();
  expected<std::string> fetch_v3_trace(const trace::trace_id& id);
  expected<std::vector<trace::span_data>> get_v1(const trace::trace_id& id);
  /// v1 `/api/traces` search.
  expected<std::vector<trace::span_data>> search_v1(const search_query& asked);

  http::url base_;
  jaeger_options options_;
  http::client client_;
  jaeger_api api_ = jaeger_api::unknown;
  std::optional<std::vector<std::string>> services_{};
  bool summaries_absent_ = false;  ///< /api/v3/trace-summaries answered 404 or 501 once
};

}  // namespace vmterm::jaeger
