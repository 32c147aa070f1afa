#include "trace_otlp/otlp_http_exporter.hpp"

#include "trace_otlp/otlp_proto.hpp"

#include "core/log.hpp"
#include "http/client.hpp"
#include "http/url.hpp"
#include "trace_otlp/grpc_transport.hpp"
#include "trace_otlp/gzip.hpp"
#include "trace_otlp/otlp_json.hpp"
#include "trace_otlp/retry.hpp"

namespace vmterm::trace_otlp {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t max_request_bytes = std::size_t{64} << 20;  // OTLP's recommended limit
constexpr auto report_interval = std::chrono::minutes(1);
constexpr auto no_deadline = std::chrono::hours(24 * 365);
constexpr const char* grpc_export_method =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

milliseconds until(clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - clock::now());
}

/// The first line of a response body, shortened, for messages.
std::string snippet(std::string_view body) {
  body = body.substr(0, std::min(body.find_first_of("\r\n"), std::size_t{200}));
  return std::string(body);
}

}  // namespace

otlp_http_exporter::otlp_http_exporter(otlp_http_options options)
    : options_(std::move(options)),
      client_(std::make_unique<http::client>(
          http::client_options{.timeout = options_.timeout,
                               .user_agent = "vmterm-OTLP-Exporter/0.1.0",
                               .body_limit = std::size_t{4} << 20,
                               .verify_tls = true,
                               .observer = nullptr})),
      random_(std::random_device{}()) {
  if (options_.protocol != otlp_protocol::grpc) return;
  // Loaded here, not at start-up: only a gRPC exporter maps grpc++.
  const auto u = http::parse_url(options_.url);
  if (!u) {
    grpc_error_ = u.error().message;
    return;
  }
  const std::string target =
      (u->host.find(':') != std::string::npos ? "[" + u->host + "]" : u->host) + ":" +
      std::to_string(u->port);
  auto t = grpc_transport::open(target, u->tls());
  if (t) {
    grpc_ = std::move(*t);
  } else {
    grpc_error_ = t.error().message;
  }
}

otlp_http_exporter::~otlp_http_exporter() = default;

otlp_http_exporter::stats otlp_http_exporter::counters() const noexcept {
  return {exported_.load(), failed_.load(), rejected_.load(), attempts_.load()};
}

void otlp_http_exporter::report(std::string_view message, bool is_error) noexcept {
  try {
    const auto now = clock::now();
    if (last_report_ != clock::time_point{} && now - last_report_ < report_interval) {
      ++unreported_;
      return;
    }
    std::string line = "export spans to '" + options_.url + "': " + std::string(message);
    if (unreported_ > 0) {
      line += " (" + std::to_string(unreported_) + " more problems since the last report)";
    }
    unreported_ = 0;
    last_report_ = now;
    if (is_error) {
      log::error(line, {{"exporter", "otlp"}});
    } else {
      log::warn(line, {{"exporter", "otlp"}});
    }
  } catch (...) {  // std::bad_alloc: lose the message, never the caller
  }
}

bool otlp_http_exporter::wait(milliseconds delay) noexcept {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return shut_down_ || exit_deadline_; });
}

otlp_http_exporter::outcome otlp_http_exporter::attempt(const std::string& body,
                                                        std::size_t span_count,
                                                        clock::time_point deadline,
                                                        milliseconds& retry_after,
                                                        std::string& reason) {
  if (options_.protocol == otlp_protocol::grpc) {
    return attempt_grpc(body, span_count, deadline, retry_after, reason);
  }
  http::request req;
  req.method = "POST";
  req.url = options_.url;
  const bool proto = options_.protocol == otlp_protocol::http_protobuf;
  req.headers.add("Content-Type", proto ? "application/x-protobuf" : "application/json");
  if (options_.gzip) req.headers.add("Content-Encoding", "gzip");
  for (const auto& [name, value] : options_.headers) req.headers.add(name, value);
  req.body = body;
  ++attempts_;
  const auto result = client_->send(std::move(req), std::max(milliseconds(1), until(deadline)));
  retry_after = milliseconds(-1);
  if (!result) {
    reason = result.error().message;
    const auto code = result.error().code;
    const bool final = code == std::errc::invalid_argument || code == std::errc::message_size;
    return final ? outcome::give_up : outcome::retry;
  }
  const auto status = result->status;
  if (status >= 200 && status < 300) {
    accept(
        proto ? decode_export_response_proto(result->body) : decode_export_response(result->body),
        span_count);
    return outcome::done;
  }
  reason = "HTTP " + std::to_string(status) + " " + result->reason;
  if (const auto s = snippet(result->body); !s.empty()) reason += ": " + s;
  if (!retryable_status(status)) return outcome::give_up;
  if (const auto header = result->headers.get("Retry-After")) {
    if (const auto delay = parse_retry_after(*header, std::chrono::system_clock::now())) {
      retry_after = *delay;
    }
  }
  return outcome::retry;
}

void otlp_http_exporter::accept(const expected<export_response>& partial, std::size_t span_count) {
  const auto rejected = partial ? partial->rejected_spans : 0;
  if (partial && (rejected > 0 || !partial->error_message.empty())) {
    rejected_ += static_cast<std::uint64_t>(std::max<std::int64_t>(rejected, 0));
    report("partial success: " + std::to_string(rejected) +
               " spans rejected: " + partial->error_message,
           false);
  }
  exported_ += span_count -
               std::min(span_count, static_cast<std::size_t>(std::max<std::int64_t>(rejected, 0)));
}

otlp_http_exporter::outcome otlp_http_exporter::attempt_grpc(const std::string& body,
                                                             std::size_t span_count,
                                                             clock::time_point deadline,
                                                             milliseconds& retry_after,
                                                             std::string& reason) {
  retry_after = milliseconds(-1);
  if (!grpc_) {
    reason = grpc_error_;
    return outcome::give_up;
  }
  ++attempts_;
  const auto a = grpc_->call(grpc_export_method, body, options_.headers,
                             std::max(milliseconds(1), until(deadline)), options_.gzip);
  if (a.code == static_cast<int>(grpc_code::ok)) {
    accept(decode_export_response_proto(a.response), span_count);
    return outcome::done;
  }
  reason = "gRPC " + grpc_code_name(a.code);
  if (!a.message.empty()) reason += ": " + snippet(a.message);
  const auto delay = decode_retry_delay(a.details);
  if (!retryable_grpc(a.code, delay.has_value())) return outcome::give_up;
  if (delay) retry_after = *delay;
  return outcome::retry;
}

trace::export_result otlp_http_exporter::export_spans(
    std::span<const trace::span_data> spans) noexcept {
  return export_any(spans);
}

std::optional<trace::export_result> otlp_http_exporter::export_records(
    std::span<const trace::span_data* const> spans) noexcept {
  return export_any(spans);
}

template <class Spans>
trace::export_result otlp_http_exporter::export_any(Spans spans) noexcept {
  std::optional<clock::time_point> exiting;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return trace::export_result::failure;
    exiting = exit_deadline_;
  }
  if (spans.empty()) return trace::export_result::success;
  auto deadline =
      clock::now() + (options_.timeout.count() > 0 ? options_.timeout : milliseconds(no_deadline));
  if (exiting) deadline = std::min(deadline, *exiting);
  std::string reason;
  try {
    std::string body = options_.protocol == otlp_protocol::http_json ? encode_request(spans)
                                                                     : encode_request_proto(spans);
    // gRPC compresses the message itself (grpc-encoding), not the bytes handed to it.
    if (options_.gzip && options_.protocol != otlp_protocol::grpc) {
      if (auto compressed = gzip_compress(body)) body = std::move(*compressed);
    }
    if (body.size() > max_request_bytes) {
      reason = "request of " + std::to_string(body.size()) + " bytes exceeds 64 MiB";
    } else {
      for (int n = 1;; ++n) {
        milliseconds retry_after{};
        const auto result = attempt(body, spans.size(), deadline, retry_after, reason);
        if (result == outcome::done) return trace::export_result::success;
        if (result == outcome::give_up) break;
        if (exiting || n >= options_.retry.max_attempts) {
          reason = "gave up after " + std::to_string(n) + " attempts: " + reason;
          break;
        }
        const auto delay =
            retry_after.count() >= 0 ? retry_after : backoff(options_.retry, n, random_);
        if (clock::now() + delay >= deadline) {
          reason = "gave up after " + std::to_string(n) + (n == 1 ? " attempt" : " attempts") +
                   " (next retry would pass the export timeout): " + reason;
          break;
        }
        if (!wait(delay)) {
          reason = "shut down while retrying: " + reason;
          break;
        }
      }
    }
  } catch (const std::exception& e) {
    reason = e.what();
  }
  ++failed_;
  failed_spans_ += spans.size();
  // At exit (exit_by, perhaps during this export) the caller counts the loss and says it in
  // one line.
  {
    std::lock_guard lock(mutex_);
    exiting = exit_deadline_;
  }
  if (!exiting) report(reason + "; " + std::to_string(spans.size()) + " spans dropped", true);
  return trace::export_result::failure;
}

void otlp_http_exporter::exit_by(clock::time_point deadline) noexcept {
  {
    std::lock_guard lock(mutex_);
    exit_deadline_ = deadline;
  }
  wake_.notify_all();
}

std::uint64_t otlp_http_exporter::failed_spans() const noexcept { return failed_spans_.load(); }

void otlp_http_exporter::shutdown(milliseconds /*timeout*/) noexcept {
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
  }
  wake_.notify_all();
}

}  // namespace vmterm::trace_otlp
