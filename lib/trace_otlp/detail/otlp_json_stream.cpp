// Streaming OTLP JSON → span_data, on json_cursor. Mirrors decode_span & co. in
// otlp_json_decode.cpp and json_fields.cpp field by field: absent and null fields keep the
// proto3 default, unknown fields are skipped, and wherever those functions would fail (or
// would pick among several values) this one declines instead (see otlp_json_stream.hpp).
#include "trace_otlp/detail/otlp_json_stream.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/json_cursor.hpp"

namespace vmterm::trace_otlp::detail {
namespace {

using cursor = core::json_cursor;

/// Duplicate keys: nlohmann keeps the last, the streaming reader would see both; declined.
class once {
 public:
  void operator()(unsigned bit) {
    if ((seen_ & (1U << bit)) != 0) cursor::decline();
    seen_ |= 1U << bit;
  }

 private:
  unsigned seen_ = 0;
};

template <class Int>
Int parse_int(std::string_view s) {
  Int out{};
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) cursor::decline();
  return out;
}

/// An integer from a decimal string or an integral JSON number; null reads as 0.
template <class Int>
Int integer(cursor& c) {
  const char next = c.peek();
  if (next == 'n') {
    c.null();
    return 0;
  }
  if (next == '"') return parse_int<Int>(c.string());
  bool integral = false;
  const auto text = c.number(integral);
  if (!integral) cursor::decline();  // 1.0 and 1e3 are whole numbers to the DOM decoder
  return parse_int<Int>(text);
}

double double_value(cursor& c) {
  std::string_view s;
  if (c.peek() == '"') {
    s = c.string();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  } else {
    bool integral = false;
    s = c.number(integral);
  }
  double d = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) cursor::decline();
  return d;
}

void string_into(cursor& c, std::string& out) {
  if (c.null()) return;
  out.assign(c.string());
}

std::string_view string_or_empty(cursor& c) { return c.null() ? std::string_view() : c.string(); }

/// An enum by proto name (prefix + names[i]), decimal string or integer, 0 to names.size()-1.
unsigned enum_value(cursor& c, std::string_view prefix,
                    std::initializer_list<std::string_view> names) {
  std::int64_t n = 0;
  if (c.peek() == '"') {
    const auto s = c.string();
    if (s.starts_with(prefix)) {
      unsigned i = 0;
      for (const auto name : names) {
        if (s.substr(prefix.size()) == name) return i;
        ++i;
      }
    }
    if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) {
      cursor::decline();
    }
    n = parse_int<std::int64_t>(s);
  } else {
    bool integral = false;
    const auto text = c.number(integral);
    if (!integral) cursor::decline();
    n = parse_int<std::int64_t>(text);
  }
  if (n < 0 || n >= static_cast<std::int64_t>(names.size())) cursor::decline();
  return static_cast<unsigned>(n);
}

trace::trace_id trace_id_value(cursor& c) {
  const auto s = string_or_empty(c);
  if (s.empty()) return {};
  const auto id = trace::trace_id::from_hex(s);
  if (!id) cursor::decline();
  return *id;
}

trace::span_id span_id_value(cursor& c) {
  const auto s = string_or_empty(c);
  if (s.empty()) return {};
  const auto id = trace::span_id::from_hex(s);
  if (!id) cursor::decline();
  return *id;
}

/// AnyValue members, in the DOM decoder's order of preference.
enum any_member : unsigned {
  string_v,
  bool_v,
  int_v,
  double_v,
  array_v,
  kvlist_v,
  bytes_v,
  no_member
};

any_member member_of(std::string_view key) {
  if (key == "stringValue") return string_v;
  if (key == "intValue") return int_v;
  if (key == "boolValue") return bool_v;
  if (key == "doubleValue") return double_v;
  if (key == "arrayValue") return array_v;
  if (key == "kvlistValue") return kvlist_v;
  if (key == "bytesValue") return bytes_v;
  return no_member;
}

/// Reads an AnyValue object; `on_value(member)` reads the one non-null member's value. More
/// than one non-null member is declined (the DOM decoder would pick one by preference).
template <class OnValue>
any_member any_object(cursor& c, OnValue&& on_value) {
  if (c.peek() != '{') cursor::decline();
  any_member found = no_member;
  once seen;
  c.object([&](std::string_view key) {
    const auto m = member_of(key);
    if (m == no_member) {
      c.skip();
      return;
    }
    seen(m);
    if (c.null()) return;
    if (found != no_member) cursor::decline();
    found = m;
    on_value(m);
  });
  return found;
}

/// arrayValue.values when every element holds a value of the same scalar type.
template <class T, class Read>
std::vector<T> typed_items(cursor& c, any_member first, std::vector<T> out, Read&& read) {
  c.array([&] {
    const auto found = any_object(c, [&](any_member m) {
      if (m != first) cursor::decline();  // mixed types: text, as the DOM decoder does
      out.push_back(read());
    });
    if (found != first) cursor::decline();
  });
  return out;
}

trace::attribute_value array_values(cursor& c) {
  if (c.peek() != '[') cursor::decline();
  // The first element's type decides; an array of another shape is declined.
  cursor probe = c;
  any_member first = no_member;
  bool empty = true;
  probe.array([&] {
    if (empty) {
      first = any_object(probe, [&](any_member) { probe.skip(); });
      empty = false;
    } else {
      probe.skip();
    }
  });
  if (empty) {
    c.skip();
    return std::vector<std::string>{};
  }
  switch (first) {
    case string_v:
      return typed_items(c, first, std::vector<std::string>{},
                         [&] { return std::string(c.string()); });
    case bool_v:
      return typed_items(c, first, std::vector<bool>{}, [&] { return c.boolean(); });
    case int_v:
      return typed_items(c, first, std::vector<std::int64_t>{},
                         [&] { return integer<std::int64_t>(c); });
    case double_v:
      return typed_items(c, first, std::vector<double>{}, [&] { return double_value(c); });
    default:
      cursor::decline();
  }
}

trace::attribute_value array_value(cursor& c) {
  if (c.peek() != '{') cursor::decline();
  trace::attribute_value out = std::vector<std::string>{};
  once seen;
  c.object([&](std::string_view key) {
    if (key != "values") {
      c.skip();
      return;
    }
    seen(0);
    if (!c.null()) out = array_values(c);
  });
  return out;
}

trace::attribute_value any_value(cursor& c) {
  if (c.null()) return std::string();
  trace::attribute_value out = std::string();
  any_object(c, [&](any_member m) {
    switch (m) {
      case string_v:
      case bytes_v:
        out = std::string(c.string());
        break;
      case bool_v:
        out = c.boolean();
        break;
      case int_v:
        out = integer<std::int64_t>(c);
        break;
      case double_v:
        out = double_value(c);
        break;
      case array_v:
        out = array_value(c);
        break;
      case kvlist_v: {
        const auto raw = c.skip();  // kept as JSON text, as nlohmann writes it
        try {
          out = nlohmann::json::parse(raw.begin(), raw.end()).dump();
        } catch (const nlohmann::json::exception&) {
          cursor::decline();
        }
        break;
      }
      default:
        cursor::decline();
    }
  });
  return out;
}

void attributes_into(cursor& c, trace::attributes& out) {
  if (c.null()) return;
  c.array([&] {
    if (c.peek() != '{') cursor::decline();
    auto& a = out.emplace_back();
    a.value = std::string();
    once seen;
    c.object([&](std::string_view key) {
      if (key == "key") {
        seen(0);
        string_into(c, a.key);
      } else if (key == "value") {
        seen(1);
        a.value = any_value(c);
      } else {
        c.skip();
      }
    });
  });
}

/// Calls `item()` for each element of an array of objects; null is an empty array.
template <class Item>
void objects(cursor& c, Item&& item) {
  if (c.null()) return;
  c.array([&] {
    if (c.peek() != '{') cursor::decline();
    item();
  });
}

void event_into(cursor& c, trace::event& out) {
  once seen;
  c.object([&](std::string_view key) {
    if (key == "name") {
      seen(0);
      string_into(c, out.name);
    } else if (key == "timeUnixNano") {
      seen(1);
      out.time_unix_nano = integer<std::uint64_t>(c);
    } else if (key == "attributes") {
      seen(2);
      attributes_into(c, out.attrs);
    } else if (key == "droppedAttributesCount") {
      seen(3);
      out.dropped_attributes_count = integer<std::uint32_t>(c);
    } else {
      c.skip();
    }
  });
}

void link_into(cursor& c, trace::link& out) {
  once seen;
  std::uint32_t flags = 0;
  c.object([&](std::string_view key) {
    if (key == "traceId") {
      seen(0);
      out.context.trace = trace_id_value(c);
    } else if (key == "spanId") {
      seen(1);
      out.context.span = span_id_value(c);
    } else if (key == "traceState") {
      seen(2);
      string_into(c, out.context.trace_state);
    } else if (key == "flags") {
      seen(3);
      flags = integer<std::uint32_t>(c);
    } else if (key == "attributes") {
      seen(4);
      attributes_into(c, out.attrs);
    } else if (key == "droppedAttributesCount") {
      seen(5);
      out.dropped_attributes_count = integer<std::uint32_t>(c);
    } else {
      c.skip();
    }
  });
  out.context.flags = static_cast<std::uint8_t>(flags & 0xff);
  out.context.remote = (flags & 0x300) == 0x300;
}

void status_into(cursor& c, trace::status& out) {
  if (c.null()) return;
  if (c.peek() != '{') cursor::decline();
  once seen;
  c.object([&](std::string_view key) {
    if (key == "code") {
      seen(0);
      if (!c.null()) {
        out.code = static_cast<trace::status_code>(
            enum_value(c, "STATUS_CODE_", {"UNSET", "OK", "ERROR"}));
      }
    } else if (key == "message") {
      seen(1);
      string_into(c, out.message);
    } else {
      c.skip();
    }
  });
}

/// The members of a span read by span_member; the rest are skipped.
enum span_field : unsigned {
  f_trace_id,
  f_span_id,
  f_parent,
  f_trace_state,
  f_flags,
  f_name,
  f_kind,
  f_start,
  f_end,
  f_attributes,
  f_dropped_attributes,
  f_events,
  f_dropped_events,
  f_links,
  f_dropped_links,
  f_status,
  f_unknown
};

span_field span_field_of(std::string_view key) {
  static constexpr std::pair<std::string_view, span_field> fields[] = {
      {"traceId", f_trace_id},
      {"spanId", f_span_id},
      {"parentSpanId", f_parent},
      {"name", f_name},
      {"kind", f_kind},
      {"startTimeUnixNano", f_start},
      {"endTimeUnixNano", f_end},
      {"attributes", f_attributes},
      {"status", f_status},
      {"flags", f_flags},
      {"events", f_events},
      {"links", f_links},
      {"traceState", f_trace_state},
      {"droppedAttributesCount", f_dropped_attributes},
      {"droppedEventsCount", f_dropped_events},
      {"droppedLinksCount", f_dropped_links},
  };
  for (const auto& [name, field] : fields) {
    if (key == name) return field;
  }
  return f_unknown;
}

void span_member(cursor& c, span_field field, trace::span_data& out, std::uint32_t& flags) {
  switch (field) {
    case f_trace_id:
      out.trace = trace_id_value(c);
      break;
    case f_span_id:
      out.span = span_id_value(c);
      break;
    case f_parent:
      out.parent = span_id_value(c);
      break;
    case f_trace_state:
      string_into(c, out.trace_state);
      break;
    case f_flags:
      flags = integer<std::uint32_t>(c);
      break;
    case f_name:
      string_into(c, out.name);
      break;
    case f_kind:
      if (!c.null()) {
        const auto n =
            enum_value(c, "SPAN_KIND_",
                       {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"});
        out.kind = n == 0 ? trace::span_kind::internal : static_cast<trace::span_kind>(n);
      }
      break;
    case f_start:
      out.start_unix_nano = integer<std::uint64_t>(c);
      break;
    case f_end:
      out.end_unix_nano = integer<std::uint64_t>(c);
      break;
    case f_attributes:
      attributes_into(c, out.attrs);
      break;
    case f_dropped_attributes:
      out.dropped_attributes_count = integer<std::uint32_t>(c);
      break;
    case f_events:
      objects(c, [&] { event_into(c, out.events.emplace_back()); });
      break;
    case f_dropped_events:
      out.dropped_events_count = integer<std::uint32_t>(c);
      break;
    case f_links:
      objects(c, [&] { link_into(c, out.links.emplace_back()); });
      break;
    case f_dropped_links:
      out.dropped_links_count = integer<std::uint32_t>(c);
      break;
    case f_status:
      status_into(c, out.status);
      break;
    case f_unknown:
      c.skip();
      break;
  }
}

void span_into(cursor& c, trace::span_data& out) {
  out.flags = 0;  // absent flags are 0 in OTLP, not span_data's "sampled" default
  std::uint32_t flags = 0;
  once seen;
  c.object([&](std::string_view key) {
    const auto field = span_field_of(key);
    if (field != f_unknown) seen(field);
    span_member(c, field, out, flags);
  });
  out.flags = static_cast<std::uint8_t>(flags & 0xff);
  out.parent_remote = (flags & 0x300) == 0x300;
}

void resource_into(cursor& c, trace::resource& out) {
  if (c.null()) return;
  if (c.peek() != '{') cursor::decline();
  once seen;
  c.object([&](std::string_view key) {
    if (key == "attributes") {
      seen(0);
      attributes_into(c, out.attrs);
    } else if (key == "droppedAttributesCount") {
      seen(1);
      out.dropped_attributes_count = integer<std::uint32_t>(c);
    } else {
      c.skip();
    }
  });
}

void scope_into(cursor& c, trace::instrumentation_scope& out) {
  if (c.null()) return;
  if (c.peek() != '{') cursor::decline();
  once seen;
  c.object([&](std::string_view key) {
    if (key == "name") {
      seen(0);
      string_into(c, out.name);
    } else if (key == "version") {
      seen(1);
      string_into(c, out.version);
    } else {
      c.skip();
    }
  });
}

void scope_spans_into(cursor& c, const std::shared_ptr<const trace::resource>& res,
                      std::vector<trace::span_data>& out) {
  auto scope = std::make_shared<trace::instrumentation_scope>();
  const std::shared_ptr<const trace::instrumentation_scope> shared_scope = scope;
  once seen;
  c.object([&](std::string_view key) {
    if (key == "spans") {
      seen(0);
      objects(c, [&] {
        auto& span = out.emplace_back();
        span_into(c, span);
        span.resource = res;
        span.scope = shared_scope;
      });
    } else if (key == "scope") {
      seen(1);
      scope_into(c, *scope);
    } else {
      c.skip();
    }
  });
}

void resource_spans_into(cursor& c, std::vector<trace::span_data>& out) {
  auto res = std::make_shared<trace::resource>();
  const std::shared_ptr<const trace::resource> shared_res = res;
  once seen;
  c.object([&](std::string_view key) {
    if (key == "scopeSpans") {
      seen(0);
      objects(c, [&] { scope_spans_into(c, shared_res, out); });
    } else if (key == "resource") {
      seen(1);
      resource_into(c, *res);
    } else {
      c.skip();
    }
  });
}

/// The object holding "resourceSpans" (the document, or api_v3's "result").
void body_into(cursor& c, std::vector<trace::span_data>& out) {
  once seen;
  c.object([&](std::string_view key) {
    if (key != "resourceSpans") {
      c.skip();
      return;
    }
    seen(0);
    objects(c, [&] { resource_spans_into(c, out); });
  });
}

void document_into(cursor& c, std::vector<trace::span_data>& out) {
  if (c.peek() != '{') cursor::decline();
  once seen;
  bool spans = false;
  bool result = false;
  c.object([&](std::string_view key) {
    if (key == "resourceSpans") {
      seen(0);
      if (result) cursor::decline();  // api_v3's "result" wins; rare enough to leave to the DOM
      spans = !c.null();
      if (spans) objects(c, [&] { resource_spans_into(c, out); });
    } else if (key == "result") {
      seen(1);
      if (c.null()) return;
      if (spans || c.peek() != '{') cursor::decline();
      result = true;
      body_into(c, out);
    } else {
      c.skip();
    }
  });
}

}  // namespace

std::optional<std::size_t> stream_document(std::string_view text, std::size_t pos,
                                           std::vector<trace::span_data>& out) {
  const auto mark = out.size();
  try {
    cursor c(text, pos);
    document_into(c, out);
    return c.pos();
  } catch (const core::json_declined&) {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(mark), out.end());
    return std::nullopt;
  }
}

}  // namespace vmterm::trace_otlp::detail
