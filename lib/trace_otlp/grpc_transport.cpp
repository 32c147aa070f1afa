#include "trace_otlp/grpc_transport.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "trace_otlp/detail/grpc_module_abi.h"

namespace vmterm::trace_otlp {
namespace {

constexpr const char* module_name = "libvmterm_otlp_grpc.so";

std::vector<std::filesystem::path> module_candidates() {
  std::vector<std::filesystem::path> out;
  if (const char* explicit_path = std::getenv("VMTERM_OTLP_GRPC_MODULE");
      explicit_path != nullptr && *explicit_path != '\0') {
    out.emplace_back(explicit_path);
    return out;
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back(exe.parent_path() / module_name);
    out.push_back(exe.parent_path().parent_path() / "lib" / "vmterm" / module_name);
  }
#ifdef VMTERM_OTLP_GRPC_BUILD_DIR
  out.push_back(std::filesystem::path(VMTERM_OTLP_GRPC_BUILD_DIR) / module_name);
#endif
  return out;
}

struct loaded_module {
  const vmterm_grpc_api* api = nullptr;
  std::string error;
};

loaded_module load_module() {
  loaded_module m;
  std::string tried;
  for (const auto& path : module_candidates()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path.string();
      continue;
    }
    // RTLD_LOCAL: grpc++'s symbols stay the module's; the handle is kept for the process.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      m.error = path.string() + ": " + (why != nullptr ? why : "dlopen failed");
      return m;
    }
    auto fn = reinterpret_cast<vmterm_otlp_grpc_api_fn>(dlsym(handle, "vmterm_otlp_grpc_api"));
    const vmterm_grpc_api* api = fn != nullptr ? fn() : nullptr;
    if (api == nullptr || api->version != VMTERM_GRPC_ABI_VERSION) {
      m.error = path.string() + ": not a vmterm gRPC module of this version";
      return m;
    }
    m.api = api;
    return m;
  }
  m.error = "not found; tried " + tried;
  return m;
}

const loaded_module& module() {
  static const loaded_module m = load_module();
  return m;
}

}  // namespace

bool retryable_grpc(int code, bool has_retry_info) noexcept {
  switch (static_cast<grpc_code>(code)) {
    case grpc_code::cancelled:
    case grpc_code::deadline_exceeded:
    case grpc_code::aborted:
    case grpc_code::out_of_range:
    case grpc_code::unavailable:
    case grpc_code::data_loss:
      return true;
    case grpc_code::resource_exhausted:
      return has_retry_info;
    default:
      return false;
  }
}

std::string grpc_code_name(int code) {
  static constexpr std::array<const char*, 17> names{"OK",
                                                     "CANCELLED",
                                                     "UNKNOWN",
                                                     "INVALID_ARGUMENT",
                                                     "DEADLINE_EXCEEDED",
                                                     "NOT_FOUND",
                                                     "ALREADY_EXISTS",
                                                     "PERMISSION_DENIED",
                                                     "RESOURCE_EXHAUSTED",
                                                     "FAILED_PRECONDITION",
                                                     "ABORTED",
                                                     "OUT_OF_RANGE",
                                                     "UNIMPLEMENTED",
                                                     "INTERNAL",
                                                     "UNAVAILABLE",
                                                     "DATA_LOSS",
                                                     "UNAUTHENTICATED"};
  if (code >= 0 && code < static_cast<int>(names.size()))
    return names[static_cast<std::size_t>(code)];
  return "status " + std::to_string(code);
}

expected<std::unique_ptr<grpc_transport>> grpc_transport::open(const std::string& target,
                                                               bool tls) {
  const auto& m = module();
  if (m.api == nullptr) {
    return fail(std::errc::no_such_file_or_directory,
                std::string("cannot load the gRPC module ") + module_name + " (" + m.error +
                    "); install vmterm's gRPC module and libgrpc++1.51, or set "
                    "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
  }
  void* channel = m.api->open(target.c_str(), tls ? 1 : 0);
  if (channel == nullptr) {
    return fail(std::errc::invalid_argument, "cannot open a gRPC channel to '" + target + "'");
  }
  return std::unique_ptr<grpc_transport>(new grpc_transport(m.api, channel));
}

grpc_transport::~grpc_transport() { api_->close(channel_); }

grpc_transport::answer grpc_transport::call(
    const std::string& method, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout, bool gzip) const {
  std::vector<std::string> lowered;
  lowered.reserve(headers.size() * 2);
  for (const auto& [name, value] : headers) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    lowered.push_back(std::move(n));
    lowered.push_back(value);
  }
  std::vector<const char*> pointers;
  pointers.reserve(lowered.size());
  for (const auto& s : lowered) pointers.push_back(s.c_str());
  const vmterm_grpc_call c{method.c_str(),  body.data(),    body.size(),
                           pointers.data(), headers.size(), std::max<long long>(1, timeout.count()),
                           gzip ? 1 : 0};
  vmterm_grpc_result r{};
  api_->call(channel_, &c, &r);
  answer a;
  a.code = r.status_code;
  if (r.message != nullptr) a.message = r.message;
  if (r.details != nullptr) a.details.assign(r.details, r.details_len);
  if (r.response != nullptr) a.response.assign(r.response, r.response_len);
  api_->free_result(&r);
  return a;
}

}  // namespace vmterm::trace_otlp
