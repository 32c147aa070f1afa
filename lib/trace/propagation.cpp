#include "trace/propagation.hpp"

#include <algorithm>

#include "trace/propagators.hpp"

namespace vmterm::trace {
namespace {

/// Lowercase hex digit values; 0x10 marks anything else (W3C rejects uppercase in traceparent).
constexpr std::uint8_t not_hex = 0x10;
constexpr std::array<std::uint8_t, 256> lower_hex_table = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(not_hex);
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  }
  return t;
}();

std::uint8_t lower_hex(char c) noexcept { return lower_hex_table[static_cast<unsigned char>(c)]; }

/// Decodes 2*N hex digits at `p` into `out`; false when any is not lowercase hex. Branch-free
/// per byte: the not_hex bit is OR-ed into one accumulator and checked once.
template <std::size_t N>
bool read_hex(const char* p, std::array<std::uint8_t, N>& out) noexcept {
  unsigned bad = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const unsigned hi = lower_hex(p[2 * i]);
    const unsigned lo = lower_hex(p[2 * i + 1]);
    bad |= hi | lo;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return (bad & not_hex) == 0;
}

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lx = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
           const auto ly = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
           return lx == ly;
         });
}

bool key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
         c == '/';
}

bool valid_tracestate_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > 256) return false;
  const auto at = key.find('@');
  const auto tenant = key.substr(0, at);
  if (tenant.empty() || !std::all_of(tenant.begin(), tenant.end(), key_char)) return false;
  if (tenant.front() == '_' || tenant.front() == '-' || tenant.front() == '*' ||
      tenant.front() == '/') {
    return false;
  }
  if (at == std::string_view::npos) return true;
  const auto system = key.substr(at + 1);
  return tenant.size() <= 241 && !system.empty() && system.size() <= 14 && system.front() >= 'a' &&
         system.front() <= 'z' && std::all_of(system.begin(), system.end(), key_char);
}

bool valid_tracestate_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

bool token_char(char c) noexcept {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

/// Calls f(member) for each ','-separated member with surrounding OWS removed.
template <class F>
bool for_each_member(std::string_view text, F&& f) {
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const auto member = trim_ows(text.substr(start, comma - start));
    if (!f(member)) return false;
    if (comma == std::string_view::npos) return true;
    start = comma + 1;
  }
}

std::string join_headers(const header_list& headers, std::string_view name) {
  std::string out;
  for (const auto& [k, v] : headers) {
    if (!iequals(k, name)) continue;
    if (!out.empty()) out += ',';
    out += v;
  }
  return out;
}

template <class Map>
std::optional<std::string_view> find_value(const Map& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return std::string_view(it->second);
}

}  // namespace

std::optional<span_context> parse_traceparent(std::string_view text) noexcept {
  std::optional<span_context> result;  // the one returned object (NRVO), filled in place
  if (text.size() != traceparent_size) text = trim_ows(text);  // the common case has no OWS
  if (text.size() < traceparent_size) return result;
  const char* p = text.data();
  std::array<std::uint8_t, 1> version{};
  if (!read_hex(p, version) || p[2] != '-' || p[35] != '-' || p[52] != '-') return result;
  if (version[0] == 0xff) return result;
  if (text.size() > traceparent_size && (version[0] == 0 || p[traceparent_size] != '-')) {
    return result;
  }
  span_context& ctx = result.emplace();
  std::array<std::uint8_t, 1> flags{};
  if (!read_hex(p + 3, ctx.trace.bytes) || !read_hex(p + 36, ctx.span.bytes) ||
      !read_hex(p + 53, flags) || !ctx.trace.valid() || !ctx.span.valid()) {
    result.reset();
    return result;
  }
  ctx.flags = static_cast<std::uint8_t>(flags[0] & 0x03);  // sampled, random-trace-id
  ctx.remote = true;
  return result;
}

void format_traceparent(const span_context& ctx, std::array<char, traceparent_size>& out) noexcept {
  char* p = out.data();
  p[0] = '0';
  p[1] = '0';
  p[2] = '-';
  ctx.trace.write_hex(p + 3);
  p[35] = '-';
  ctx.span.write_hex(p + 36);
  p[52] = '-';
  const std::uint8_t flags = ctx.flags & 0x03;
  detail::write_hex(std::array<std::uint8_t, 1>{flags}, p + 53);
}

std::string format_traceparent(const span_context& ctx) {
  if (!ctx.valid()) return {};
  std::array<char, traceparent_size> buf;
  format_traceparent(ctx, buf);
  return std::string(buf.data(), buf.size());
}

bool valid_tracestate(std::string_view text) noexcept {
  int members = 0;
  return for_each_member(text,
                         [&](std::string_view member) {
                           if (member.empty()) return true;
                           if (++members > 32) return false;
                           const auto eq = member.find('=');
                           if (eq == std::string_view::npos) return false;
                           return valid_tracestate_key(member.substr(0, eq)) &&
                                  valid_tracestate_value(member.substr(eq + 1));
                         }) &&
         members <= 32;
}

bool valid_baggage(std::string_view text) noexcept {
  if (text.size() > 8192) return false;
  int members = 0;
  return for_each_member(text, [&](std::string_view member) {
    if (member.empty()) return true;
    if (++members > 64) return false;
    const auto eq = member.find('=');
    if (eq == std::string_view::npos) return false;
    const auto key = trim_ows(member.substr(0, eq));
    return !key.empty() && std::all_of(key.begin(), key.end(), token_char);
  });
}

context extract_context(std::optional<std::string_view> traceparent,
                        std::optional<std::string_view> tracestate,
                        std::optional<std::string_view> baggage) {
  context ctx;
  if (traceparent) {
    if (auto sc = parse_traceparent(*traceparent)) {
      ctx.span = std::move(*sc);
      if (tracestate && valid_tracestate(*tracestate)) ctx.span.trace_state = trim_ows(*tracestate);
    }
  }
  if (baggage && valid_baggage(*baggage)) ctx.baggage = trim_ows(*baggage);
  return ctx;
}

std::optional<std::string_view> get_header(const header_list& headers,
                                           std::string_view name) noexcept {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

namespace {

/// A baggage member from a Jaeger `uberctx-<key>: <value>` header: the value percent-encoded
/// where W3C baggage does not allow it as is.
void append_baggage(std::string& baggage, std::string_view key, std::string_view value) {
  if (key.empty()) return;
  if (!baggage.empty()) baggage += ',';
  baggage += key;
  baggage += '=';
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' || c == '%') {
      baggage += '%';
      baggage += hex[c >> 4];
      baggage += hex[c & 15];
    } else {
      baggage += static_cast<char>(c);
    }
  }
}

/// OTEL_PROPAGATORS other than the default: each configured propagator extracts in order and
/// a later one that finds its headers replaces the span context (the spec's composite
/// propagator); baggage comes from W3C `baggage` and Jaeger's `uberctx-*`.
template <class Get, class EachPrefixed>
context extract_configured(const Get& get, const EachPrefixed& each_prefixed) {
  context ctx;
  for (const auto p : propagators()) {
    std::optional<span_context> found;
    switch (p) {
      case propagator::tracecontext:
        found = extract_context(get("traceparent"), get("tracestate"), std::nullopt).span;
        break;
      case propagator::baggage:
        if (auto b = get("baggage"); b && valid_baggage(*b)) {
          if (!ctx.baggage.empty()) ctx.baggage += ',';
          ctx.baggage += trim_ows(*b);
        }
        break;
      case propagator::b3:
        if (auto b = get("b3")) found = parse_b3_single(*b);
        break;
      case propagator::b3multi:
        found = parse_b3_multi(get("x-b3-traceid"), get("x-b3-spanid"), get("x-b3-sampled"),
                               get("x-b3-flags"));
        break;
      case propagator::jaeger:
        if (auto u = get("uber-trace-id")) found = parse_uber_trace_id(*u);
        each_prefixed("uberctx-", [&](std::string_view key, std::string_view value) {
          append_baggage(ctx.baggage, key, value);
        });
        break;
    }
    if (found && found->valid()) ctx.span = std::move(*found);
  }
  if (!valid_baggage(ctx.baggage)) ctx.baggage.clear();
  return ctx;
}

/// Writes every configured propagator's headers through `set(name, value)`; `erase(name)`
/// first removes what a previous hop left.
template <class Set, class Erase>
void inject_configured(const context& ctx, const Set& set, const Erase& erase) {
  for (const auto p : propagators()) {
    switch (p) {
      case propagator::tracecontext:
        erase("traceparent");
        erase("tracestate");
        if (ctx.span.valid()) {
          set("traceparent", format_traceparent(ctx.span));
          if (!ctx.span.trace_state.empty()) set("tracestate", ctx.span.trace_state);
        }
        break;
      case propagator::baggage:
        erase("baggage");
        if (!ctx.baggage.empty()) set("baggage", ctx.baggage);
        break;
      case propagator::b3:
        erase("b3");
        if (ctx.span.valid()) set("b3", format_b3_single(ctx.span));
        break;
      case propagator::b3multi:
        for (auto n :
             {"x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags", "x-b3-parentspanid"}) {
          erase(n);
        }
        if (ctx.span.valid()) {
          set("x-b3-traceid", ctx.span.trace.hex());
          set("x-b3-spanid", ctx.span.span.hex());
          set("x-b3-sampled", ctx.span.sampled() ? "1" : "0");
        }
        break;
      case propagator::jaeger:
        erase("uber-trace-id");
        if (ctx.span.valid()) set("uber-trace-id", format_uber_trace_id(ctx.span));
        break;
    }
  }
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

context extract(const header_list& headers) {
  if (!default_propagators()) {
    return extract_configured(
        [&](std::string_view name) -> std::optional<std::string_view> {
          if (name == "traceparent") {
            const auto n = std::count_if(headers.begin(), headers.end(), [](const auto& h) {
              return iequals(h.first, "traceparent");
            });
            if (n != 1) return std::nullopt;
          }
          return get_header(headers, name);
        },
        [&](std::string_view prefix, const auto& f) {
          for (const auto& [k, v] : headers) {
            if (istarts_with(k, prefix)) f(std::string_view(k).substr(prefix.size()), v);
          }
        });
  }
  const auto count = std::count_if(headers.begin(), headers.end(),
                                   [](const auto& h) { return iequals(h.first, "traceparent"); });
  const auto traceparent = count == 1 ? get_header(headers, "traceparent") : std::nullopt;
  const auto tracestate = join_headers(headers, "tracestate");
  const auto baggage = join_headers(headers, "baggage");
  return extract_context(traceparent, tracestate, baggage);
}

void inject(const context& ctx, header_list& headers) {
  if (!default_propagators()) {
    inject_configured(
        ctx, [&](std::string_view n, std::string v) { headers.emplace_back(n, std::move(v)); },
        [&](std::string_view n) {
          std::erase_if(headers, [&](const auto& h) { return iequals(h.first, n); });
        });
    return;
  }
  std::erase_if(headers, [](const auto& h) {
    return iequals(h.first, "traceparent") || iequals(h.first, "tracestate") ||
           iequals(h.first, "baggage");
  });
  if (ctx.span.valid()) {
    headers.emplace_back("traceparent", format_traceparent(ctx.span));
    if (!ctx.span.trace_state.empty()) headers.emplace_back("tracestate", ctx.span.trace_state);
  }
  if (!ctx.baggage.empty()) headers.emplace_back("baggage", ctx.baggage);
}

context extract(const string_map& headers) {
  if (!default_propagators()) {
    return extract_configured([&](std::string_view name) { return find_value(headers, name); },
                              [&](std::string_view prefix, const auto& f) {
                                for (auto it = headers.lower_bound(prefix);
                                     it != headers.end() && it->first.starts_with(prefix); ++it) {
                                  f(std::string_view(it->first).substr(prefix.size()), it->second);
                                }
                              });
  }
  return extract_context(find_value(headers, "traceparent"), find_value(headers, "tracestate"),
                         find_value(headers, "baggage"));
}

void inject(const context& ctx, string_map& headers) {
  if (!default_propagators()) {
    inject_configured(
        ctx, [&](std::string_view n, std::string v) { headers[std::string(n)] = std::move(v); },
        [&](std::string_view n) {
          if (auto it = headers.find(n); it != headers.end()) headers.erase(it);
        });
    return;
  }
  headers.erase("traceparent");
  headers.erase("tracestate");
  headers.erase("baggage");
  if (ctx.span.valid()) {
    headers["traceparent"] = format_traceparent(ctx.span);
    if (!ctx.span.trace_state.empty()) headers["tracestate"] = ctx.span.trace_state;
  }
  if (!ctx.baggage.empty()) headers["baggage"] = ctx.baggage;
}

context extract_env(const config::env_lookup& env) {
  if (!env) return {};
  const auto tp = env("TRACEPARENT");
  const auto ts = env("TRACESTATE");
  const auto bg = env("BAGGAGE");
  auto view = [](const std::optional<std::string>& v) -> std::optional<std::string_view> {
    if (!v || v->empty()) return std::nullopt;
    return std::string_view(*v);
  };
  return extract_context(view(tp), view(ts), view(bg));
}

std::vector<std::pair<std::string, std::string>> child_env(const context& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!ctx.span.valid()) return out;
  out.emplace_back("TRACEPARENT", format_traceparent(ctx.span));
  if (!ctx.span.trace_state.empty()) out.emplace_back("TRACESTATE", ctx.span.trace_state);
  if (!ctx.baggage.empty()) out.emplace_back("BAGGAGE", ctx.baggage);
  return out;
}

}  // namespace vmterm::trace
