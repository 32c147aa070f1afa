// Streaming Jaeger v1 JSON -> span_data on lib/core's json_cursor, without a DOM. It
// produces exactly what decode_v1_json's DOM path gives, or declines (nullopt) and that path
// decodes the same text: on a syntax error, an error the DOM path reports, or a shape this
// reader leaves to it (a value of another JSON type than Jaeger writes, an unknown member
// holding an object, a repeated member of a span, envelope errors).
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include "core/json_cursor.hpp"
#include "jaeger/v1_json_stream.hpp"
#include "jaeger/v1_span_convert.hpp"

namespace vmterm::jaeger::detail {
namespace {

using cursor = core::json_cursor;

[[noreturn]] void decline() { cursor::decline(); }

/// A scalar as read: its JSON type and its text (decoded for strings).
struct scalar {
  enum kind_t { string, boolean, integer, real } kind = string;
  std::string text;
  bool flag = false;
};

scalar read_scalar(cursor& c) {
  scalar v;
  switch (c.peek()) {
    case '"':
      v.kind = scalar::string;
      v.text = c.string();
      break;
    case 't':
    case 'f':
      v.kind = scalar::boolean;
      v.flag = c.boolean();
      break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
      bool integral = false;
      v.text = c.number(integral);
      v.kind = integral ? scalar::integer : scalar::real;
      if (integral && v.text == "-0") decline();  // nlohmann reads it as integer 0
      break;
    }
    default:
      decline();  // null, objects, arrays: left to the DOM path
  }
  return v;
}

/// Skips a value that holds no object (only objects can be spans or traces to the DOM path).
void skip_flat(cursor& c, int depth = 0) {
  const char k = c.peek();
  if (k == '{' || depth > 64) decline();
  if (k == '[') {
    c.array([&] { skip_flat(c, depth + 1); });
    return;
  }
  (void)c.skip();
}

/// A member this reader does not use. The DOM path takes any object with "spanID" and
/// "operationName" for a span and any with a "spans" array for a trace, wherever it is:
/// objects holding those keys where Jaeger writes none are left to it.
void other_member(cursor& c, std::string_view key) {
  if (key == "operationName" || key == "spans") decline();
  skip_flat(c);
}

std::string read_string(cursor& c) {
  if (c.peek() != '"') decline();
  return std::string(c.string());
}

template <class T>
std::optional<T> parse_as(std::string_view text) {
  T out{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return out;
}

/// A JSON integer as json_int64 reads it (unsigned above int64's range: nullopt).
std::optional<std::int64_t> integer_of(const scalar& v) {
  if (v.kind != scalar::integer) decline();
  auto i = parse_as<std::int64_t>(v.text);
  if (!i && v.text.front() == '-') decline();  // below int64: a float to nlohmann
  return i;
}

/// convert_value (v1_tags.cpp) for the scalars this reader accepts.
trace::attribute_value tag_value(std::string_view type, const scalar& v) {
  if (type == "string" || type == "binary") {
    if (v.kind != scalar::string) decline();
    return v.text;
  }
  if (type == "bool") {
    if (v.kind == scalar::boolean) return v.flag;
    if (v.kind != scalar::string) decline();
    const auto& s = v.text;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return v.text;
  }
  if (type == "int64") {
    if (v.kind == scalar::string) {
      if (auto i = parse_as<std::int64_t>(v.text)) return *i;
      return v.text;
    }
    if (auto i = integer_of(v)) return *i;
    decline();
  }
  if (type == "float64") {
    if (v.kind == scalar::boolean) decline();
    if (auto d = parse_as<double>(v.text)) return *d;
    if (v.kind == scalar::string) return v.text;
    decline();
  }
  // no or another type: inferred from the JSON type
  switch (v.kind) {
    case scalar::boolean:
      return v.flag;
    case scalar::real:
      if (auto d = parse_as<double>(v.text)) return *d;
      decline();
    case scalar::integer:
      if (auto i = integer_of(v)) return *i;
      decline();
    case scalar::string:
      break;
  }
  return v.text;
}

/// convert_tags: an array of {key, type, value}; a repeated key replaces the earlier value.
trace::attributes read_tags(cursor& c) {
  trace::attributes out;
  if (c.peek() != '[') decline();
  c.array([&] {
    std::optional<std::string> key;
    std::optional<std::string> type;
    std::optional<scalar> value;
    if (c.peek() != '{') decline();
    c.object([&](std::string_view k) {
      if (k == "key") {
        key = read_string(c);
      } else if (k == "type") {
        type = read_string(c);
      } else if (k == "value") {
        value = read_scalar(c);
      } else {
        other_member(c, k);
      }
    });
    if (!key || !value) decline();
    trace::attribute attr{std::move(*key), tag_value(type ? *type : std::string(), *value)};
    for (auto& existing : out) {
      if (existing.key == attr.key) {
        existing.value = std::move(attr.value);
        return;
      }
    }
    out.push_back(std::move(attr));
  });
  return out;
}

std::shared_ptr<const trace::resource> read_process(cursor& c) {
  std::string service;
  trace::attributes tags;
  if (c.peek() != '{') decline();
  c.object([&](std::string_view k) {
    if (k == "serviceName") {
      service = read_string(c);
    } else if (k == "tags") {
      tags = read_tags(c);
    } else {
      other_member(c, k);
    }
  });
  return make_resource(service, std::move(tags));
}

/// micros_to_nanos: a non-negative JSON integer of microseconds; nullopt when out of range.
std::optional<std::uint64_t> micros(cursor& c) {
  const auto v = integer_of(read_scalar(c));
  if (!v || *v < 0) return std::nullopt;
  const auto us = static_cast<std::uint64_t>(*v);
  if (us > std::numeric_limits<std::uint64_t>::max() / 1000) return std::nullopt;
  return us * 1000;
}

struct reference {
  std::string trace_hex;
  std::string span_hex;
  std::string ref_type;
};

/// One span object, decoded as convert_span does; declines where convert_span fails.
pending_span read_span(cursor& c) {
  enum : unsigned {
    f_trace = 1,
    f_span = 2,
    f_name = 4,
    f_refs = 8,
    f_start = 16,
    f_duration = 32,
    f_tags = 64,
    f_logs = 128,
    f_pid = 256,
    f_process = 512,
    f_warnings = 1024,
    f_flags = 2048,
    f_parent = 4096
  };
  unsigned seen = 0;
  const auto once = [&](unsigned f) {
    if ((seen & f) != 0) decline();  // nlohmann keeps the last of repeated members
    seen |= f;
  };
  pending_span out;
  trace::span_data& s = out.span;
  std::string trace_hex;
  std::string span_hex;
  std::string parent_hex;
  std::optional<std::uint64_t> start;
  std::optional<std::uint64_t> duration = 0;
  std::vector<reference> refs;
  std::vector<std::pair<std::uint64_t, trace::attributes>> logs;
  std::vector<std::string> warnings;
  c.object([&](std::string_view k) {
    if (k == "traceID") {
      once(f_trace);
      trace_hex = read_string(c);
    } else if (k == "spanID") {
      once(f_span);
      span_hex = read_string(c);
    } else if (k == "operationName") {
      once(f_name);
      s.name = read_string(c);
    } else if (k == "startTime") {
      once(f_start);
      start = micros(c);
    } else if (k == "duration") {
      once(f_duration);
      duration = micros(c);
    } else if (k == "flags") {
      once(f_flags);
      const auto v = read_scalar(c);
      if (v.kind != scalar::integer || v.text.front() == '-') decline();
      const auto u = parse_as<std::uint64_t>(v.text);
      if (!u) decline();
      s.flags = static_cast<std::uint8_t>(*u & 0xff);
    } else if (k == "tags") {
      once(f_tags);
      s.attrs = read_tags(c);
    } else if (k == "processID") {
      once(f_pid);
      out.process_id = read_string(c);
    } else if (k == "process") {
      once(f_process);
      s.resource = read_process(c);
    } else if (k == "parentSpanID") {
      once(f_parent);
      parent_hex = read_string(c);
    } else if (k == "references") {
      once(f_refs);
      if (c.peek() != '[') decline();
      c.array([&] {
        reference r;
        if (c.peek() != '{') decline();
        c.object([&](std::string_view rk) {
          if (rk == "traceID") {
            r.trace_hex = read_string(c);
          } else if (rk == "spanID") {
            r.span_hex = read_string(c);
          } else if (rk == "refType") {
            r.ref_type = read_string(c);
          } else {
            other_member(c, rk);
          }
        });
        refs.push_back(std::move(r));
      });
    } else if (k == "logs") {
      once(f_logs);
      if (c.peek() != '[') decline();
      c.array([&] {
        std::uint64_t time = 0;
        trace::attributes fields;
        if (c.peek() != '{') decline();
        c.object([&](std::string_view lk) {
          if (lk == "timestamp") {
            time = micros(c).value_or(0);
          } else if (lk == "fields") {
            fields = read_tags(c);
          } else {
            other_member(c, lk);
          }
        });
        logs.emplace_back(time, std::move(fields));
      });
    } else if (k == "warnings") {
      once(f_warnings);
      if (!c.null()) {
        if (c.peek() != '[') decline();
        c.array([&] { warnings.push_back(read_string(c)); });
      }
    } else {
      skip_flat(c);
    }
  });
  // Not a span to the DOM path, or one it refuses: let it decide and word the error.
  if ((seen & (f_span | f_name)) != (f_span | f_name)) decline();
  const auto t = parse_trace_id(trace_hex);
  const auto id = parse_span_id(span_hex);
  if (!t || !id || !start || !duration) decline();
  s.trace = *t;
  s.span = *id;
  s.start_unix_nano = *start;
  s.end_unix_nano = *start + *duration;
  apply_special_tags(s);
  if (!warnings.empty()) s.attrs.push_back({"@jaeger@warnings", std::move(warnings)});
  s.events.reserve(logs.size());
  for (auto& [time, fields] : logs) s.events.push_back(make_event(time, std::move(fields)));
  bool have_parent = false;
  for (const auto& r : refs) add_reference(s, have_parent, r.trace_hex, r.span_hex, r.ref_type);
  if (!have_parent) {
    if (auto p = parse_span_id(parent_hex)) s.parent = *p;
  }
  if (s.resource) out.process_id.clear();
  return out;
}

/// Members of a trace object (or of a root that is one): spans, processes; appends the spans,
/// their resources resolved, to `doc`.
class trace_reader {
 public:
  explicit trace_reader(v1_document& doc) : doc_(doc) {}

  /// One member of a trace object; false when `key` is not a trace member.
  bool member(cursor& c, std::string_view key) {
    if (key == "spans") {
      if (spans_seen_) decline();
      spans_seen_ = true;
      if (c.peek() != '[') decline();
      c.array([&] {
        if (c.peek() != '{') decline();
        pending_.push_back(read_span(c));
      });
      return true;
    }
    if (key == "processes") {
      if (processes_seen_) decline();
      processes_seen_ = true;
      if (c.peek() != '{') decline();
      c.object([&](std::string_view id) {
        std::string name(id);
        processes_[name] = read_process(c);
      });
      return true;
    }
    return false;
  }

  /// The trace object has ended.
  void finish() {
    if (!spans_seen_) decline();  // not a trace to the DOM path
    resolve_processes(pending_, processes_, doc_.spans);
    ++doc_.trace_count;
  }

 private:
  v1_document& doc_;
  std::vector<pending_span> pending_;
  process_map processes_;
  bool spans_seen_ = false;
  bool processes_seen_ = false;
};

void read_trace(cursor& c, v1_document& doc) {
  if (c.peek() != '{') decline();
  trace_reader t(doc);
  c.object([&](std::string_view k) {
    if (!t.member(c, k)) other_member(c, k);
  });
  t.finish();
}

void read_traces(cursor& c, v1_document& doc) {
  if (c.peek() != '[') decline();
  c.array([&] { read_trace(c, doc); });
}

}  // namespace

std::optional<v1_document> stream_v1_json(std::string_view text) {
  try {
    v1_document doc;
    cursor c(text, 0);
    if (c.peek() == '[') {
      read_traces(c, doc);
    } else {
      if (c.peek() != '{') return std::nullopt;
      bool envelope = false;
      trace_reader root(doc);
      bool root_trace = false;
      c.object([&](std::string_view k) {
        if (k == "data") {
          if (envelope) decline();
          envelope = true;
          read_traces(c, doc);
        } else if (k == "errors") {
          if (!c.null()) {
            if (c.peek() != '[') decline();
            c.array([&] { decline(); });  // an empty array only
          }
        } else if (root.member(c, k)) {
          root_trace = true;
        } else {
          other_member(c, k);
        }
      });
      if (envelope == root_trace) return std::nullopt;  // neither, or both: the DOM decides
      if (root_trace) root.finish();
    }
    (void)c.peek();
    if (c.pos() != text.size()) return std::nullopt;
    return doc;
  } catch (const core::json_declined&) {
    return std::nullopt;
  }
}

}  // namespace vmterm::jaeger::detail
