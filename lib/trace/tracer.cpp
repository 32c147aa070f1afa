#include "trace/tracer.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <utility>

#include "trace/attribute_limits.hpp"
#include "trace/id_generator.hpp"

namespace vmterm::trace {
namespace {

constexpr std::uint8_t flag_random = 0x02;  // W3C level 2 "random-trace-id"

/// span_context::valid() inline (it is out of line in span_data.cpp): every span start asks.
bool valid_inline(const span_context& c) noexcept {
  std::uint64_t t[2];
  std::uint64_t s = 0;
  std::memcpy(t, c.trace.bytes.data(), sizeof t);
  std::memcpy(&s, c.span.bytes.data(), sizeof s);
  return (t[0] | t[1]) != 0 && s != 0;
}

const trace::context& empty_context() noexcept {
  static const trace::context empty;
  return empty;
}

/// Records this thread took from a processor's recycling pool in one go, so that most span
/// starts take no lock. Records are plain span_data, usable with any processor; what is left
/// here is freed when the thread exits. A cached record keeps the resource and scope of its
/// last span alive until reused (plain values: no cycle back to the provider).
struct record_cache {
  std::array<std::unique_ptr<span_data>, 32> items;
  std::size_t count = 0;
  bool dry = false;  ///< the last refill found no records
};

/// Asks the memory system for a record's lines ahead of use (a hint: no fault, no effect on
/// behaviour). `span_data` spans a few cache lines; they are written by reset_record.
/// Always inlined, here and below: GCC's IPA pass takes a function that only prefetches for
/// one without side effects and deletes the calls.
[[gnu::always_inline]] inline void prefetch_lines(const void* p, std::size_t bytes) noexcept {
  const auto* c = static_cast<const char*>(p);
  for (std::size_t at = 0; at < bytes; at += 64) __builtin_prefetch(c + at, 1);
}

/// A recycled record was last used hundreds of spans ago (it waited in the queue for its
/// batch's export), so its lines are out of this core's near caches, and a span that touches
/// them stalls on each. The records this thread uses next are known (the cache is a stack), so
/// each span start fetches ahead in three steps, one record further each: the record after
/// next's own lines; the next-but-one's attribute array and name (its struct arrived a span
/// ago); the next one's attribute keys and string values (its array arrived a span ago).
[[gnu::always_inline]] inline void prefetch_ahead(const record_cache& cache) noexcept {
  const std::size_t n = cache.count;
  if (n >= 3) prefetch_lines(cache.items[n - 3].get(), sizeof(span_data));
  if (n >= 2) {
    const span_data& d = *cache.items[n - 2];
    prefetch_lines(d.attrs.data(), d.attrs.size() * sizeof(attribute));
    __builtin_prefetch(d.name.data(), 1);
  }
  if (n >= 1) {
    for (const attribute& a : cache.items[n - 1]->attrs) {
      __builtin_prefetch(a.key.data(), 1);
      if (const auto* v = std::get_if<std::string>(&a.value)) __builtin_prefetch(v->data(), 1);
    }
  }
}

/// Takes more records from the processor under the `cache.count` still cached, which stay on
/// top (their prefetches are under way); false when it had none.
bool refill(span_processor& processor, record_cache& cache) noexcept {
  const std::size_t kept = cache.count;
  const std::size_t got = processor.take_recycled(std::span(cache.items).subspan(kept));
  if (got == 0) return false;
  const auto first = cache.items.begin();
  std::rotate(first, first + static_cast<std::ptrdiff_t>(kept),
              first + static_cast<std::ptrdiff_t>(kept + got));
  cache.count = kept + got;
  return true;
}

std::unique_ptr<span_data> acquire_record(span_processor& processor) {
  thread_local record_cache cache;
  // Refilled while 3 records are left, so that the prefetch pipeline (three deep) never
  // starts cold; when the processor had none then, not again before the cache is empty.
  if (cache.count <= 3 && (cache.count == 0 || !cache.dry)) cache.dry = !refill(processor, cache);
  if (cache.count > 0) {
    auto record = std::move(cache.items[--cache.count]);
    prefetch_ahead(cache);
    return record;
  }
  return std::make_unique<span_data>();
}

/// Resets every field of a (possibly recycled) record except attrs, whose stale elements the
/// span handle overwrites in place. Assignments keep string and vector capacity; the
/// shared_ptrs are only touched when they change, which spares two atomic updates per span.
void reset_record(span_data& d, const detail::tracer_state& ts, const span_context& ctx,
                  const span_context* parent, std::string_view name, span_kind kind,
                  std::uint64_t start) {
  const bool has_parent = parent != nullptr;
  d.trace = ctx.trace;
  d.span = ctx.span;
  d.parent = has_parent ? parent->span : span_id{};
  if (!ctx.trace_state.empty() || !d.trace_state.empty()) d.trace_state = ctx.trace_state;
  d.flags = ctx.flags;
  d.parent_remote = has_parent && parent->remote;
  if (!same_bytes(d.name, name)) d.name.assign(name);
  d.kind = kind;
  d.start_unix_nano = start;
  d.end_unix_nano = 0;
  if (!d.events.empty()) d.events.clear();
  if (!d.links.empty()) d.links.clear();
  d.status.code = status_code::unset;
  d.status.message.clear();
  d.dropped_attributes_count = 0;
  d.dropped_events_count = 0;
  d.dropped_links_count = 0;
  if (d.resource != ts.provider->resource) d.resource = ts.provider->resource;
  if (d.scope != ts.scope) d.scope = ts.scope;
}

sampling_decision decide(detail::provider_state& provider, const span_context& parent,
                         bool has_parent, const trace_id& trace, std::string_view name,
                         span_kind kind) noexcept {
  using detail::sampler_shortcut;
  constexpr auto sample = sampling_decision::record_and_sample;
  constexpr auto drop = sampling_decision::drop;
  switch (provider.shortcut) {
    case sampler_shortcut::always_on:
      return sample;
    case sampler_shortcut::always_off:
      return drop;
    case sampler_shortcut::parent_or_on:
      return !has_parent || parent.sampled() ? sample : drop;
    case sampler_shortcut::parent_or_off:
      return has_parent && parent.sampled() ? sample : drop;
    case sampler_shortcut::none:
      break;
  }
  return provider.sampler->should_sample(parent, trace, name, kind);
}

detail::sampler_shortcut shortcut_for(const sampler& s) noexcept {
  using detail::sampler_shortcut;
  if (dynamic_cast<const always_on_sampler*>(&s) != nullptr) return sampler_shortcut::always_on;
  if (dynamic_cast<const always_off_sampler*>(&s) != nullptr) return sampler_shortcut::always_off;
  if (const auto* pb = dynamic_cast<const parent_based_sampler*>(&s)) {
    const sampler& root = pb->root();
    if (dynamic_cast<const always_on_sampler*>(&root) != nullptr) {
      return sampler_shortcut::parent_or_on;
    }
    if (dynamic_cast<const always_off_sampler*>(&root) != nullptr) {
      return sampler_shortcut::parent_or_off;
    }
  }
  return sampler_shortcut::none;
}

/// Makes the thread's current lease one for `provider` (the old one let go of).
[[gnu::noinline]] detail::span_lease* new_lease(
    const std::shared_ptr<detail::provider_state>& provider) noexcept;

}  // namespace

namespace detail {

constinit thread_local span_lease* current_lease = nullptr;

namespace {

/// Set once this thread's lease_releaser has run: later spans on the thread (ended by other
/// thread_local destructors) get a lease of their own that is never current.
constinit thread_local bool leases_released = false;

/// Lets go of `lease` as the current one (the thread's count moves into `outstanding`).
void release(span_lease* lease) noexcept {
  if (lease == nullptr) return;
  const std::int64_t local = std::exchange(lease->local, 0);
  if (lease->outstanding.fetch_add(local, std::memory_order_acq_rel) + local == 0) delete lease;
}

/// Lets go of the thread's current lease when the thread exits.
struct lease_releaser {
  bool armed = false;
  lease_releaser() = default;
  lease_releaser(const lease_releaser&) = delete;
  lease_releaser& operator=(const lease_releaser&) = delete;
  ~lease_releaser() {
    leases_released = true;
    release(std::exchange(current_lease, nullptr));
  }
};
thread_local lease_releaser tls_lease_releaser;

}  // namespace

span_lease* lease_for(const std::shared_ptr<provider_state>& provider) noexcept {
  span_lease* lease = current_lease;
  if (lease != nullptr && lease->provider.get() == provider.get()) {
    ++lease->local;
    return lease;
  }
  return new_lease(provider);
}

void end_remote(span_lease* lease) noexcept {
  if (lease->outstanding.fetch_sub(1, std::memory_order_acq_rel) == 1) delete lease;
}

}  // namespace detail

namespace {

detail::span_lease* new_lease(const std::shared_ptr<detail::provider_state>& provider) noexcept {
  using detail::span_lease;
  try {
    if (detail::leases_released) return new span_lease(provider, 1);  // never current
    detail::tls_lease_releaser.armed = true;  // registers its destructor with this thread
    auto* lease = new span_lease(provider);
    detail::release(std::exchange(detail::current_lease, lease));
    ++lease->local;
    return lease;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

span tracer::start(std::string_view name, span_kind kind, const trace::context* explicit_parent,
                   bool new_root, std::uint64_t start_unix_nano,
                   const std::vector<link>* links) const noexcept {
  span s;  // the one returned object (NRVO): its context is filled in place
  const trace::context& parent_ctx = new_root          ? empty_context()
                                     : explicit_parent ? *explicit_parent
                                                       : current_context();
  const span_context* parent = &parent_ctx.span;
  if (!state_) {  // no-op: keep propagating what came in
    s.ctx_ = *parent;
    return s;
  }
  auto& provider = *state_->provider;
  bool has_parent = valid_inline(*parent);
  if (!has_parent && explicit_parent == nullptr && !new_root) {
    parent = &provider.default_parent.span;
    has_parent = valid_inline(*parent);
  }
  if (provider.shut_down.load(std::memory_order_relaxed)) {
    // The thread need not keep a shut-down provider allocated (span_lease).
    if (detail::current_lease != nullptr && detail::current_lease->provider.get() == &provider) {
      detail::release(std::exchange(detail::current_lease, nullptr));
    }
    s.ctx_ = *parent;
    return s;
  }

  span_context& ctx = s.ctx_;
  if (has_parent) {
    ctx.trace = parent->trace;
    if (!parent->trace_state.empty()) ctx.trace_state = parent->trace_state;
    ctx.flags = parent->flags & flag_random;
    ctx.span = new_span_id();
  } else {
    new_root_ids(ctx.trace, ctx.span);
    ctx.flags = flag_random;
  }
  const auto decision = decide(provider, *parent, has_parent, ctx.trace, name, kind);
  if (decision == sampling_decision::drop || !provider.processor) return s;
  if (decision == sampling_decision::record_and_sample) ctx.flags |= flag_sampled;

  const std::uint64_t start =
      start_unix_nano != 0 ? start_unix_nano : now_unix_nano(provider.clock);
  try {
    auto data = acquire_record(*provider.processor);
    reset_record(*data, *state_, ctx, has_parent ? parent : nullptr, name, kind, start);
    detail::span_lease* lease = detail::lease_for(state_->provider);
    if (lease == nullptr) return s;  // out of memory: not recorded
    s.data_ = std::move(data);
    s.lease_ = lease;
  } catch (...) {
    return s;  // out of memory: telemetry never throws; the span is not recorded
  }
  if (links != nullptr) {
    for (const auto& l : *links) s.add_link(l.context, l.attrs);
  }
  return s;
}

span tracer::start_span(std::string_view name, const span_options& options) const noexcept {
  return start(name, options.kind, options.parent, options.new_root, options.start_unix_nano,
               &options.links);
}

span tracer::start_span(std::string_view name, const trace::context& parent,
                        span_kind kind) const noexcept {
  return start(name, kind, &parent, false, 0, nullptr);
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
  state_->shortcut = shortcut_for(*state_->sampler);
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
