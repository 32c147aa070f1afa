// libvmterm_otlp_grpc.so: OTLP/gRPC's transport on Debian's grpc++, loaded by lib/trace_otlp
// with dlopen only when OTEL_EXPORTER_OTLP_PROTOCOL=grpc, so no other run pays for linking
// grpc++ at start-up. Sends raw serialized bytes (lib/trace_otlp's protobuf encoder) through
// the generic stub; no generated code.
#include <grpc/support/log.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "trace_otlp/detail/grpc_module_abi.h"

namespace {

struct channel {
  std::shared_ptr<grpc::Channel> ch;
  grpc::GenericStub stub;
  explicit channel(std::shared_ptr<grpc::Channel> c) : ch(std::move(c)), stub(ch) {}
};

char* copy(const void* data, std::size_t n) {
  auto* p = static_cast<char*>(std::malloc(n + 1));
  if (p == nullptr) return nullptr;
  if (n > 0) std::memcpy(p, data, n);
  p[n] = '\0';
  return p;
}

/// grpc's own log lines would land on the tool's stderr; the exporter reports each failure
/// itself (named, rate-limited), so they are dropped.
void quiet(gpr_log_func_args* /*args*/) {}

void* open_channel(const char* target, int use_tls) {
  try {
    static const bool silenced = [] {
      gpr_set_log_function(&quiet);
      return true;
    }();
    (void)silenced;
    auto creds = use_tls != 0 ? grpc::SslCredentials(grpc::SslCredentialsOptions{})
                              : grpc::InsecureChannelCredentials();
    grpc::ChannelArguments args;
    args.SetString(GRPC_ARG_PRIMARY_USER_AGENT_STRING, "vmterm-OTLP-Exporter/0.1.0");
    return new channel(grpc::CreateCustomChannel(target, creds, args));
  } catch (...) {
    return nullptr;
  }
}

void fill(vmterm_grpc_result* out, const grpc::Status& status, const grpc::ByteBuffer& response) {
  out->status_code = static_cast<int>(status.error_code());
  out->message = copy(status.error_message().data(), status.error_message().size());
  const auto& details = status.error_details();
  if (!details.empty()) {
    out->details = copy(details.data(), details.size());
    out->details_len = details.size();
  }
  if (status.ok()) {
    std::vector<grpc::Slice> slices;
    if (response.Dump(&slices).ok()) {
      std::string bytes;
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      out->response = copy(bytes.data(), bytes.size());
      out->response_len = bytes.size();
    }
  }
}

void call(void* handle, const vmterm_grpc_call* c, vmterm_grpc_result* out) {
  *out = vmterm_grpc_result{};
  try {
    auto* ch = static_cast<channel*>(handle);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(c->timeout_ms));
    for (std::size_t i = 0; i < c->header_pairs; ++i) {
      ctx.AddMetadata(c->headers[2 * i], c->headers[2 * i + 1]);
    }
    if (c->gzip != 0) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    grpc::Slice slice(c->body, c->body_len);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    ch->stub.UnaryCall(&ctx, c->method, grpc::StubOptions{}, &request, &response,
                       [&](grpc::Status s) {
                         std::lock_guard lock(mu);
                         status = std::move(s);
                         done = true;
                         cv.notify_one();
                       });
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done; });
    fill(out, status, response);
  } catch (...) {
    out->status_code = static_cast<int>(grpc::StatusCode::INTERNAL);
    if (out->message == nullptr) out->message = copy("grpc call failed", 16);
  }
  if (out->message == nullptr) out->message = copy("", 0);
}

void free_result(vmterm_grpc_result* r) {
  std::free(r->message);
  std::free(r->details);
  std::free(r->response);
  *r = vmterm_grpc_result{};
}

void close_channel(void* handle) { delete static_cast<channel*>(handle); }

const vmterm_grpc_api api{VMTERM_GRPC_ABI_VERSION, &open_channel, &call, &free_result,
                          &close_channel};

}  // namespace

extern "C" __attribute__((visibility("default"))) const vmterm_grpc_api* vmterm_otlp_grpc_api() {
  return &api;
}
