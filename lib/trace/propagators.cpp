#include "trace/propagators.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace vmterm::trace {
namespace {

constexpr std::string_view names[] = {"tracecontext", "baggage", "b3", "b3multi", "jaeger"};

std::mutex list_mutex;
std::vector<propagator> list{propagator::tracecontext, propagator::baggage};
std::atomic<bool> is_default{true};

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// 1..2N hex digits (either case when `any_case`), right-aligned into N bytes.
template <std::size_t N>
bool padded_hex(std::string_view s, std::array<std::uint8_t, N>& out, bool any_case) noexcept {
  if (s.empty() || s.size() > 2 * N) return false;
  out.fill(0);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[s.size() - 1 - i];
    if (!any_case && c >= 'A' && c <= 'F') return false;
    const int v = hex_value(c);
    if (v < 0) return false;
    out[N - 1 - i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? v : v << 4);
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

std::optional<span_context> remote(const trace_id& t, const span_id& s, bool sampled) {
  span_context ctx;
  ctx.trace = t;
  ctx.span = s;
  ctx.flags = sampled ? flag_sampled : 0;
  ctx.remote = true;
  if (!ctx.valid()) return std::nullopt;
  return ctx;
}

}  // namespace

std::string_view propagator_name(propagator p) noexcept {
  return names[static_cast<std::size_t>(p)];
}

expected<std::vector<propagator>> parse_propagators(std::string_view text) {
  std::vector<propagator> out;
  bool none = false;
  for (auto part : split(text, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    if (part == "none") {
      none = true;
      continue;
    }
    const auto* it = std::find(std::begin(names), std::end(names), part);
    if (it == std::end(names)) {
      return tl::unexpected(error{
          std::make_error_code(std::errc::invalid_argument),
          "OTEL_PROPAGATORS '" + std::string(text) + "': unknown propagator '" + std::string(part) +
              "'; use tracecontext, baggage, b3, b3multi, jaeger or none, separated by commas"});
    }
    const auto p = static_cast<propagator>(it - std::begin(names));
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  if (none && !out.empty()) {
    return tl::unexpected(error{std::make_error_code(std::errc::invalid_argument),
                                "OTEL_PROPAGATORS '" + std::string(text) +
                                    "': 'none' cannot be combined with other propagators"});
  }
  return out;
}

void set_propagators(std::vector<propagator> l) {
  std::scoped_lock lock(list_mutex);
  is_default.store(l == std::vector<propagator>{propagator::tracecontext, propagator::baggage},
                   std::memory_order_release);
  list = std::move(l);
}

std::vector<propagator> propagators() {
  std::scoped_lock lock(list_mutex);
  return list;
}

bool default_propagators() noexcept { return is_default.load(std::memory_order_acquire); }

std::optional<span_context> parse_b3_single(std::string_view text) noexcept {
  const auto parts = split(trim(text), '-');
  if (parts.size() < 2 || parts.size() > 4) return std::nullopt;
  if (parts[0].size() != 16 && parts[0].size() != 32) return std::nullopt;
  if (parts[1].size() != 16) return std::nullopt;
  trace_id t;
  span_id s;
  if (!padded_hex(parts[0], t.bytes, false) || !padded_hex(parts[1], s.bytes, false)) {
    return std::nullopt;
  }
  bool sampled = false;
  if (parts.size() >= 3) {
    if (parts[2] == "1" || parts[2] == "d") {
      sampled = true;
    } else if (parts[2] != "0") {
      return std::nullopt;
    }
  }
  if (parts.size() == 4) {
    span_id parent;
    if (parts[3].size() != 16 || !padded_hex(parts[3], parent.bytes, false)) return std::nullopt;
  }
  return remote(t, s, sampled);
}

std::string format_b3_single(const span_context& ctx) {
  if (!ctx.valid()) return "";
  return ctx.trace.hex() + "-" + ctx.span.hex() + (ctx.sampled() ? "-1" : "-0");
}

std::optional<span_context> parse_b3_multi(std::optional<std::string_view> trace,
                                           std::optional<std::string_view> span,
                                           std::optional<std::string_view> sampled,
                                           std::optional<std::string_view> flags) noexcept {
  if (!trace || !span) return std::nullopt;
  const auto tt = trim(*trace);
  const auto ss = trim(*span);
  if ((tt.size() != 16 && tt.size() != 32) || ss.size() != 16) return std::nullopt;
  trace_id t;
  span_id s;
  if (!padded_hex(tt, t.bytes, false) || !padded_hex(ss, s.bytes, false)) return std::nullopt;
  bool on = flags && trim(*flags) == "1";
  if (!on && sampled) {
    const auto v = trim(*sampled);
    if (v == "1" || v == "true") {
      on = true;
    } else if (v != "0" && v != "false") {
      return std::nullopt;
    }
  }
  return remote(t, s, on);
}

std::optional<span_context> parse_uber_trace_id(std::string_view text) noexcept {
  text = trim(text);
  std::string decoded;
  if (text.find('%') != std::string_view::npos) {
    // URL-encoded: only %3A/%3a (':') is expected; anything else is refused.
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%') {
        decoded += text[i];
      } else if (i + 2 < text.size() + 0 && text.substr(i, 3) == "%3A") {
        decoded += ':';
        i += 2;
      } else if (i + 2 < text.size() + 0 && text.substr(i, 3) == "%3a") {
        decoded += ':';
        i += 2;
      } else {
        return std::nullopt;
      }
    }
    text = decoded;
  }
  const auto parts = split(text, ':');
  if (parts.size() != 4) return std::nullopt;
  trace_id t;
  span_id s;
  if (!padded_hex(parts[0], t.bytes, true) || !padded_hex(parts[1], s.bytes, true)) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 8> parent{};
  if (!padded_hex(parts[2], parent, true)) return std::nullopt;
  std::array<std::uint8_t, 1> f{};
  if (!padded_hex(parts[3], f, true)) return std::nullopt;
  return remote(t, s, (f[0] & 0x01) != 0 || (f[0] & 0x02) != 0);
}

std::string format_uber_trace_id(const span_context& ctx) {
  if (!ctx.valid()) return "";
  return ctx.trace.hex() + ":" + ctx.span.hex() + ":0:" + (ctx.sampled() ? "1" : "0");
}

}  // namespace vmterm::trace
