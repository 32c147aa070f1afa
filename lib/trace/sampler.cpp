#include "trace/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/parse.hpp"

namespace vmterm::trace {
namespace {

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::uint64_t lower_u64(const trace_id& id) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 8; i < 16; ++i) v = (v << 8) | id.bytes[i];
  return v;
}

}  // namespace

trace_id_ratio_sampler::trace_id_ratio_sampler(double ratio) noexcept
    : ratio_(std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0)),
      threshold_(ratio_ >= 1.0 ? 0 : static_cast<std::uint64_t>(ratio_ * 18446744073709551616.0)),
      all_(ratio_ >= 1.0) {}

sampling_decision trace_id_ratio_sampler::should_sample(const span_context&, const trace_id& trace,
                                                        std::string_view, span_kind) noexcept {
  if (all_ || lower_u64(trace) < threshold_) return sampling_decision::record_and_sample;
  return sampling_decision::drop;
}

std::string trace_id_ratio_sampler::description() const {
  return "TraceIdRatioBased{" + format_number(ratio_) + "}";
}

rate_limiting_sampler::rate_limiting_sampler(double per_second, clock_fn clock)
    : per_second_(std::max(0.0, per_second)),
      max_balance_(std::max(per_second_, 1.0)),
      clock_(std::move(clock)),
      balance_(max_balance_) {}

sampling_decision rate_limiting_sampler::should_sample(const span_context&, const trace_id&,
                                                       std::string_view, span_kind) noexcept {
  const std::uint64_t now = now_unix_nano(clock_);
  std::lock_guard lock(mutex_);
  if (last_ns_ != 0 && now > last_ns_) {
    const double elapsed_s = static_cast<double>(now - last_ns_) / 1e9;
    balance_ = std::min(max_balance_, balance_ + elapsed_s * per_second_);
  }
  if (now > last_ns_) last_ns_ = now;
  if (balance_ >= 1.0) {
    balance_ -= 1.0;
    return sampling_decision::record_and_sample;
  }
  return sampling_decision::drop;
}

std::string rate_limiting_sampler::description() const {
  return "RateLimitingSampler{" + format_number(per_second_) + "}";
}

parent_based_sampler::parent_based_sampler(std::unique_ptr<sampler> root)
    : root_(root ? std::move(root) : std::make_unique<always_on_sampler>()) {}

sampling_decision parent_based_sampler::should_sample(const span_context& parent,
                                                      const trace_id& trace, std::string_view name,
                                                      span_kind kind) noexcept {
  if (!parent.valid()) return root_->should_sample(parent, trace, name, kind);
  return parent.sampled() ? sampling_decision::record_and_sample : sampling_decision::drop;
}

std::string parent_based_sampler::description() const {
  return "ParentBased{root:" + root_->description() + "}";
}

std::unique_ptr<sampler> sampler_from_env(const config::env_lookup& env, const warn_fn& warn,
                                          clock_fn clock) {
  const auto fallback = [] {
    return std::make_unique<parent_based_sampler>(std::make_unique<always_on_sampler>());
  };
  const auto raw = env_value(env, "OTEL_TRACES_SAMPLER");
  if (!raw) return fallback();
  const auto name = ascii_lower(parse::trim(*raw));
  const auto arg = env_value(env, "OTEL_TRACES_SAMPLER_ARG");
  // The argument of the ratio samplers: a number in [0, 1], default 1.
  const auto ratio = [&]() -> double {
    if (!arg) return 1.0;
    auto v = parse::number(parse::trim(*arg));
    if (!v || *v < 0.0 || *v > 1.0) {
      if (warn) {
        warn("OTEL_TRACES_SAMPLER_ARG='" + *arg +
             "': expected a sampling ratio between 0 and 1; using the default 1.0");
      }
      return 1.0;
    }
    return *v;
  };
  const auto rate = [&]() -> double {
    if (!arg) return 1.0;
    auto v = parse::number(parse::trim(*arg));
    if (!v || *v <= 0.0) {
      if (warn) {
        warn("OTEL_TRACES_SAMPLER_ARG='" + *arg +
             "': expected a positive number of traces per second; using the default 1");
      }
      return 1.0;
    }
    return *v;
  };
  const auto parent_based = [](std::unique_ptr<sampler> root) -> std::unique_ptr<sampler> {
    return std::make_unique<parent_based_sampler>(std::move(root));
  };
  if (name == "always_on") return std::make_unique<always_on_sampler>();
  if (name == "always_off") return std::make_unique<always_off_sampler>();
  if (name == "traceidratio") return std::make_unique<trace_id_ratio_sampler>(ratio());
  if (name == "parentbased_always_on") return fallback();
  if (name == "parentbased_always_off") return parent_based(std::make_unique<always_off_sampler>());
  if (name == "parentbased_traceidratio") {
    return parent_based(std::make_unique<trace_id_ratio_sampler>(ratio()));
  }
  if (name == "vmterm_ratelimiting") {
    return std::make_unique<rate_limiting_sampler>(rate(), std::move(clock));
  }
  if (name == "parentbased_vmterm_ratelimiting") {
    return parent_based(std::make_unique<rate_limiting_sampler>(rate(), std::move(clock)));
  }
  if (warn) {
    warn("OTEL_TRACES_SAMPLER='" + *raw +
         "': unknown sampler; use always_on, always_off, traceidratio, parentbased_always_on, "
         "parentbased_always_off, parentbased_traceidratio or vmterm_ratelimiting; using the "
         "default parentbased_always_on");
  }
  return fallback();
}

}  // namespace vmterm::trace
