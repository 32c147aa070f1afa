#pragma once
/// Head samplers (OpenTelemetry SDK spec, "Sampling"), plus Jaeger's classic rate limiter.
/// should_sample is called on the span-start hot path from any thread: implementations are
/// thread-safe, noexcept and allocation-free.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "trace/clock.hpp"
#include "trace/env.hpp"
#include "trace/span_data.hpp"

namespace vmterm::trace {

enum class sampling_decision : std::uint8_t {
  drop,              ///< not recorded, not sampled: a non-recording span
  record_only,       ///< recorded for processors, not exported (sampled flag 0)
  record_and_sample  ///< recorded and exported
};

class sampler {
 public:
  virtual ~sampler() = default;
  /// `parent` is invalid for a root span. `trace` is the new span's trace id.
  [[nodiscard]] virtual sampling_decision should_sample(const span_context& parent,
                                                        const trace_id& trace,
                                                        std::string_view name,
                                                        span_kind kind) noexcept = 0;
  /// OTel-style description, e.g. "TraceIdRatioBased{0.25}".
  [[nodiscard]] virtual std::string description() const = 0;
};

class always_on_sampler final : public sampler {
 public:
  sampling_decision should_sample(const span_context&, const trace_id&, std::string_view,
                                  span_kind) noexcept override {
    return sampling_decision::record_and_sample;
  }
  std::string description() const override { return "AlwaysOnSampler"; }
};

class always_off_sampler final : public sampler {
 public:
  sampling_decision should_sample(const span_context&, const trace_id&, std::string_view,
                                  span_kind) noexcept override {
    return sampling_decision::drop;
  }
  std::string description() const override { return "AlwaysOffSampler"; }
};

/// Samples a fixed fraction of traces, deterministically per trace id: the lower 8 bytes of
/// the id (big-endian) are compared with ratio * 2^64. Ignores the parent. Ratios are clamped
/// to [0, 1].
class trace_id_ratio_sampler final : public sampler {
 public:
  explicit trace_id_ratio_sampler(double ratio) noexcept;
  sampling_decision should_sample(const span_context&, const trace_id& trace, std::string_view,
                                  span_kind) noexcept override;
  std::string description() const override;
  [[nodiscard]] double ratio() const noexcept { return ratio_; }

 private:
  double ratio_;
  std::uint64_t threshold_;  ///< sample iff lower 8 bytes < threshold_ (or always when ratio 1)
  bool all_;
};

/// Jaeger's "ratelimiting" sampler: at most `per_second` new traces per second, as a token
/// bucket holding up to max(per_second, 1) tokens that starts full. Ignores the parent.
class rate_limiting_sampler final : public sampler {
 public:
  explicit rate_limiting_sampler(double per_second, clock_fn clock = {});
  sampling_decision should_sample(const span_context&, const trace_id&, std::string_view,
                                  span_kind) noexcept override;
  std::string description() const override;

 private:
  double per_second_;
  double max_balance_;
  clock_fn clock_;
  std::mutex mutex_;
  double balance_;
  std::uint64_t last_ns_ = 0;
};

/// Follows the parent's sampled flag when there is a parent, and asks `root` otherwise.
/// Defaults as in the spec: sampled parents (local or remote) -> always_on, unsampled -> off.
class parent_based_sampler final : public sampler {
 public:
  explicit parent_based_sampler(std::unique_ptr<sampler> root);
  sampling_decision should_sample(const span_context& parent, const trace_id& trace,
                                  std::string_view name, span_kind kind) noexcept override;
  std::string description() const override;
  /// The sampler asked for root spans (never null); lets the tracer decide common cases inline.
  [[nodiscard]] const sampler& root() const noexcept { return *root_; }

 private:
  std::unique_ptr<sampler> root_;
};

/// The sampler named by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default
/// parentbased_always_on). Names: always_on, always_off, traceidratio, parentbased_always_on,
/// parentbased_always_off, parentbased_traceidratio, vmterm_ratelimiting and
/// parentbased_vmterm_ratelimiting (arg = traces per second, default 1). Bad values warn once
/// through `warn` and fall back to the default.
[[nodiscard]] std::unique_ptr<sampler> sampler_from_env(const config::env_lookup& env,
                                                        const warn_fn& warn, clock_fn clock = {});

}  // namespace vmterm::trace
