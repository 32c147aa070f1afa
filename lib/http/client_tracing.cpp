#include "http/client_tracing.hpp"

#include <optional>
#include <string>
#include <utility>

#include "http/url.hpp"
#include "trace/propagation.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::http {
namespace {

class client_tracing final : public http::client_observer {
 public:
  explicit client_tracing(std::string_view scope) : scope_(scope) {}

  void on_request(http::request& req) noexcept override {
    try {
      span_.emplace(trace::get_tracer(scope_).start_span(req.method, trace::span_kind::client));
      span_->set_attribute(trace::semconv::http_request_method, req.method);
      span_->set_attribute(trace::semconv::url_full, req.url);
      if (auto u = http::parse_url(req.url)) {
        span_->set_attribute(trace::semconv::server_address, u->host);
        span_->set_attribute(trace::semconv::server_port, static_cast<std::int64_t>(u->port));
      }
      if (span_->context().valid()) {
        req.headers.set("traceparent", trace::format_traceparent(span_->context()));
      }
    } catch (...) {
      span_.reset();  // telemetry never fails the request
    }
  }

  void on_response(const http::request&, const expected<http::response>& result,
                   std::chrono::nanoseconds) noexcept override {
    if (!span_) return;
    if (result) {
      span_->set_attribute(trace::semconv::http_response_status_code,
                           static_cast<std::int64_t>(result->status));
      if (result->status >= 400) {
        span_->set_attribute(trace::semconv::error_type, std::to_string(result->status));
        span_->set_status(trace::status_code::error);
      }
    } else {
      span_->set_status(trace::status_code::error, result.error().message);
    }
    span_->end();
    span_.reset();
  }

 private:
  std::string scope_;
  std::optional<trace::span> span_;
};

}  // namespace

std::shared_ptr<client_observer> make_client_tracing(std::string_view scope) {
  return std::make_shared<client_tracing>(scope);
}

}  // namespace vmterm::http
