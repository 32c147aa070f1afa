// Encoding half of otlp_json.hpp: writes JSON straight into a std::string (no DOM), which is
// what keeps encoding above a million spans per second.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/utf8.hpp"
#include "trace_otlp/detail/span_groups.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::trace_otlp {
namespace {

using trace::attribute_value;
using trace::attributes;
using trace::span_data;

constexpr char hex_digits[] = "0123456789abcdef";

using detail::otlp_flags;

void put(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

template <class Int>
void put_int(std::string& out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

template <std::size_t N>
void put_hex(std::string& out, const std::array<std::uint8_t, N>& bytes) {
  char buf[2 * N];
  trace::detail::write_hex(bytes, buf);
  out.append(buf, 2 * N);
}

/// Writes a JSON string literal: escapes quotes, backslashes and control characters, and
/// replaces invalid UTF-8 with U+FFFD.
void put_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const auto n = utf8::sequence_length(s, i); n != 0) {
        i += n;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        put(out, "\\\"");
        break;
      case '\\':
        put(out, "\\\\");
        break;
      case '\n':
        put(out, "\\n");
        break;
      case '\r':
        put(out, "\\r");
        break;
      case '\t':
        put(out, "\\t");
        break;
      case '\b':
        put(out, "\\b");
        break;
      case '\f':
        put(out, "\\f");
        break;
      default:
        if (c < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0x0f]};
          out.append(esc, sizeof esc);
        } else {
          put(out, utf8::replacement);  // U+FFFD for a byte that starts no valid sequence
        }
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void put_u64_string(std::string& out, std::uint64_t v) {
  out.push_back('"');
  put_int(out, v);
  out.push_back('"');
}

void put_double(std::string& out, double v) {
  if (std::isnan(v)) return put(out, "\"NaN\"");
  if (std::isinf(v)) return put(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void put_scalar(std::string& out, const std::string& v) {
  put(out, "{\"stringValue\":");
  put_string(out, v);
  out.push_back('}');
}
void put_scalar(std::string& out, bool v) {
  put(out, v ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
}
void put_scalar(std::string& out, std::int64_t v) {
  put(out, "{\"intValue\":\"");
  put_int(out, v);
  put(out, "\"}");
}
void put_scalar(std::string& out, double v) {
  put(out, "{\"doubleValue\":");
  put_double(out, v);
  out.push_back('}');
}

template <class T>
void put_array(std::string& out, const std::vector<T>& values) {
  put(out, "{\"arrayValue\":{\"values\":[");
  bool first = true;
  for (const auto& v : values) {  // vector<bool> yields proxies: convert explicitly
    if (!first) out.push_back(',');
    first = false;
    put_scalar(out, static_cast<T>(v));
  }
  put(out, "]}}");
}

void put_value(std::string& out, const attribute_value& value) {
  std::visit(
      [&out](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string> || std::is_same_v<V, bool> ||
                      std::is_same_v<V, std::int64_t> || std::is_same_v<V, double>) {
          put_scalar(out, v);
        } else {
          put_array(out, v);
        }
      },
      value);
}

/// ,"attributes":[...] when there are any, then ,"droppedAttributesCount":N when non-zero.
void put_attributes(std::string& out, const attributes& attrs, std::uint32_t dropped) {
  if (!attrs.empty()) {
    put(out, ",\"attributes\":[");
    bool first = true;
    for (const auto& a : attrs) {
      put(out, first ? "{\"key\":" : ",{\"key\":");
      first = false;
      put_string(out, a.key);
      put(out, ",\"value\":");
      put_value(out, a.value);
      out.push_back('}');
    }
    out.push_back(']');
  }
  if (dropped != 0) {
    put(out, ",\"droppedAttributesCount\":");
    put_int(out, dropped);
  }
}

void put_count(std::string& out, std::string_view key, std::uint32_t n) {
  if (n == 0) return;
  put(out, key);
  put_int(out, n);
}

void put_events(std::string& out, const span_data& s) {
  if (s.events.empty()) return;
  put(out, ",\"events\":[");
  bool first = true;
  for (const auto& e : s.events) {
    put(out, first ? "{\"timeUnixNano\":" : ",{\"timeUnixNano\":");
    first = false;
    put_u64_string(out, e.time_unix_nano);
    put(out, ",\"name\":");
    put_string(out, e.name);
    put_attributes(out, e.attrs, e.dropped_attributes_count);
    out.push_back('}');
  }
  out.push_back(']');
}

void put_links(std::string& out, const span_data& s) {
  if (s.links.empty()) return;
  put(out, ",\"links\":[");
  bool first = true;
  for (const auto& l : s.links) {
    put(out, first ? "{\"traceId\":\"" : ",{\"traceId\":\"");
    first = false;
    put_hex(out, l.context.trace.bytes);
    put(out, "\",\"spanId\":\"");
    put_hex(out, l.context.span.bytes);
    out.push_back('"');
    if (!l.context.trace_state.empty()) {
      put(out, ",\"traceState\":");
      put_string(out, l.context.trace_state);
    }
    put_attributes(out, l.attrs, l.dropped_attributes_count);
    put(out, ",\"flags\":");
    put_int(out, otlp_flags(l.context.flags, l.context.remote));
    out.push_back('}');
  }
  out.push_back(']');
}

void put_span(std::string& out, const span_data& s) {
  put(out, "{\"traceId\":\"");
  put_hex(out, s.trace.bytes);
  put(out, "\",\"spanId\":\"");
  put_hex(out, s.span.bytes);
  out.push_back('"');
  if (!s.trace_state.empty()) {
    put(out, ",\"traceState\":");
    put_string(out, s.trace_state);
  }
  if (s.parent.valid()) {
    put(out, ",\"parentSpanId\":\"");
    put_hex(out, s.parent.bytes);
    out.push_back('"');
  }
  put(out, ",\"flags\":");
  put_int(out, otlp_flags(s.flags, s.parent_remote));
  put(out, ",\"name\":");
  put_string(out, s.name);
  put(out, ",\"kind\":");
  put_int(out, static_cast<unsigned>(s.kind));
  put(out, ",\"startTimeUnixNano\":");
  put_u64_string(out, s.start_unix_nano);
  put(out, ",\"endTimeUnixNano\":");
  put_u64_string(out, s.end_unix_nano);
  put_attributes(out, s.attrs, s.dropped_attributes_count);
  put_events(out, s);
  put_count(out, ",\"droppedEventsCount\":", s.dropped_events_count);
  put_links(out, s);
  put_count(out, ",\"droppedLinksCount\":", s.dropped_links_count);
  put(out, ",\"status\":{");
  if (s.status.code != trace::status_code::unset) {
    if (!s.status.message.empty()) {
      put(out, "\"message\":");
      put_string(out, s.status.message);
      out.push_back(',');
    }
    put(out, "\"code\":");
    put_int(out, static_cast<unsigned>(s.status.code));
  }
  put(out, "}}");
}

void put_resource(std::string& out, const trace::resource* r) {
  put(out, "{\"resource\":{");
  if (r != nullptr) {
    const auto mark = out.size();
    put_attributes(out, r->attrs, r->dropped_attributes_count);
    if (out.size() > mark) out.erase(mark, 1);  // the leading comma
  }
  put(out, "},\"scopeSpans\":[");
}

void put_scope(std::string& out, const trace::instrumentation_scope* scope) {
  put(out, "{\"scope\":{");
  if (scope != nullptr) {
    put(out, "\"name\":");
    put_string(out, scope->name);
    if (!scope->version.empty()) {
      put(out, ",\"version\":");
      put_string(out, scope->version);
    }
  }
  put(out, "},\"spans\":[");
}

template <class Spans>
void encode_any(Spans spans, std::string& out) {
  out.reserve(out.size() + 128 + spans.size() * 640);
  put(out, "{\"resourceSpans\":[");
  bool first_resource = true;
  for (const auto& rg : detail::group(spans)) {
    if (!first_resource) out.push_back(',');
    first_resource = false;
    put_resource(out, rg.resource);
    bool first_scope = true;
    for (const auto& sg : rg.scopes) {
      if (!first_scope) out.push_back(',');
      first_scope = false;
      put_scope(out, sg.scope);
      bool first_span = true;
      for (const auto i : sg.spans) {
        if (!first_span) out.push_back(',');
        first_span = false;
        put_span(out, detail::at(spans, i));
      }
      put(out, "]}");
    }
    put(out, "]}");
  }
  put(out, "]}");
}

}  // namespace

void encode_request(std::span<const span_data> spans, std::string& out) { encode_any(spans, out); }

void encode_request(std::span<const span_data* const> spans, std::string& out) {
  encode_any(spans, out);
}

std::string encode_request(std::span<const span_data> spans) {
  std::string out;
  encode_request(spans, out);
  return out;
}

std::string encode_request(std::span<const span_data* const> spans) {
  std::string out;
  encode_request(spans, out);
  return out;
}

}  // namespace vmterm::trace_otlp
