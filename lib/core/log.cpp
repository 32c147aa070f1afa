#include "core/log.hpp"

#include <atomic>
#include <iostream>
#include <mutex>
#include <string>
#include <system_error>

#include "core/log_format.hpp"

namespace vmterm::log {
namespace {

/// The process-wide logging state. `min_level_` and `source_` are atomics so that the filter
/// and the trace lookup need no lock; the rest is read under `mu_` while a line is written.
struct state {
  std::mutex mu_;
  std::string service_{"vmterm"};
  format format_{format::json};
  std::ostream* out_{nullptr};
  clock_source clock_{nullptr};
  std::atomic<int> min_level_{static_cast<int>(level::info)};
  std::atomic<context_source> source_{nullptr};
};

state& global() noexcept {
  static state s;
  return s;
}

thread_local std::string current_request_id_;

bool equals_folded(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(level l) noexcept {
  switch (l) {
    case level::debug:
      return "debug";
    case level::info:
      return "info";
    case level::warn:
      return "warn";
    case level::error:
      return "error";
  }
  return "info";
}

std::string_view to_string(format f) noexcept { return f == format::text ? "text" : "json"; }

expected<level> parse_level(std::string_view text) {
  if (equals_folded(text, "debug")) return level::debug;
  if (equals_folded(text, "info")) return level::info;
  if (equals_folded(text, "warn") || equals_folded(text, "warning")) return level::warn;
  if (equals_folded(text, "error")) return level::error;
  return fail(std::errc::invalid_argument,
              "unknown log level '" + std::string(text) + "'; use debug, info, warn or error");
}

expected<format> parse_format(std::string_view text) {
  if (equals_folded(text, "json")) return format::json;
  if (equals_folded(text, "text")) return format::text;
  return fail(std::errc::invalid_argument,
              "unknown log format '" + std::string(text) + "'; use json or text");
}

void set_context_source(context_source source) noexcept {
  global().source_.store(source, std::memory_order_release);
}

request_id_scope::request_id_scope(std::string id) noexcept
    : previous_(std::move(current_request_id_)) {
  current_request_id_ = std::move(id);
}

request_id_scope::~request_id_scope() { current_request_id_ = std::move(previous_); }

std::string_view current_request_id() noexcept { return current_request_id_; }

void configure(options opt) noexcept {
  state& s = global();
  const std::lock_guard lock(s.mu_);
  s.service_ = std::move(opt.service);
  s.format_ = opt.line_format;
  s.out_ = opt.out;
  s.clock_ = opt.clock;
  s.min_level_.store(static_cast<int>(opt.min_level), std::memory_order_relaxed);
}

bool enabled(level l) noexcept {
  return static_cast<int>(l) >= global().min_level_.load(std::memory_order_relaxed);
}

void write(level l, std::string_view message, std::initializer_list<field> fields) noexcept {
  if (!enabled(l)) return;
  state& s = global();
  try {
    log_context ctx;
    if (const auto source = s.source_.load(std::memory_order_acquire)) ctx = source();
    record r;
    r.lvl = l;
    r.message = message;
    r.trace_id = ctx.trace_id;
    r.span_id = ctx.span_id;
    r.request_id = current_request_id_;
    r.fields = std::span<const field>(fields.begin(), fields.size());
    const std::lock_guard lock(s.mu_);
    r.time = s.clock_ ? s.clock_() : std::chrono::system_clock::now();
    r.service = s.service_;
    const std::string line = s.format_ == format::text ? format_text(r) : format_json(r);
    std::ostream& out = s.out_ ? *s.out_ : std::cerr;
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    out.flush();
  } catch (...) {
    // Telemetry never fails its caller: the line is lost.
  }
}

}  // namespace vmterm::log
