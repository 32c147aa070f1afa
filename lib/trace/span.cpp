#include "trace/span.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <span>
#include <typeinfo>

#include "trace/attribute_limits.hpp"
#include "trace/tracer.hpp"

namespace vmterm::trace {
namespace {

bool same(const std::string& a, std::string_view b) noexcept { return same_bytes(a, b); }

/// std::string::assign, out of line: its inlined body made slot_for and put_string save
/// and restore every register on each call.
[[gnu::noinline]] void assign_to(std::string& to, std::string_view from) noexcept {
  to.assign(from);
}

/// slot_for when no stale slot is left (or the count limit is reached): drops and counts at
/// the limit, else appends.
[[gnu::noinline]] attribute* new_slot(span_data& d, std::size_t& used, std::size_t count_limit,
                                      std::string_view key) noexcept {
  if (used >= count_limit) {
    ++d.dropped_attributes_count;
    return nullptr;
  }
  if (d.attrs.capacity() == 0) d.attrs.reserve(std::min<std::size_t>(8, count_limit));
  d.attrs.push_back(attribute{std::string(key), attribute_value()});
  ++used;
  return &d.attrs.back();
}

}  // namespace

span::span(span_context ctx, std::unique_ptr<span_data> data,
           std::shared_ptr<const detail::tracer_state> tracer) noexcept
    : ctx_(std::move(ctx)) {
  if (!data || !tracer || !tracer->provider) return;
  lease_ = detail::lease_for(tracer->provider);
  if (lease_ != nullptr) data_ = std::move(data);
}

span& span::operator=(span&& other) noexcept {
  if (this != &other) {
    end();
    ctx_ = std::move(other.ctx_);
    data_ = std::move(other.data_);
    lease_ = std::exchange(other.lease_, nullptr);
    attrs_used_ = other.attrs_used_;
  }
  return *this;
}

attribute* span::slot_for(std::string_view key) noexcept {
  // The common case stays a small leaf (few registers to save: it runs 4 times a span in the
  // benchmark): the uncommon ones are out of line.
  if (key.empty()) return nullptr;
  auto& attrs = data_->attrs;
  const std::size_t used = attrs_used_;
  for (std::size_t i = 0; i < used; ++i) {
    if (same(attrs[i].key, key)) return &attrs[i];
  }
  if (used < attrs.size() && used < lease_->provider->limits.attribute_count) [[likely]] {
    attribute& a = attrs[used];  // a stale one of a recycled record: its storage is reused
    attrs_used_ = used + 1;
    if (!same(a.key, key)) assign_to(a.key, key);  // usually the same call site: same key
    return &a;
  }
  return new_slot(*data_, attrs_used_, lease_->provider->limits.attribute_count, key);
}

void span::put(std::string_view key, attribute_value&& value) noexcept {
  truncate_value(value, lease_->provider->limits.attribute_value_length);
  if (attribute* a = slot_for(key)) a->value = std::move(value);
}

void span::put_string(std::string_view key, std::string_view value) noexcept {
  attribute* a = slot_for(key);
  if (a == nullptr) return;
  const std::size_t max_length = lease_->provider->limits.attribute_value_length;
  if (value.size() > max_length) value = utf8_prefix(value, max_length);
  if (auto* s = std::get_if<std::string>(&a->value)) {
    if (!same(*s, value)) assign_to(*s, value);
  } else {
    a->value.emplace<std::string>(value);
  }
}

span& span::add_event(std::string_view name, attributes attrs,
                      std::uint64_t time_unix_nano) noexcept {
  if (!data_) return *this;
  const auto& provider = *lease_->provider;
  if (data_->events.size() >= provider.limits.event_count) {
    ++data_->dropped_events_count;
    return *this;
  }
  event ev;
  ev.name = name;
  ev.time_unix_nano = time_unix_nano != 0 ? time_unix_nano : now_unix_nano(provider.clock);
  limit_attributes(attrs, ev.dropped_attributes_count, provider.limits.event_attribute_count,
                   provider.limits.attribute_value_length);
  ev.attrs = std::move(attrs);
  data_->events.push_back(std::move(ev));
  return *this;
}

span& span::add_link(const span_context& linked, attributes attrs) noexcept {
  if (!data_ || !linked.valid()) return *this;
  const auto& limits = lease_->provider->limits;
  if (data_->links.size() >= limits.link_count) {
    ++data_->dropped_links_count;
    return *this;
  }
  link l;
  l.context = linked;
  limit_attributes(attrs, l.dropped_attributes_count, limits.link_attribute_count,
                   limits.attribute_value_length);
  l.attrs = std::move(attrs);
  data_->links.push_back(std::move(l));
  return *this;
}

span& span::set_status(status_code code, std::string_view message) noexcept {
  if (!data_ || code == status_code::unset || data_->status.code == status_code::ok) return *this;
  data_->status.code = code;
  data_->status.message = code == status_code::error ? std::string(message) : std::string();
  return *this;
}

span& span::update_name(std::string_view name) noexcept {
  if (data_) data_->name = name;
  return *this;
}

span& span::record_exception(std::string_view type, std::string_view message) noexcept {
  if (!data_) return *this;
  attributes attrs;
  attrs.push_back({"exception.type", std::string(type)});
  attrs.push_back({"exception.message", std::string(message)});
  add_event("exception", std::move(attrs));
  const auto used = std::span<const attribute>(data_->attrs.data(), attrs_used_);
  if (std::none_of(used.begin(), used.end(),
                   [](const attribute& a) { return a.key == "error.type"; })) {
    set_attribute("error.type", type.empty() ? std::string_view("_OTHER") : type);
  }
  set_status(status_code::error, message);
  return *this;
}

span& span::record_exception(const std::exception& e) noexcept {
  if (!data_) return *this;
  return record_exception(exception_type_name(e), e.what());
}

void span::finish(std::uint64_t end_unix_nano) noexcept {
  const auto& provider = *lease_->provider;
  if (end_unix_nano == 0) {
    // Two reads of the clock may come from different anchors (clock.hpp), a few tens of ns
    // apart: a span read from the clock never ends before it started.
    end_unix_nano = std::max(now_unix_nano(provider.clock), data_->start_unix_nano);
  }
  data_->end_unix_nano = end_unix_nano;
  auto& attrs = data_->attrs;
  if (attrs.size() > attrs_used_) {
    attrs.erase(attrs.begin() + static_cast<std::ptrdiff_t>(attrs_used_), attrs.end());
  }
  if (provider.processor) provider.processor->on_end(std::move(data_));
  data_.reset();
  detail::end_lease(std::exchange(lease_, nullptr));  // may free the provider: last
}

std::string exception_type_name(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = (status == 0 && demangled != nullptr) ? demangled : mangled;
  std::free(demangled);  // NOLINT(cppcoreguidelines-no-malloc): __cxa_demangle uses malloc
  return out;
}

}  // namespace vmterm::trace
