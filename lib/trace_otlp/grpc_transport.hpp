#pragma once
/// OTLP/gRPC's transport, loaded on first use: libvmterm_otlp_grpc.so (the one part of vmterm
/// that links grpc++) is dlopen'ed only by an exporter whose protocol is grpc, so no other run
/// of any tool maps grpc++ at start-up. The module is looked for, in order, at
/// $VMTERM_OTLP_GRPC_MODULE, beside the program, in ../lib/vmterm/ from the program (the
/// installed layout) and in the build tree. It is never unloaded (grpc++ keeps threads).
///
/// Threading: call() may be made from any thread; one transport is used by one exporter.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

struct vmterm_grpc_api;

namespace vmterm::trace_otlp {

/// The gRPC status codes the exporter tells apart (grpc::StatusCode's values).
enum class grpc_code : int {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  resource_exhausted = 8,
  aborted = 10,
  out_of_range = 11,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  data_loss = 15,
  unauthenticated = 16,
};

/// OTLP/gRPC's retry rule: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE
/// and DATA_LOSS are retried; RESOURCE_EXHAUSTED only when the server sent a RetryInfo (it
/// says it will recover); everything else is final.
[[nodiscard]] bool retryable_grpc(int code, bool has_retry_info) noexcept;

/// "UNAVAILABLE", "RESOURCE_EXHAUSTED", ..., or the number.
[[nodiscard]] std::string grpc_code_name(int code);

class grpc_transport {
 public:
  /// What one call ended with.
  struct answer {
    int code = 0;          ///< grpc_code
    std::string message;   ///< the status message
    std::string details;   ///< grpc-status-details-bin (a google.rpc.Status), may be empty
    std::string response;  ///< OK: the response message's bytes
  };

  /// Loads the module (once per process) and opens a channel to `target` ("host:port"), with
  /// TLS and the system's roots when `tls`. Error: "cannot load the gRPC module
  /// libvmterm_otlp_grpc.so (<why>); install vmterm's gRPC module and libgrpc++1.51, or set
  /// OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf".
  [[nodiscard]] static expected<std::unique_ptr<grpc_transport>> open(const std::string& target,
                                                                      bool tls);
  ~grpc_transport();
  grpc_transport(const grpc_transport&) = delete;
  grpc_transport& operator=(const grpc_transport&) = delete;

  /// One unary call of `method` with `body` as the request's bytes; header names are sent
  /// lowercase (gRPC metadata). Never throws except std::bad_alloc.
  [[nodiscard]] answer call(const std::string& method, std::string_view body,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            std::chrono::milliseconds timeout, bool gzip) const;

 private:
  grpc_transport(const vmterm_grpc_api* api, void* channel) : api_(api), channel_(channel) {}
  const vmterm_grpc_api* api_;
  void* channel_;
};

}  // namespace vmterm::trace_otlp
