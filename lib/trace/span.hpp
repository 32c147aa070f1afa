#pragma once
/// A span handle: RAII, move-only, ends the span when destroyed. A span started unsampled (or
/// from a no-op tracer) is "non-recording": it carries a context for propagation and nothing
/// else, and every setter returns at once without allocating.
///
/// Threading: a span may be moved to and ended on any thread. Its setters are not
/// synchronised: use one span from one thread at a time (hand it over by moving it).

#include <concepts>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "trace/span_data.hpp"

namespace vmterm::trace {

class tracer;
namespace detail {
struct tracer_state;
struct span_lease;
}  // namespace detail

class span {
 public:
  /// A non-recording span with an invalid context.
  span() noexcept = default;
  /// A non-recording span that only carries `ctx` (used for unsampled and no-op spans).
  explicit span(span_context ctx) noexcept : ctx_(std::move(ctx)) {}
  span(span_context ctx, std::unique_ptr<span_data> data,
       std::shared_ptr<const detail::tracer_state> tracer) noexcept;
  span(span&& other) noexcept
      : ctx_(std::move(other.ctx_)),
        data_(std::move(other.data_)),
        lease_(std::exchange(other.lease_, nullptr)),
        attrs_used_(other.attrs_used_) {}
  /// Ends the span currently held, then takes over `other`.
  span& operator=(span&& other) noexcept;
  span(const span&) = delete;
  span& operator=(const span&) = delete;
  ~span() { end(); }

  /// True until end() for a sampled (or record-only) span.
  [[nodiscard]] bool is_recording() const noexcept { return data_ != nullptr; }
  /// Ids, flags and tracestate: what to propagate and what children use as parent.
  [[nodiscard]] const span_context& context() const noexcept { return ctx_; }
  /// The status code set so far (unset for a non-recording or ended span).
  [[nodiscard]] status_code status() const noexcept {
    return data_ ? data_->status.code : status_code::unset;
  }

  /// Sets (or replaces) an attribute. Empty keys are ignored; past the count limit the
  /// attribute is dropped and counted; long strings are truncated to the length limit.
  /// Reuses the key and value storage a recycled record already holds.
  span& set_attribute(std::string_view key, std::string_view value) noexcept {
    if (data_) put_string(key, value);
    return *this;
  }
  span& set_attribute(std::string_view key, const char* value) noexcept {
    return set_attribute(key, std::string_view(value == nullptr ? "" : value));
  }
  span& set_attribute(std::string_view key, const std::string& value) noexcept {
    return set_attribute(key, std::string_view(value));
  }
  span& set_attribute(std::string_view key, bool value) noexcept {
    if (data_) put_scalar(key, value);
    return *this;
  }
  span& set_attribute(std::string_view key, double value) noexcept {
    if (data_) put_scalar(key, value);
    return *this;
  }
  template <std::integral T>
  requires(!std::same_as<T, bool> &&
           !std::same_as<T, char>) span& set_attribute(std::string_view key, T value) noexcept {
    if (data_) put_scalar(key, static_cast<std::int64_t>(value));
    return *this;
  }
  /// Any value, including arrays (std::vector<std::string>, <bool>, <std::int64_t>, <double>).
  span& set_attribute(std::string_view key, attribute_value value) noexcept {
    if (data_) put(key, std::move(value));
    return *this;
  }

  /// Adds an event at `time_unix_nano` (0 = now).
  span& add_event(std::string_view name, attributes attrs = {},
                  std::uint64_t time_unix_nano = 0) noexcept;
  /// Links another span (e.g. the Celery message's creation context).
  span& add_link(const span_context& linked, attributes attrs = {}) noexcept;
  /// Unset is ignored; Ok is final (spec "Set Status"); the message is kept only with error.
  span& set_status(status_code code, std::string_view message = {}) noexcept;
  span& update_name(std::string_view name) noexcept;

  /// Adds an "exception" event with exception.type and exception.message, sets error.type
  /// (unless already set) and status error with the message.
  span& record_exception(std::string_view type, std::string_view message) noexcept;
  /// Same, with the demangled dynamic type of `e` and e.what().
  span& record_exception(const std::exception& e) noexcept;

  /// Ends the span at `end_unix_nano` (0 = now) and hands it to the processor. Idempotent;
  /// the context stays readable.
  void end(std::uint64_t end_unix_nano = 0) noexcept {
    if (data_) finish(end_unix_nano);
  }

 private:
  friend class tracer;  // builds spans in place (no span_context moves on the hot path)

  /// The slot for `key`: its current one, else the next one (reusing a stale element of a
  /// recycled record), else nullptr when the count limit drops it (counted).
  attribute* slot_for(std::string_view key) noexcept;
  void put(std::string_view key, attribute_value&& value) noexcept;
  void put_string(std::string_view key, std::string_view value) noexcept;
  template <class T>
  void put_scalar(std::string_view key, T value) noexcept {
    if (attribute* a = slot_for(key)) {
      if (T* p = std::get_if<T>(&a->value)) {
        *p = value;
      } else {
        a->value.template emplace<T>(value);
      }
    }
  }
  void finish(std::uint64_t end_unix_nano) noexcept;

  span_context ctx_;
  std::unique_ptr<span_data> data_;
  /// Keeps the provider alive while data_ is set (tracer.hpp: detail::span_lease).
  detail::span_lease* lease_ = nullptr;
  /// How many of data_->attrs belong to this span. A recycled record may hold more (stale
  /// ones, overwritten in place so their strings keep their capacity); finish() trims them.
  std::size_t attrs_used_ = 0;
};

/// The demangled name of an exception's dynamic type ("std::runtime_error").
[[nodiscard]] std::string exception_type_name(const std::exception& e);

}  // namespace vmterm::trace
