#include "trace/tracer.hpp"

#include "trace/id_generator.hpp"

namespace vmterm::trace {
namespace {

constexpr std::uint8_t flag_random = 0x02;  // W3C level 2 "random-trace-id"

const trace::context& empty_context() noexcept {
  static const trace::context empty;
  return empty;
}

}  // namespace

span tracer::start_span(std::string_view name, const span_options& options) const noexcept {
  const trace::context& parent_ctx = options.new_root ? empty_context()
                                     : options.parent ? *options.parent
                                                      : current_context();
  const span_context* parent = &parent_ctx.span;
  if (!state_) return span(*parent);  // no-op: keep propagating what came in
  const auto& provider = *state_->provider;
  if (!parent->valid() && !options.parent && !options.new_root) {
    parent = &provider.default_parent.span;
  }
  if (provider.shut_down.load(std::memory_order_relaxed)) return span(*parent);

  span_context ctx;
  if (parent->valid()) {
    ctx.trace = parent->trace;
    ctx.trace_state = parent->trace_state;
    ctx.flags = parent->flags & flag_random;
  } else {
    ctx.trace = new_trace_id();
    ctx.flags = flag_random;
  }
  ctx.span = new_span_id();
  const auto decision = provider.sampler->should_sample(*parent, ctx.trace, name, options.kind);
  if (decision == sampling_decision::drop || !provider.processor) return span(std::move(ctx));
  if (decision == sampling_decision::record_and_sample) ctx.flags |= flag_sampled;

  auto data = std::make_unique<span_data>();
  data->trace = ctx.trace;
  data->span = ctx.span;
  if (parent->valid()) data->parent = parent->span;
  data->trace_state = ctx.trace_state;
  data->flags = ctx.flags;
  data->parent_remote = parent->valid() && parent->remote;
  data->name = name;
  data->kind = options.kind;
  data->start_unix_nano =
      options.start_unix_nano != 0 ? options.start_unix_nano : now_unix_nano(provider.clock);
  data->resource = provider.resource;
  data->scope = state_->scope;
  span s(std::move(ctx), std::move(data), state_);
  for (const auto& l : options.links) s.add_link(l.context, l.attrs);
  return s;
}

span tracer::start_span(std::string_view name, span_kind kind) const noexcept {
  span_options options;
  options.kind = kind;
  return start_span(name, options);
}

span tracer::start_span(std::string_view name, const trace::context& parent,
                        span_kind kind) const noexcept {
  span_options options;
  options.kind = kind;
  options.parent = &parent;
  return start_span(name, options);
}

bool tracer::enabled() const noexcept {
  return state_ && !state_->provider->shut_down.load(std::memory_order_relaxed);
}

tracer_provider::tracer_provider(tracer_provider_options options)
    : state_(std::make_shared<detail::provider_state>()) {
  state_->resource =
      options.resource ? std::move(options.resource) : std::make_shared<const trace::resource>();
  state_->sampler = options.sampler ? std::move(options.sampler)
                                    : std::make_unique<parent_based_sampler>(nullptr);
  state_->processor = std::move(options.processor);
  state_->limits = options.limits;
  state_->clock = std::move(options.clock);
  state_->default_parent = std::move(options.default_parent);
}

tracer_provider::~tracer_provider() { shutdown(); }

trace::tracer tracer_provider::get_tracer(std::string_view name,
                                          std::string_view version) noexcept {
  if (!state_) return {};
  std::lock_guard lock(mutex_);
  const std::string key = std::string(name) + '\n' + std::string(version);
  auto it = tracers_.find(key);
  if (it == tracers_.end()) {
    auto ts = std::make_shared<detail::tracer_state>();
    ts->provider = state_;
    ts->scope = std::make_shared<const instrumentation_scope>(
        instrumentation_scope{std::string(name), std::string(version)});
    it = tracers_.emplace(key, std::move(ts)).first;
  }
  return trace::tracer(it->second);
}

bool tracer_provider::force_flush(std::chrono::milliseconds timeout) noexcept {
  if (!state_ || !state_->processor) return true;
  return state_->processor->force_flush(timeout);
}

void tracer_provider::shutdown(std::chrono::milliseconds timeout) noexcept {
  if (!state_ || state_->shut_down.exchange(true)) return;
  if (state_->processor) state_->processor->shutdown(timeout);
}

std::shared_ptr<const trace::resource> tracer_provider::resource() const noexcept {
  return state_ ? state_->resource : nullptr;
}

span_processor* tracer_provider::processor() const noexcept {
  return state_ ? state_->processor.get() : nullptr;
}

const trace::context& tracer_provider::default_parent() const noexcept {
  return state_ ? state_->default_parent : empty_context();
}

}  // namespace vmterm::trace
