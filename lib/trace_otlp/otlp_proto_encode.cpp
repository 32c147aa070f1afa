// otlp_proto.hpp: protobuf wire format by hand. Nested messages are written in place: one byte
// is reserved for the length, and when the finished body needs a longer varint the body is
// moved up by the difference (rare: most nested messages are under 128 bytes, and a span under
// 16 KiB moves once by one byte).
#include <cstring>

#include "core/utf8.hpp"
#include "trace_otlp/detail/span_groups.hpp"
#include "trace_otlp/otlp_proto.hpp"

namespace vmterm::trace_otlp {
namespace {

using trace::attribute_value;
using trace::attributes;
using trace::span_data;

enum wire : std::uint8_t { wire_varint = 0, wire_fixed64 = 1, wire_length = 2, wire_fixed32 = 5 };

class writer {
 public:
  explicit writer(std::string& out) : out_(out) {}

  void tag(std::uint32_t field, wire w) { put_varint((field << 3) | w); }

  void put_varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  void uint(std::uint32_t field, std::uint64_t v) {  ///< left out when 0 (proto3 default)
    if (v == 0) return;
    tag(field, wire_varint);
    put_varint(v);
  }
  void int64(std::uint32_t field, std::int64_t v) {  ///< always written (inside a oneof)
    tag(field, wire_varint);
    put_varint(static_cast<std::uint64_t>(v));
  }
  void boolean(std::uint32_t field, bool v) {  ///< always written (inside a oneof)
    tag(field, wire_varint);
    out_.push_back(v ? '\1' : '\0');
  }
  void f64(std::uint32_t field, std::uint64_t v) {
    tag(field, wire_fixed64);
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out_.append(b, 8);
  }
  void dbl(std::uint32_t field, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    f64(field, bits);
  }
  void f32(std::uint32_t field, std::uint32_t v) {
    tag(field, wire_fixed32);
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out_.append(b, 4);
  }
  template <std::size_t N>
  void bytes(std::uint32_t field, const std::array<std::uint8_t, N>& b) {
    tag(field, wire_length);
    put_varint(N);
    out_.append(reinterpret_cast<const char*>(b.data()), N);
  }
  /// A string field; `always` for fields inside a oneof or required by meaning (names).
  void str(std::uint32_t field, std::string_view s, bool always = false) {
    if (s.empty() && !always) return;
    tag(field, wire_length);
    if (valid_utf8(s)) {
      put_varint(s.size());
      out_.append(s.data(), s.size());
      return;
    }
    const auto at = begin_body();
    for (std::size_t i = 0; i < s.size();) {
      const auto n = utf8::sequence_length(s, i);
      if (n == 0) {
        out_.append(utf8::replacement);
        ++i;
      } else {
        out_.append(s.data() + i, n);
        i += n;
      }
    }
    end_body(at);
  }

  /// Starts a nested message: returns where its body begins.
  std::size_t begin(std::uint32_t field) {
    tag(field, wire_length);
    return begin_body();
  }
  void end(std::size_t at) { end_body(at); }

 private:
  static bool valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
      if (static_cast<unsigned char>(s[i]) < 0x80) {
        ++i;
        continue;
      }
      const auto n = utf8::sequence_length(s, i);
      if (n == 0) return false;
      i += n;
    }
    return true;
  }
  std::size_t begin_body() {
    out_.push_back('\0');
    return out_.size();
  }
  void end_body(std::size_t at) {
    const std::size_t len = out_.size() - at;
    std::size_t n = 1;
    for (auto v = len; v >= 0x80; v >>= 7) ++n;
    if (n > 1) out_.insert(at, n - 1, '\0');
    std::size_t p = at - 1;
    auto v = len;
    while (v >= 0x80) {
      out_[p++] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_[p] = static_cast<char>(v);
  }

  std::string& out_;
};

// AnyValue: 1 string, 2 bool, 3 int, 4 double, 5 array (ArrayValue: 1 values).
void any_scalar(writer& w, const std::string& v) { w.str(1, v, true); }
void any_scalar(writer& w, bool v) { w.boolean(2, v); }
void any_scalar(writer& w, std::int64_t v) { w.int64(3, v); }
void any_scalar(writer& w, double v) { w.dbl(4, v); }

void any_value(writer& w, std::uint32_t field, const attribute_value& value) {
  const auto at = w.begin(field);
  std::visit(
      [&w](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string> || std::is_same_v<V, bool> ||
                      std::is_same_v<V, std::int64_t> || std::is_same_v<V, double>) {
          any_scalar(w, v);
        } else {
          using T = typename V::value_type;
          const auto arr = w.begin(5);
          for (const auto& x : v) {  // vector<bool> yields proxies: convert explicitly
            const auto one = w.begin(1);
            any_scalar(w, static_cast<T>(x));
            w.end(one);
          }
          w.end(arr);
        }
      },
      value);
  w.end(at);
}

/// KeyValue: 1 key, 2 value.
void key_values(writer& w, std::uint32_t field, const attributes& attrs) {
  for (const auto& a : attrs) {
    const auto at = w.begin(field);
    w.str(1, a.key, true);
    any_value(w, 2, a.value);
    w.end(at);
  }
}

// Span: 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind,
// 7 start_time_unix_nano, 8 end_time_unix_nano, 9 attributes, 10 dropped_attributes_count,
// 11 events, 12 dropped_events_count, 13 links, 14 dropped_links_count, 15 status, 16 flags.
void put_span(writer& w, const span_data& s) {
  const auto at = w.begin(2);  // ScopeSpans.spans
  w.bytes(1, s.trace.bytes);
  w.bytes(2, s.span.bytes);
  w.str(3, s.trace_state);
  if (s.parent.valid()) w.bytes(4, s.parent.bytes);
  w.str(5, s.name, true);
  w.uint(6, static_cast<unsigned>(s.kind));
  w.f64(7, s.start_unix_nano);
  w.f64(8, s.end_unix_nano);
  key_values(w, 9, s.attrs);
  w.uint(10, s.dropped_attributes_count);
  for (const auto& e : s.events) {  // Event: 1 time, 2 name, 3 attributes, 4 dropped
    const auto ev = w.begin(11);
    w.f64(1, e.time_unix_nano);
    w.str(2, e.name, true);
    key_values(w, 3, e.attrs);
    w.uint(4, e.dropped_attributes_count);
    w.end(ev);
  }
  w.uint(12, s.dropped_events_count);
  for (const auto& l : s.links) {  // Link: 1 trace, 2 span, 3 state, 4 attrs, 5 dropped, 6 flags
    const auto lk = w.begin(13);
    w.bytes(1, l.context.trace.bytes);
    w.bytes(2, l.context.span.bytes);
    w.str(3, l.context.trace_state);
    key_values(w, 4, l.attrs);
    w.uint(5, l.dropped_attributes_count);
    w.f32(6, detail::otlp_flags(l.context.flags, l.context.remote));
    w.end(lk);
  }
  w.uint(14, s.dropped_links_count);
  const auto st = w.begin(15);  // Status: 2 message, 3 code
  if (s.status.code != trace::status_code::unset) {
    w.str(2, s.status.message);
    w.uint(3, static_cast<unsigned>(s.status.code));
  }
  w.end(st);
  w.f32(16, detail::otlp_flags(s.flags, s.parent_remote));
  w.end(at);
}

template <class Spans>
void encode_any(Spans spans, std::string& out) {
  out.reserve(out.size() + 64 + spans.size() * 400);
  writer w(out);
  for (const auto& rg : detail::group(spans)) {
    const auto rs = w.begin(1);   // ExportTraceServiceRequest.resource_spans
    const auto res = w.begin(1);  // ResourceSpans.resource (Resource: 1 attributes, 2 dropped)
    if (rg.resource != nullptr) {
      key_values(w, 1, rg.resource->attrs);
      w.uint(2, rg.resource->dropped_attributes_count);
    }
    w.end(res);
    for (const auto& sg : rg.scopes) {
      const auto ss = w.begin(2);  // ResourceSpans.scope_spans
      const auto sc = w.begin(1);  // ScopeSpans.scope (InstrumentationScope: 1 name, 2 version)
      if (sg.scope != nullptr) {
        w.str(1, sg.scope->name);
        w.str(2, sg.scope->version);
      }
      w.end(sc);
      for (const auto i : sg.spans) put_span(w, detail::at(spans, i));
      w.end(ss);
    }
    w.end(rs);
  }
}

}  // namespace

void encode_request_proto(std::span<const span_data> spans, std::string& out) {
  encode_any(spans, out);
}

void encode_request_proto(std::span<const span_data* const> spans, std::string& out) {
  encode_any(spans, out);
}

namespace {

/// A protobuf reader just big enough for the export response.
class reader {
 public:
  explicit reader(std::string_view b) : b_(b) {}
  [[nodiscard]] bool done() const noexcept { return at_ >= b_.size(); }
  bool varint(std::uint64_t& v) noexcept {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= b_.size()) return false;
      const auto c = static_cast<unsigned char>(b_[at_++]);
      v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) return true;
    }
    return false;
  }
  bool field(std::uint32_t& number, std::uint32_t& type) noexcept {
    std::uint64_t key;
    if (!varint(key)) return false;
    number = static_cast<std::uint32_t>(key >> 3);
    type = static_cast<std::uint32_t>(key & 7);
    return number != 0;
  }
  bool bytes(std::string_view& out) noexcept {
    std::uint64_t n;
    if (!varint(n) || n > b_.size() - at_) return false;
    out = b_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool skip(std::uint32_t type) noexcept {
    std::uint64_t v;
    std::string_view ignored;
    switch (type) {
      case wire_varint:
        return varint(v);
      case wire_fixed64:
        return advance(8);
      case wire_length:
        return bytes(ignored);
      case wire_fixed32:
        return advance(4);
      default:
        return false;
    }
  }

 private:
  bool advance(std::size_t n) noexcept {
    if (n > b_.size() - at_) return false;
    at_ += n;
    return true;
  }
  std::string_view b_;
  std::size_t at_ = 0;
};

tl::unexpected<error> malformed() {
  return tl::unexpected(error{std::make_error_code(std::errc::bad_message),
                              "the collector's protobuf response is malformed"});
}

}  // namespace

expected<export_response> decode_export_response_proto(std::string_view body) {
  export_response out;
  reader r(body);
  while (!r.done()) {
    std::uint32_t n, t;
    if (!r.field(n, t)) return malformed();
    if (n != 1 || t != wire_length) {
      if (!r.skip(t)) return malformed();
      continue;
    }
    std::string_view partial;
    if (!r.bytes(partial)) return malformed();
    reader p(partial);
    while (!p.done()) {
      std::uint32_t pn, pt;
      if (!p.field(pn, pt)) return malformed();
      if (pn == 1 && pt == wire_varint) {
        std::uint64_t v;
        if (!p.varint(v)) return malformed();
        out.rejected_spans = static_cast<std::int64_t>(v);
      } else if (pn == 2 && pt == wire_length) {
        std::string_view m;
        if (!p.bytes(m)) return malformed();
        out.error_message = std::string(m);
      } else if (!p.skip(pt)) {
        return malformed();
      }
    }
  }
  return out;
}

namespace {

/// The length-delimited fields `number` of a message, in order; false when malformed.
template <class F>
bool each_bytes_field(std::string_view message, std::uint32_t number, const F& fn) {
  reader r(message);
  while (!r.done()) {
    std::uint32_t n, t;
    if (!r.field(n, t)) return false;
    if (n == number && t == wire_length) {
      std::string_view v;
      if (!r.bytes(v)) return false;
      fn(v);
    } else if (!r.skip(t)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> decode_retry_delay(std::string_view status_details) {
  constexpr std::string_view retry_info = "type.googleapis.com/google.rpc.RetryInfo";
  std::optional<std::chrono::milliseconds> out;
  // google.rpc.Status.details (3): Any { type_url = 1; value = 2 }.
  const bool ok = each_bytes_field(status_details, 3, [&](std::string_view any) {
    std::string_view type, value;
    if (!each_bytes_field(any, 1, [&](std::string_view v) { type = v; }) ||
        !each_bytes_field(any, 2, [&](std::string_view v) { value = v; }) || type != retry_info) {
      return;
    }
    // RetryInfo.retry_delay (1): Duration { int64 seconds = 1; int32 nanos = 2 }.
    std::int64_t seconds = 0, nanos = 0;
    bool seen = false;
    each_bytes_field(value, 1, [&](std::string_view duration) {
      reader d(duration);
      seen = true;
      while (!d.done()) {
        std::uint32_t n, t;
        std::uint64_t v = 0;
        if (!d.field(n, t)) return;
        if (t != wire_varint) {
          if (!d.skip(t)) return;
          continue;
        }
        if (!d.varint(v)) return;
        if (n == 1) seconds = static_cast<std::int64_t>(v);
        if (n == 2) nanos = static_cast<std::int64_t>(v);
      }
    });
    if (!seen || seconds < 0 || nanos < 0 || seconds > 24 * 3600) return;
    out = std::chrono::milliseconds(seconds * 1000 + nanos / 1'000'000);
  });
  return ok ? out : std::nullopt;
}

std::string encode_request_proto(std::span<const span_data> spans) {
  std::string out;
  encode_request_proto(spans, out);
  return out;
}

std::string encode_request_proto(std::span<const span_data* const> spans) {
  std::string out;
  encode_request_proto(spans, out);
  return out;
}

}  // namespace vmterm::trace_otlp
