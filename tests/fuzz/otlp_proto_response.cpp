// What a collector answers to an OTLP protobuf export, over HTTP or gRPC: the
// ExportTraceServiceResponse (partial success) and the google.rpc.Status of a gRPC error with
// its RetryInfo. Any bytes must decode or be refused, never crash; a decoded delay is bounded.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "trace_otlp/otlp_proto.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto response = vmterm::trace_otlp::decode_export_response_proto(bytes);
  if (response && response->error_message.size() > size) std::abort();
  const auto delay = vmterm::trace_otlp::decode_retry_delay(bytes);
  if (delay && (delay->count() < 0 || *delay > std::chrono::hours(25))) std::abort();
  return 0;
}
