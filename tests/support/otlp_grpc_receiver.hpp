#pragma once
/// A real OTLP/gRPC receiver for tests: a grpc++ generic callback service on a free loopback
/// port that records every call (method, metadata, the request's bytes) and answers with the
/// scripted replies in order (then OK with an empty ExportTraceServiceResponse). Only tests
/// link grpc++ directly; vmterm reaches it through libvmterm_otlp_grpc.so.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace grpc {
class Server;
class CallbackGenericService;
}  // namespace grpc

namespace vmterm::test {

class otlp_grpc_receiver {
 public:
  struct reply {
    int code = 0;         ///< grpc::StatusCode
    std::string message;  ///< the status message
    std::string details;  ///< a serialized google.rpc.Status (grpc-status-details-bin)
    std::string body;     ///< OK: the response's bytes

    /// An error status (with a google.rpc.Status as details, or none).
    static reply status(int code, std::string message, std::string details = {}) {
      return reply{code, std::move(message), std::move(details), {}};
    }
    /// OK with `body` as the response's bytes.
    static reply ok(std::string body) { return reply{0, {}, {}, std::move(body)}; }
  };
  struct call {
    std::string method;
    std::multimap<std::string, std::string> metadata;
    std::string body;
  };

  struct options {
    bool record = true;       ///< keep every call for calls() (false: count only, for benchmarks)
    bool accept_gzip = true;  ///< false: gzip-compressed messages are refused (UNIMPLEMENTED)
    std::string tls_cert{};   ///< PEM files: serve TLS (url() then says https)
    std::string tls_key{};
  };

  otlp_grpc_receiver() : otlp_grpc_receiver(options{}) {}
  explicit otlp_grpc_receiver(const options& o);
  ~otlp_grpc_receiver();
  otlp_grpc_receiver(const otlp_grpc_receiver&) = delete;
  otlp_grpc_receiver& operator=(const otlp_grpc_receiver&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }
  /// "http://127.0.0.1:PORT" (https with TLS), for OTEL_EXPORTER_OTLP_ENDPOINT.
  [[nodiscard]] std::string url() const {
    return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_);
  }
  void push(reply r);
  [[nodiscard]] std::vector<call> calls() const;
  [[nodiscard]] std::size_t call_count() const;

  /// Called by the service (internal).
  reply on_call(call c);

 private:
  mutable std::mutex mu_;
  std::deque<reply> script_;
  std::vector<call> calls_;
  std::size_t count_ = 0;
  bool record_ = true;
  bool tls_ = false;
  std::unique_ptr<grpc::CallbackGenericService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

/// Bytes of a google.rpc.Status{code, message, details: [Any{RetryInfo{retry_delay}}]}.
[[nodiscard]] std::string status_with_retry_info(int code, const std::string& message,
                                                 std::int64_t delay_ms);

}  // namespace vmterm::test
