#include "trace/install.hpp"

#include "trace/propagators.hpp"

#include "core/log.hpp"
#include "trace/limits.hpp"
#include "trace/propagation.hpp"
#include "trace/provider.hpp"
#include "trace/resource.hpp"
#include "trace/sampler.hpp"

namespace vmterm::trace {
namespace {

log::log_context log_source() noexcept {
  try {
    auto ids = current_span_ids();
    return log::log_context{std::move(ids.trace_id), std::move(ids.span_id)};
  } catch (...) {
    return {};
  }
}

}  // namespace

current_ids current_span_ids() {
  const auto& ctx = current_context().span;
  if (!ctx.valid()) return {};
  return {ctx.trace.hex(), ctx.span.hex()};
}

installation::installation(installation&& other) noexcept
    : provider_(std::move(other.provider_)),
      batch_(std::exchange(other.batch_, nullptr)),
      deferred_(std::exchange(other.deferred_, nullptr)),
      shutdown_timeout_(other.shutdown_timeout_) {}

installation& installation::operator=(installation&& other) noexcept {
  if (this != &other) {
    shutdown();
    provider_ = std::move(other.provider_);
    batch_ = std::exchange(other.batch_, nullptr);
    deferred_ = std::exchange(other.deferred_, nullptr);
    shutdown_timeout_ = other.shutdown_timeout_;
  }
  return *this;
}

installation::~installation() { shutdown(); }

bool installation::force_flush(std::chrono::milliseconds timeout) noexcept {
  return !provider_ || provider_->force_flush(timeout);
}

void installation::shutdown() noexcept {
  if (!provider_) return;
  // Detach first so that no new span starts on a provider being shut down.
  if (provider::get() == provider_) {
    provider::reset();
    log::set_context_source(nullptr);
  }
  provider_->shutdown(shutdown_timeout_);
  provider_.reset();
  batch_ = nullptr;
  deferred_ = nullptr;
}

std::uint64_t installation::shutdown_within(std::chrono::milliseconds bound) noexcept {
  if (!provider_) return 0;
  if (provider::get() == provider_) {
    provider::reset();
    log::set_context_source(nullptr);
  }
  const std::uint64_t lost = batch_ != nullptr      ? batch_->shutdown_at_exit(bound)
                             : deferred_ != nullptr ? deferred_->shutdown_at_exit(bound)
                                                    : 0;
  provider_->shutdown(bound);  // the processor is already down; the rest is quick
  provider_.reset();
  batch_ = nullptr;
  deferred_ = nullptr;
  return lost;
}

std::uint64_t installation::dropped_spans() const noexcept {
  return batch_ != nullptr      ? batch_->dropped_spans()
         : deferred_ != nullptr ? deferred_->dropped_spans()
                                : 0;
}

installation install(std::string_view default_service_name, std::unique_ptr<exporter> exp,
                     const config::env_lookup& env) {
  return install(default_service_name, std::move(exp), env,
                 stderr_warn(std::string(default_service_name)));
}

installation install(std::string_view default_service_name, std::unique_ptr<exporter> exp,
                     const config::env_lookup& env, const warn_fn& warn, span_delivery delivery) {
  installation inst;
  try {
    // Propagation works whatever the exporter: a tool that exports nothing still passes the
    // caller's trace on in the headers its peers read.
    if (auto p = env ? env("OTEL_PROPAGATORS") : std::nullopt; p && !p->empty()) {
      if (auto list = parse_propagators(*p)) {
        set_propagators(std::move(*list));
      } else if (warn) {
        warn(list.error().message + "; using tracecontext,baggage");
      }
    }
    if (env_bool(env, "OTEL_SDK_DISABLED", warn) || !exp) return inst;
    const auto bsp = batch_options::from_env(env, warn);
    batch_processor* batch_raw = nullptr;
    deferred_processor* deferred_raw = nullptr;
    tracer_provider_options options;
    if (delivery == span_delivery::at_exit) {
      auto deferred = std::make_unique<deferred_processor>(std::move(exp), bsp.max_queue_size);
      deferred_raw = deferred.get();
      options.processor = std::move(deferred);
    } else {
      auto batch = std::make_unique<batch_processor>(std::move(exp), bsp);
      batch_raw = batch.get();
      options.processor = std::move(batch);
    }
    options.resource = make_resource(default_service_name, env, warn);
    options.sampler = sampler_from_env(env, warn);
    options.limits = span_limits::from_env(env, warn);
    options.default_parent = extract_env(env);
    inst.provider_ = std::make_shared<tracer_provider>(std::move(options));
    inst.batch_ = batch_raw;
    inst.deferred_ = deferred_raw;
    inst.shutdown_timeout_ = bsp.export_timeout;
    provider::set(inst.provider_);
    log::set_context_source(&log_source);
  } catch (...) {
    if (warn) warn("tracing setup failed; tracing is off");
    inst.provider_.reset();
    inst.batch_ = nullptr;
    inst.deferred_ = nullptr;
  }
  return inst;
}

}  // namespace vmterm::trace
