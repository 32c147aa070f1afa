#pragma once
/// tracer_provider (owns the SDK pipeline: resource, sampler, limits, clock, processor) and
/// tracer (a named instrumentation scope that starts spans). Both are thread-safe; a tracer is
/// a cheap value that keeps its provider alive.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "trace/clock.hpp"
#include "trace/context.hpp"
#include "trace/limits.hpp"
#include "trace/processor.hpp"
#include "trace/sampler.hpp"
#include "trace/span.hpp"

namespace vmterm::trace {

struct span_options {
  span_kind kind = span_kind::internal;
  /// Explicit parent for async code; nullptr = this thread's current context.
  const trace::context* parent = nullptr;
  /// Start a new trace, ignoring any current or explicit parent.
  bool new_root = false;
  std::uint64_t start_unix_nano = 0;  ///< 0 = now
  std::vector<link> links;
};

/// Everything a provider is made of; moved in once.
struct tracer_provider_options {
  std::shared_ptr<const trace::resource> resource;  ///< null = empty resource
  std::unique_ptr<trace::sampler> sampler;          ///< null = parentbased_always_on
  std::unique_ptr<span_processor> processor;        ///< null = spans are not recorded
  span_limits limits;
  clock_fn clock;  ///< empty = system clock
  /// Parent for spans that have no current or explicit parent: the caller's TRACEPARENT.
  trace::context default_parent;
};

namespace detail {
/// A sampler whose decision the tracer can make inline (no virtual call); `none` = ask it.
enum class sampler_shortcut : std::uint8_t {
  none,
  always_on,
  always_off,
  parent_or_on,  ///< parentbased_always_on: follow a valid parent, else sample
  parent_or_off  ///< parentbased_always_off: follow a valid parent, else drop
};
struct provider_state {
  std::shared_ptr<const trace::resource> resource;
  std::unique_ptr<trace::sampler> sampler;
  std::unique_ptr<span_processor> processor;
  span_limits limits;
  clock_fn clock;
  trace::context default_parent;
  std::atomic<bool> shut_down{false};
  sampler_shortcut shortcut = sampler_shortcut::none;  ///< derived from `sampler` once
};
struct tracer_state {
  std::shared_ptr<provider_state> provider;
  std::shared_ptr<const instrumentation_scope> scope;
};

/// What keeps a recording span's provider alive: a thread's reference to the provider, shared
/// by the spans the thread starts through it, so that starting and ending a span updates no
/// count that another thread writes. (A shared_ptr per span cost two locked instructions per
/// span, and two threads starting spans through one tracer bounced its control block between
/// their cores: 1.45x the CPU per span of one thread.)
///
/// A thread has one current lease (the provider it last started a span through). A span ended
/// on the thread whose current lease it holds decrements `local`, a plain count; any other end
/// (another thread, or after the thread moved on to another provider or exited) decrements
/// `outstanding`. When the thread lets go of its lease it adds `local` into `outstanding`,
/// which then counts the spans still open; whoever brings it to 0 deletes the lease (and with
/// it the reference to the provider).
///
/// So a thread keeps the last provider it started a span through allocated until it starts a
/// span through another provider, starts one after that provider's shutdown, or exits. That
/// holds memory only: a tracer_provider shuts its processor and exporter down when it is
/// destroyed, not when its state is freed. Aligned to a cache line of its own, so that no
/// other thread's data shares the line its owner writes on each span.
struct alignas(64) span_lease {
  explicit span_lease(std::shared_ptr<provider_state> p, std::int64_t open = 0) noexcept
      : provider(std::move(p)), outstanding(open) {}
  const std::shared_ptr<provider_state> provider;
  std::int64_t local = 0;  ///< the owning thread's, while current: spans started minus ended
  std::atomic<std::int64_t> outstanding;
};

/// This thread's current lease (nullptr: none).
extern constinit thread_local span_lease* current_lease;

/// The lease for a span started on this thread through `provider`, counted; nullptr when out
/// of memory.
[[nodiscard]] span_lease* lease_for(const std::shared_ptr<provider_state>& provider) noexcept;
/// A span that held `lease` ended on a thread whose current lease it is not.
void end_remote(span_lease* lease) noexcept;
/// A span that held `lease` ended (its last touch of the lease).
inline void end_lease(span_lease* lease) noexcept {
  if (lease == current_lease) {
    --lease->local;
  } else {
    end_remote(lease);
  }
}
}  // namespace detail

class tracer {
 public:
  /// A no-op tracer: spans are non-recording and carry their parent's context.
  tracer() noexcept = default;
  explicit tracer(std::shared_ptr<const detail::tracer_state> state) noexcept
      : state_(std::move(state)) {}

  /// Starts a span, child of `options.parent`, else the current context, else the provider's
  /// default parent (TRACEPARENT); a root span otherwise. Allocation-free when unsampled.
  [[nodiscard]] span start_span(std::string_view name, const span_options& options) const noexcept;
  [[nodiscard]] span start_span(std::string_view name,
                                span_kind kind = span_kind::internal) const noexcept {
    return start(name, kind, nullptr, false, 0, nullptr);  // inline: the common call
  }
  /// A child of an explicit context (async code).
  [[nodiscard]] span start_span(std::string_view name, const trace::context& parent,
                                span_kind kind = span_kind::internal) const noexcept;

  /// False for a no-op tracer or a shut-down provider.
  [[nodiscard]] bool enabled() const noexcept;

 private:
  /// What the three start_span overloads share; builds the returned span in place.
  [[nodiscard]] span start(std::string_view name, span_kind kind, const trace::context* parent,
                           bool new_root, std::uint64_t start_unix_nano,
                           const std::vector<link>* links) const noexcept;

  std::shared_ptr<const detail::tracer_state> state_;
};

class tracer_provider {
 public:
  /// A no-op provider.
  tracer_provider() noexcept = default;
  explicit tracer_provider(tracer_provider_options options);
  ~tracer_provider();
  tracer_provider(const tracer_provider&) = delete;
  tracer_provider& operator=(const tracer_provider&) = delete;

  /// The tracer for an instrumentation scope ("vmterm.http"); tracers of one name share their
  /// scope record.
  [[nodiscard]] trace::tracer get_tracer(std::string_view name,
                                         std::string_view version = {}) noexcept;
  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(5)) noexcept;
  /// Shuts the processor down; later spans are non-recording. Idempotent.
  void shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(30)) noexcept;
  [[nodiscard]] bool enabled() const noexcept { return state_ != nullptr; }
  /// The resource (null for a no-op provider).
  [[nodiscard]] std::shared_ptr<const trace::resource> resource() const noexcept;
  /// The processor, for accessors such as batch_processor::dropped_spans (null for no-op).
  [[nodiscard]] span_processor* processor() const noexcept;
  [[nodiscard]] const trace::context& default_parent() const noexcept;

 private:
  std::shared_ptr<detail::provider_state> state_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const detail::tracer_state>, std::less<>> tracers_;
};

}  // namespace vmterm::trace
