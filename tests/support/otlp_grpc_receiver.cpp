#include "otlp_grpc_receiver.hpp"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vmterm::test {
namespace {

class reactor final : public grpc::ServerGenericBidiReactor {
 public:
  reactor(otlp_grpc_receiver& receiver, grpc::GenericCallbackServerContext* ctx)
      : receiver_(receiver), ctx_(ctx) {
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, "no request message"));
      return;
    }
    otlp_grpc_receiver::call c;
    c.method = ctx_->method();
    for (const auto& [k, v] : ctx_->client_metadata()) {
      c.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
    }
    std::vector<grpc::Slice> slices;
    (void)request_.Dump(&slices);
    for (const auto& s : slices) c.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
    const auto r = receiver_.on_call(std::move(c));
    if (r.code != 0) {
      Finish(grpc::Status(static_cast<grpc::StatusCode>(r.code), r.message, r.details));
      return;
    }
    grpc::Slice slice(r.body.data(), r.body.size());
    response_ = grpc::ByteBuffer(&slice, 1);
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  otlp_grpc_receiver& receiver_;
  grpc::GenericCallbackServerContext* ctx_;
  grpc::ByteBuffer request_, response_;
};

class service final : public grpc::CallbackGenericService {
 public:
  explicit service(otlp_grpc_receiver& r) : receiver_(r) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new reactor(receiver_, ctx);
  }

 private:
  otlp_grpc_receiver& receiver_;
};

void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::string field(int number, const std::string& bytes) {
  std::string out;
  varint(out, static_cast<std::uint64_t>(number) << 3 | 2);
  varint(out, bytes.size());
  return out + bytes;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

otlp_grpc_receiver::otlp_grpc_receiver(const options& o)
    : record_(o.record), tls_(!o.tls_cert.empty()), service_(std::make_unique<service>(*this)) {
  grpc::ServerBuilder builder;
  if (!o.accept_gzip) builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_GZIP, false);
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (tls_) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({read_all(o.tls_key), read_all(o.tls_cert)});
    creds = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort("127.0.0.1:0", creds, &port_);
  builder.RegisterCallbackGenericService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw std::runtime_error("otlp_grpc_receiver: cannot start");
}

otlp_grpc_receiver::~otlp_grpc_receiver() { server_->Shutdown(); }

void otlp_grpc_receiver::push(reply r) {
  std::lock_guard lock(mu_);
  script_.push_back(std::move(r));
}

std::vector<otlp_grpc_receiver::call> otlp_grpc_receiver::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::size_t otlp_grpc_receiver::call_count() const {
  std::lock_guard lock(mu_);
  return count_;
}

otlp_grpc_receiver::reply otlp_grpc_receiver::on_call(call c) {
  std::lock_guard lock(mu_);
  ++count_;
  if (record_) calls_.push_back(std::move(c));
  if (script_.empty()) return {};
  auto r = std::move(script_.front());
  script_.pop_front();
  return r;
}

std::string status_with_retry_info(int code, const std::string& message, std::int64_t delay_ms) {
  std::string duration;
  varint(duration, 1 << 3 | 0);  // seconds
  varint(duration, static_cast<std::uint64_t>(delay_ms / 1000));
  varint(duration, 2 << 3 | 0);  // nanos
  varint(duration, static_cast<std::uint64_t>(delay_ms % 1000) * 1'000'000);
  const std::string retry_info = field(1, duration);
  const std::string any =
      field(1, "type.googleapis.com/google.rpc.RetryInfo") + field(2, retry_info);
  std::string status;
  varint(status, 1 << 3 | 0);
  varint(status, static_cast<std::uint64_t>(code));
  status += field(2, message) + field(3, any);
  return status;
}

}  // namespace vmterm::test
