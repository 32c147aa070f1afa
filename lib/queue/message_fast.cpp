// The fast half of decode_message (see detail/message_decode.hpp for the contract): one pass
// over the envelope, string_views into it, no JSON tree for the envelope, headers or
// properties; the (small) body is built into JSON directly. Anything outside the plain shape
// gives up (nullopt) and the full decoder decides.

#include <array>
#include <cstdint>
#include <cstring>

#include "queue/detail/message_decode.hpp"

namespace vmterm::queue::detail {

namespace {

constexpr int max_depth = 32;

enum class kind : std::uint8_t { string, integer, boolean, null, object, array };

/// A scalar read in place, or a container's extent (validated, skipped).
struct value {
  kind k = kind::null;
  std::string_view text;    ///< string contents; a container's or number's source text
  std::int64_t number = 0;  ///< integer value
  bool negative = false;    ///< integer written with '-' (nlohmann: signed, else unsigned)
  bool flag = false;        ///< boolean value
};

class scanner {
 public:
  explicit scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  void ws() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool eat(char c) noexcept {
    ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  [[nodiscard]] bool at_end() noexcept {
    ws();
    return p_ == end_;
  }
  [[nodiscard]] const char* pos() const noexcept { return p_; }

  /// A string of printable ASCII without escapes; false on anything else.
  bool string(std::string_view& out) noexcept {
    ws();
    if (p_ >= end_ || *p_ != '"') return false;
    const char* s = ++p_;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(s, static_cast<std::size_t>(p_ - s));
        ++p_;
        return true;
      }
      if (c < 0x20 || c >= 0x7f || c == '\\') return false;
      ++p_;
    }
    return false;
  }

  /// One value: scalars read, containers validated and skipped (their text kept).
  bool read(value& v, int depth = 0) noexcept {
    ws();
    if (p_ >= end_ || depth > max_depth) return false;
    const char c = *p_;
    if (c == '"') {
      v.k = kind::string;
      return string(v.text);
    }
    if (c == '{' || c == '[') {
      const char* start = p_;
      if (!skip_container(depth)) return false;
      v.k = c == '{' ? kind::object : kind::array;
      v.text = std::string_view(start, static_cast<std::size_t>(p_ - start));
      return true;
    }
    if (c == 't') return word("true", kind::boolean, true, v);
    if (c == 'f') return word("false", kind::boolean, false, v);
    if (c == 'n') return word("null", kind::null, false, v);
    return integer(v);
  }

  /// Walks an object's members: fn(key, scanner&) must consume the value; false stops.
  template <class Fn>
  bool object(Fn&& fn) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    while (true) {
      std::string_view key;
      if (!string(key) || !eat(':')) return false;
      if (!fn(key)) return false;
      if (eat(',')) continue;
      return eat('}');
    }
  }

 private:
  bool word(std::string_view w, kind k, bool flag, value& v) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < w.size() || std::memcmp(p_, w.data(), w.size()) != 0)
      return false;
    p_ += w.size();
    v.k = k;
    v.flag = flag;
    return true;
  }

  /// -?(0|[1-9][0-9]*) of at most 18 digits, not followed by a fraction or exponent.
  bool integer(value& v) noexcept {
    const char* start = p_;
    bool neg = false;
    if (*p_ == '-') {
      neg = true;
      ++p_;
    }
    const char* d = p_;
    std::int64_t n = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      if (p_ - d < 18) n = n * 10 + (*p_ - '0');  // more digits are refused below: no overflow
      ++p_;
    }
    const auto digits = p_ - d;
    if (digits == 0 || digits > 18 || (digits > 1 && *d == '0') || (neg && n == 0)) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    v.k = kind::integer;
    v.number = neg ? -n : n;
    v.negative = neg;
    v.text = std::string_view(start, static_cast<std::size_t>(p_ - start));
    return true;
  }

  bool skip_container(int depth) noexcept {
    const char open = *p_++;
    const char close = open == '{' ? '}' : ']';
    if (eat(close)) return true;
    while (true) {
      if (open == '{') {
        std::string_view key;
        if (!string(key) || !eat(':')) return false;
      }
      value v;
      if (!read(v, depth + 1)) return false;
      if (eat(',')) continue;
      return eat(close);
    }
  }

  const char* p_;
  const char* end_;
};

/// The JSON nlohmann's parser would build for a scalar (non-negative integers unsigned).
json scalar_json(const value& v) {
  switch (v.k) {
    case kind::string:
      return json(std::string(v.text));
    case kind::integer:
      if (v.negative) return json(v.number);
      return json(static_cast<std::uint64_t>(v.number));
    case kind::boolean:
      return json(v.flag);
    default:
      return json(nullptr);
  }
}

/// Builds a JSON value from plain text (the body); false when outside the plain shape.
bool build(scanner& s, json& out, int depth = 0) {
  s.ws();
  if (depth > max_depth) return false;
  if (s.eat('[')) {
    out = json::array();
    if (s.eat(']')) return true;
    while (true) {
      json el;
      if (!build(s, el, depth + 1)) return false;
      out.push_back(std::move(el));
      if (s.eat(',')) continue;
      return s.eat(']');
    }
  }
  if (s.eat('{')) {
    out = json::object();
    if (s.eat('}')) return true;
    while (true) {
      std::string_view key;
      if (!s.string(key) || !s.eat(':')) return false;
      json el;
      if (!build(s, el, depth + 1)) return false;
      out[std::string(key)] = std::move(el);  // a repeated key: the last wins in place
      if (s.eat(',')) continue;
      return s.eat('}');
    }
  }
  value v;
  if (!s.read(v, depth) || v.k == kind::object || v.k == kind::array) return false;
  out = scalar_json(v);
  return true;
}

/// A small set of keys seen in one object (duplicate keys send the message to the full path).
class seen_keys {
 public:
  bool add(std::string_view k) {
    for (std::size_t i = 0; i < n_; ++i) {
      if (keys_[i] == k) return false;
    }
    if (n_ == keys_.size()) return false;  // unusually many keys: let the full path decide
    keys_[n_++] = k;
    return true;
  }

 private:
  std::array<std::string_view, 48> keys_{};
  std::size_t n_ = 0;
};

bool opt_string(const value& v, std::optional<std::string>& out) {
  if (v.k == kind::null) return true;
  if (v.k != kind::string) return false;
  out = std::string(v.text);
  return true;
}

bool small_int(const value& v, int& out) {
  if (v.k != kind::integer || v.number < INT32_MIN || v.number > INT32_MAX) return false;
  out = static_cast<int>(v.number);
  return true;
}

}  // namespace

std::optional<task_message> decode_message_fast(std::string_view envelope) {
  scanner s(envelope);
  task_message m;
  std::string_view body, body_encoding;
  bool have_body = false, have_type = false, have_headers = false, have_props = false;
  bool have_task = false, bad = false;
  seen_keys top;

  auto headers = [&](std::string_view k) -> bool {
    value v;
    if (!s.read(v)) return false;
    if (k == "lang") {
      if (v.k == kind::string) m.lang = std::string(v.text);
    } else if (k == "task" || k == "id") {
      if (v.k != kind::string || v.text.empty()) return false;
      (k == "task" ? m.task : m.id) = std::string(v.text);
      if (k == "task") have_task = true;
    } else if (k == "shadow") {
      return opt_string(v, m.shadow);
    } else if (k == "eta" || k == "expires") {
      if (v.k == kind::null) return true;
      if (v.k != kind::string) return false;
      auto t = parse_iso8601(v.text);
      if (!t) return false;
      (k == "eta" ? m.eta : m.expires) = *t;
    } else if (k == "group") {
      return opt_string(v, m.group);
    } else if (k == "group_index" || k == "retries") {
      if (v.k == kind::null) return true;
      if (v.k != kind::integer) return false;
      if (k == "retries") {
        m.retries = v.number;
      } else {
        m.group_index = v.number;
      }
    } else if (k == "timelimit") {
      if (v.k == kind::null) return true;
      if (v.k != kind::array) return false;
      scanner a(v.text);
      value hard, soft;
      if (!a.eat('[') || !a.read(hard) || !a.eat(',') || !a.read(soft) || !a.eat(']')) {
        return false;
      }
      for (const auto* x : {&hard, &soft}) {
        if (x->k != kind::null && x->k != kind::integer) return false;
      }
      if (hard.k == kind::integer) m.time_limit = static_cast<double>(hard.number);
      if (soft.k == kind::integer) m.soft_time_limit = static_cast<double>(soft.number);
    } else if (k == "root_id") {
      std::optional<std::string> r;
      if (!opt_string(v, r)) return false;
      m.root_id = r.value_or("");
    } else if (k == "parent_id") {
      return opt_string(v, m.parent_id);
    } else if (k == "argsrepr" || k == "kwargsrepr" || k == "origin") {
      if (v.k == kind::string) {
        (k == "argsrepr" ? m.argsrepr : (k == "kwargsrepr" ? m.kwargsrepr : m.origin)) =
            std::string(v.text);
      }
    } else if (k == "ignore_result") {
      if (v.k == kind::boolean) m.ignore_result = v.flag;
    } else {
      if (v.k == kind::object || v.k == kind::array) return false;
      if (v.k == kind::string) {
        if (k == "traceparent") m.traceparent = std::string(v.text);
        if (k == "tracestate") m.tracestate = std::string(v.text);
        if (k == "baggage") m.baggage = std::string(v.text);
      }
      if (k == "redelivered" && v.k == kind::boolean) m.redelivered = m.redelivered || v.flag;
      if (m.extra_headers.is_null()) m.extra_headers = json::object();
      m.extra_headers[std::string(k)] = scalar_json(v);
    }
    return true;
  };

  auto delivery_info = [&](std::string_view k) -> bool {
    value v;
    if (!s.read(v)) return false;
    if (k == "exchange" && v.k == kind::string) m.exchange = std::string(v.text);
    if (k == "routing_key" && v.k == kind::string) m.routing_key = std::string(v.text);
    if (k == "redelivered" && v.k == kind::boolean && v.flag) m.redelivered = true;
    return true;
  };

  auto properties = [&](std::string_view k) -> bool {
    if (k == "delivery_info") {
      s.ws();
      if (s.pos() < envelope.data() + envelope.size() && *s.pos() == '{') {
        seen_keys di;
        return s.object([&](std::string_view key) { return di.add(key) && delivery_info(key); });
      }
      value v;
      return s.read(v);  // not an object: ignored, as the full decoder does
    }
    value v;
    if (!s.read(v)) return false;
    if (k == "correlation_id" || k == "reply_to" || k == "delivery_tag") {
      if (v.k == kind::string) {
        (k == "correlation_id" ? m.correlation_id
                               : (k == "reply_to" ? m.reply_to : m.delivery_tag)) =
            std::string(v.text);
      }
    } else if (k == "delivery_mode" || k == "priority") {
      if (v.k == kind::integer && !small_int(v, k == "priority" ? m.priority : m.delivery_mode))
        return false;
    } else if (k == "expiration") {
      if (v.k == kind::string || v.k == kind::integer) m.expiration = std::string(v.text);
    } else if (k == "body_encoding") {
      if (v.k != kind::string) return false;
      body_encoding = v.text;
    } else {
      if (v.k == kind::object || v.k == kind::array) return false;
      if (m.extra_properties.is_null()) m.extra_properties = json::object();
      m.extra_properties[std::string(k)] = scalar_json(v);
    }
    return true;
  };

  const bool ok = s.object([&](std::string_view k) -> bool {
    if (!top.add(k)) return false;
    if (k == "headers" || k == "properties") {
      seen_keys inner;
      const bool h = k == "headers";
      (h ? have_headers : have_props) = true;
      return s.object([&](std::string_view key) {
        return inner.add(key) && (h ? headers(key) : properties(key));
      });
    }
    value v;
    if (!s.read(v)) return false;
    if (k == "body") {
      if (v.k != kind::string) return false;
      body = v.text;
      have_body = true;
    } else if (k == "content-type") {
      if (v.k != kind::string || v.text != "application/json") return false;
      have_type = true;
    } else if (k == "content-encoding") {
      if (v.k == kind::string) {
        if (v.text != "utf-8" && v.text != "utf8" && v.text != "UTF-8") bad = true;
        m.content_encoding = std::string(v.text);
      }
    }
    return true;  // other envelope keys are ignored, as the full decoder does
  });
  if (!ok || bad || !s.at_end() || !have_body || !have_type || !have_headers || !have_props ||
      !have_task || m.id.empty()) {
    return std::nullopt;
  }

  // ---- body
  std::optional<std::string> decoded;
  std::string_view body_text = body;
  if (body_encoding == "base64") {
    decoded = base64_decode(body);
    if (!decoded) return std::nullopt;
    body_text = *decoded;
  } else if (!body_encoding.empty()) {
    return std::nullopt;
  }
  json b;
  scanner bs(body_text);
  if (!build(bs, b) || !bs.at_end()) {
    b = json::parse(body_text.begin(), body_text.end(), nullptr, false);
    if (b.is_discarded()) return std::nullopt;
  }
  if (!b.is_array() || b.size() != 3 || !b[0].is_array() || !b[1].is_object() ||
      !(b[2].is_object() || b[2].is_null())) {
    return std::nullopt;
  }
  m.args = std::move(b[0]);
  m.kwargs = std::move(b[1]);
  m.embed = std::move(b[2]);
  return m;
}

namespace {

bool same_json(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    auto i = a.begin();
    auto j = b.begin();
    for (; i != a.end(); ++i, ++j) {
      if (i.key() != j.key() || !same_json(i.value(), j.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_json(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

bool same_message(const task_message& a, const task_message& b) {
  return a.lang == b.lang && a.task == b.task && a.id == b.id && a.shadow == b.shadow &&
         a.eta == b.eta && a.expires == b.expires && a.group == b.group &&
         a.group_index == b.group_index && a.retries == b.retries && a.time_limit == b.time_limit &&
         a.soft_time_limit == b.soft_time_limit && a.root_id == b.root_id &&
         a.parent_id == b.parent_id && a.argsrepr == b.argsrepr && a.kwargsrepr == b.kwargsrepr &&
         a.origin == b.origin && a.ignore_result == b.ignore_result &&
         a.traceparent == b.traceparent && a.tracestate == b.tracestate && a.baggage == b.baggage &&
         a.redelivered == b.redelivered && same_json(a.extra_headers, b.extra_headers) &&
         same_json(a.args, b.args) && same_json(a.kwargs, b.kwargs) &&
         same_json(a.embed, b.embed) && a.correlation_id == b.correlation_id &&
         a.reply_to == b.reply_to && a.delivery_mode == b.delivery_mode &&
         a.exchange == b.exchange && a.routing_key == b.routing_key && a.priority == b.priority &&
         a.expiration == b.expiration && a.delivery_tag == b.delivery_tag &&
         same_json(a.extra_properties, b.extra_properties) && a.content_type == b.content_type &&
         a.content_encoding == b.content_encoding;
}

std::optional<std::string_view> unacked_envelope(std::string_view entry) {
  scanner s(entry);
  if (!s.eat('[')) return std::nullopt;
  s.ws();
  const char* start = s.pos();
  value v;
  if (!s.read(v) || v.k != kind::object) return std::nullopt;
  const char* stop = s.pos();
  value ex, rk;
  if (!s.eat(',') || !s.read(ex) || !s.eat(',') || !s.read(rk) || !s.eat(']') || !s.at_end()) {
    return std::nullopt;
  }
  return std::string_view(start, static_cast<std::size_t>(stop - start));
}

}  // namespace vmterm::queue::detail
