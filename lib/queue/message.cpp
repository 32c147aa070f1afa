#include "queue/message.hpp"

#include "queue/detail/message_decode.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

namespace vmterm::queue {

// ---------------------------------------------------------------- Python-style JSON

namespace {

/// Python's repr(float) ('r' format, float_repr_style 'short'): shortest round-trip digits,
/// fixed notation when -4 <= exponent < 16 (with ".0" when integral), else d[.ddd]e+XX.
void append_python_float(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";  // json.dumps(allow_nan=True)
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "Infinity" : "-Infinity";
    return;
  }
  std::array<char, 64> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific);
  std::string_view sci(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
  bool negative = false;
  if (!sci.empty() && sci.front() == '-') {
    negative = true;
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exponent);
  if (negative) out += '-';
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      auto int_len = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out.append(digits, 0, int_len);
        out += '.';
        out.append(digits, int_len);
      }
    } else {
      out += "0.";
      out.append(static_cast<std::size_t>(-exponent - 1), '0');
      out += digits;
    }
  } else {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int a = exponent < 0 ? -exponent : exponent;
    if (a < 10) out += '0';
    out += std::to_string(a);
  }
}

void append_json_string(std::string& out, const std::string& s) {
  // Fast path: printable ASCII without '"' or '\\' is written as is (task names, ids, base64).
  bool plain = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  // nlohmann's ensure_ascii escaping is Python's (lowercase \uXXXX, \u007f, surrogate pairs);
  // invalid UTF-8 becomes U+FFFD rather than throwing.
  out += json(s).dump(-1, ' ', true, json::error_handler_t::replace);
}

void append_python_json(std::string& out, const json& v) {
  switch (v.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        if (!first) out += ", ";
        first = false;
        append_json_string(out, k);
        out += ": ";
        append_python_json(out, x);
      }
      out += '}';
      break;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v) {
        if (!first) out += ", ";
        first = false;
        append_python_json(out, x);
      }
      out += ']';
      break;
    }
    case json::value_t::string:
      append_json_string(out, v.get_ref<const std::string&>());
      break;
    case json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case json::value_t::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      break;
    case json::value_t::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      break;
    case json::value_t::number_float:
      append_python_float(out, v.get<double>());
      break;
    default:
      out += "null";
      break;
  }
}

}  // namespace

std::string python_json(const json& value) {
  std::string out;
  append_python_json(out, value);
  return out;
}

// ---------------------------------------------------------------- saferepr

namespace {

/// Code points of a UTF-8 string, as Python's str sees them (invalid bytes count as one each).
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> cps;
  cps.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    if (c >= 0xf0 && c < 0xf8) {
      n = 4;
    } else if (c >= 0xe0) {
      n = 3;
    } else if (c >= 0xc0) {
      n = 2;
    }
    if (i + n > s.size()) n = 1;
    cps.push_back(s.substr(i, n));
    i += n;
  }
  return cps;
}

/// celery.utils.text.truncate(s, maxlen): cut at maxlen code points, then at the last space,
/// then "..." (also when len == maxlen).
std::string py_truncate(std::string_view s, std::optional<long> maxlen, std::size_t& length) {
  auto cps = code_points(s);
  if (maxlen && *maxlen != 0 && static_cast<long>(cps.size()) >= *maxlen) {
    std::string cut;
    std::size_t n = 0;
    long limit = *maxlen;
    if (limit < 0) limit = static_cast<long>(cps.size()) + limit;  // Python's negative slice
    if (limit < 0) limit = 0;
    std::vector<std::string_view> kept(
        cps.begin(), cps.begin() + std::min<long>(limit, static_cast<long>(cps.size())));
    // rsplit(' ', 1)[0]
    std::size_t end = kept.size();
    for (std::size_t i = kept.size(); i-- > 0;) {
      if (kept[i] == " ") {
        end = i;
        break;
      }
    }
    for (std::size_t i = 0; i < end; ++i) cut += kept[i];
    n = end + 3;
    cut += "...";
    length = n;
    return cut;
  }
  length = cps.size();
  return std::string(s);
}

std::string py_number(const json& v) {
  std::string out;
  switch (v.type()) {
    case json::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isnan(d)) return "nan";
      if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
      append_python_float(out, d);
      return out;
    }
    default:
      return "None";
  }
}

/// A faithful port of celery.utils.saferepr._saferepr/reprstream (Celery 5.2.6) for JSON
/// values: a depth-first token stream with a shrinking maxlen and maxlevels = 3.
class saferepr_stream {
 public:
  saferepr_stream(std::optional<long> maxlen, bool top_tuple)
      : maxlen_(maxlen), top_tuple_(top_tuple) {}

  std::string run(const json& root) {
    struct frame {
      const json* container;
      bool tuple;
      std::size_t index = 0;
      bool started = false;  ///< start literal emitted
      bool dict;
      // remaining steps: items, then the end literal
    };
    std::string out;
    // Tokens: we generate them lazily with an explicit stack, checking maxlen before each.
    std::vector<frame> stack;
    int level = 0;
    bool stopped = false;

    auto emit = [&](std::string_view val, std::size_t len) {
      out += val;
      if (maxlen_) *maxlen_ -= static_cast<long>(len);
    };
    auto check = [&]() -> bool {
      if (maxlen_ && *maxlen_ <= 0) {
        out += ", ...";
        stopped = true;
        return false;
      }
      return true;
    };
    // A value token (scalar, string, or container start).
    auto value = [&](const json& v, bool tuple) -> bool {
      if (v.is_array() || v.is_object()) {
        // Not a token itself: its start literal (or "[...]" past maxlevels) is.
        if (level >= 3) {
          if (!check()) return false;
          std::string s = v.is_object() ? "{" : (tuple ? "(" : "[");
          s += "...";
          s += v.is_object() ? "}" : (tuple ? (v.size() == 1 ? ",)" : ")") : "]");
          emit(s, s.size());
          return true;
        }
        stack.push_back(frame{&v, tuple, 0, false, v.is_object()});
        return true;
      }
      if (!check()) return false;
      if (v.is_string()) {
        std::size_t len = 0;
        auto t = py_truncate(v.get_ref<const std::string&>(), maxlen_, len);
        std::string q = "'";
        std::size_t extra = 2;
        for (char c : t) {
          if (c == '\'') {
            q += "\\'";
            ++extra;
          } else {
            q += c;
          }
        }
        q += '\'';
        emit(q, len + extra);
        return true;
      }
      std::size_t len = 0;
      auto s = py_truncate(py_number(v), maxlen_, len);
      emit(s, len);
      return true;
    };

    if (!value(root, top_tuple_)) return out;
    while (!stack.empty() && !stopped) {
      frame& f = stack.back();
      const json& c = *f.container;
      if (!f.started) {
        // the start literal is itself a token (checked against maxlen)
        if (!check()) break;
        f.started = true;
        ++level;
        std::string_view s = f.dict ? "{" : (f.tuple ? "(" : "[");
        emit(s, s.size());
        continue;
      }
      if (f.index < c.size()) {
        if (f.index > 0) {
          if (!check()) break;
          emit(", ", 2);
        }
        std::size_t i = f.index++;
        if (f.dict) {
          auto it = c.begin();
          std::advance(it, static_cast<long>(i));
          if (!check()) break;
          // key: a nested saferepr(key, maxlen) call
          std::size_t len = 0;
          auto t = py_truncate(it.key(), maxlen_, len);
          std::string q = "'";
          std::size_t extra = 2;
          for (char ch : t) {
            if (ch == '\'') {
              q += "\\'";
              ++extra;
            } else {
              q += ch;
            }
          }
          q += '\'';
          emit(q, len + extra);
          if (!check()) break;
          emit(": ", 2);
          if (!value(it.value(), false)) break;
        } else {
          if (!value(c[i], false)) break;
        }
        continue;
      }
      // end literal (dropped, with its frame, when it is the token that hits the limit)
      if (!check()) {
        stack.pop_back();
        break;
      }
      --level;
      std::string_view e = f.dict ? "}" : (f.tuple ? (c.size() == 1 ? ",)" : ")") : "]");
      emit(e, e.size());
      stack.pop_back();
    }
    if (stopped) {
      // The token that hit the limit is dropped; every still-open container is closed.
      // (kombu's stream yields the end literals left in every pending chain, including one
      // whose start literal was the dropped token.)
      for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        const json& c = *it->container;
        out += it->dict ? "}" : (it->tuple ? (c.size() == 1 ? ",)" : ")") : "]");
      }
    }
    return out;
  }

 private:
  std::optional<long> maxlen_;
  bool top_tuple_;
};

}  // namespace

std::string python_repr(const json& value, bool as_tuple, std::size_t max_size) {
  std::optional<long> maxlen;
  if (max_size != 0) maxlen = static_cast<long>(max_size);
  return saferepr_stream(maxlen, as_tuple && value.is_array()).run(value);
}

// ---------------------------------------------------------------- time

namespace {

bool digits_at(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

expected<timestamp> parse_iso8601(std::string_view text) {
  auto bad = [&] {
    return fail(
        std::errc::invalid_argument,
        "time '" + std::string(text) + "' is not ISO-8601 (2026-11-21T09:34:23.588312+00:00)");
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits_at(text, 0, 4, y) || text.size() < 19 || text[4] != '-' ||
      !digits_at(text, 5, 2, mo) || text[7] != '-' || !digits_at(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != ' ') || !digits_at(text, 11, 2, h) || text[13] != ':' ||
      !digits_at(text, 14, 2, mi) || text[16] != ':' || !digits_at(text, 17, 2, s)) {
    return bad();
  }
  std::size_t pos = 19;
  long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    long scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 6) {
        micros += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++n;
      ++pos;
    }
    if (n == 0) return bad();
  }
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
      ++pos;
    } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() &&
               text[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!digits_at(text, pos + 1, 2, oh) || !digits_at(text, pos + 4, 2, om) || oh > 23 ||
          om > 59) {
        return bad();
      }
      offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
      pos = text.size();
    } else {
      return bad();
    }
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return bad();
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) + microseconds(micros) -
           minutes(offset_minutes);
  return timestamp(duration_cast<microseconds>(t.time_since_epoch()));
}

std::string format_iso8601(timestamp t, bool offset) {
  using namespace std::chrono;
  auto days = floor<std::chrono::days>(t);
  year_month_day ymd{days};
  auto rest = t - days;
  auto h = duration_cast<hours>(rest);
  rest -= h;
  auto m = duration_cast<minutes>(rest);
  rest -= m;
  auto s = duration_cast<seconds>(rest);
  rest -= s;
  auto us = rest.count();
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                        int(s.count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (us != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06ld", static_cast<long>(us));
    out.append(buf, static_cast<std::size_t>(n));
  }
  if (offset) out += "+00:00";
  return out;
}

// ---------------------------------------------------------------- priorities, ids, base64

int priority_step(int priority) noexcept {
  int p = priority < 0 ? 0 : (priority > 9 ? 9 : priority);
  int step = 0;
  for (int s : priority_steps) {
    if (s <= p) step = s;
  }
  return step;
}

std::string bucket_key(std::string_view queue, int priority) {
  int step = priority_step(priority);
  std::string k(queue);
  if (step != 0) {
    k += priority_separator;
    k += std::to_string(step);
  }
  return k;
}

std::vector<std::string> bucket_keys(const std::vector<std::string>& queues) {
  std::vector<std::string> keys;
  keys.reserve(queues.size() * 4);
  for (int step : priority_steps) {
    for (const auto& q : queues) keys.push_back(bucket_key(q, step));
  }
  return keys;
}

std::string uuid4() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    std::mt19937_64 g(seq);
    return g;
  }()};
  std::array<std::uint8_t, 16> b{};
  std::uint64_t a = rng(), c = rng();
  std::memcpy(b.data(), &a, 8);
  std::memcpy(b.data() + 8, &c, 8);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return format_uuid(b);
}

std::string format_uuid(const std::array<std::uint8_t, 16>& b) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0x0f];
  }
  return out;
}

std::optional<std::array<std::uint8_t, 16>> parse_uuid(std::string_view s) {
  auto nibble = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (s.size() != 36) return std::nullopt;
  std::array<std::uint8_t, 16> out{};
  std::size_t j = 0;
  for (std::size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[j++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                      (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    std::uint32_t v =
        (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;  // MIME line breaks, as b64decode drops them
    clean += c;
  }
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(clean.size() / 4 * 3);
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      char c = clean[i + static_cast<std::size_t>(j)];
      if (c == '=') {
        if (i + 4 != clean.size() || j < 2) return std::nullopt;
        v[j] = 0;
        ++pad;
      } else {
        if (pad != 0) return std::nullopt;
        v[j] = val(c);
        if (v[j] < 0) return std::nullopt;
      }
    }
    std::uint32_t n = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) |
                      (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

// ---------------------------------------------------------------- decode

std::string_view to_string(poison_kind k) noexcept {
  switch (k) {
    case poison_kind::not_json:
      return "not_json";
    case poison_kind::bad_envelope:
      return "bad_envelope";
    case poison_kind::unsupported_content:
      return "unsupported_content";
    case poison_kind::bad_base64:
      return "bad_base64";
    case poison_kind::bad_body:
      return "bad_body";
    case poison_kind::not_v2:
      return "not_v2";
    case poison_kind::bad_header:
      return "bad_header";
    case poison_kind::unknown_task:
      return "unknown_task";
  }
  return "unknown";
}

namespace {

constexpr std::array<std::string_view, 4> trailing_headers = {"traceparent", "tracestate",
                                                              "baggage", "redelivered"};
constexpr std::array<std::string_view, 9> known_properties = {
    "correlation_id", "reply_to",      "delivery_mode", "expiration",  "delivery_info",
    "priority",       "body_encoding", "delivery_tag",  "content_type"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view k) {
  for (auto s : set) {
    if (s == k) return true;
  }
  return false;
}

tl::unexpected<poison> poisoned(poison_kind k, std::string reason) {
  return tl::unexpected<poison>(poison{k, std::move(reason)});
}

std::string_view serializer_name(std::string_view ct) {
  if (ct == "application/x-python-serialize") return "pickle";
  if (ct == "application/x-yaml" || ct == "application/yaml") return "yaml";
  if (ct == "application/x-msgpack" || ct == "application/msgpack") return "msgpack";
  return {};
}

}  // namespace

tl::expected<task_message, poison> detail::decode_message_full(std::string_view envelope) {
  json env = json::parse(envelope.begin(), envelope.end(), nullptr, false);
  if (env.is_discarded() || !env.is_object()) {
    return poisoned(
        poison_kind::not_json,
        std::string("message is not a JSON object") +
            (env.is_discarded() ? "" : " (a JSON " + std::string(env.type_name()) + ")") +
            "; only kombu's JSON envelope can be consumed (send with Celery or "
            "vmterm-worker call)");
  }
  task_message m;
  const json* headers = nullptr;
  const json* props = nullptr;
  if (auto it = env.find("headers"); it != env.end() && it->is_object()) headers = &*it;
  if (auto it = env.find("properties"); it != env.end() && it->is_object()) props = &*it;

  // A name for messages: the task id, else the delivery tag.
  std::string who = "message";
  if (headers != nullptr) {
    if (auto it = headers->find("id"); it != headers->end() && it->is_string()) {
      who += " " + it->get<std::string>();
    }
  }
  if (who == "message" && props != nullptr) {
    if (auto it = props->find("delivery_tag"); it != props->end() && it->is_string()) {
      who += " (delivery tag " + it->get<std::string>() + ")";
    }
  }

  auto body_it = env.find("body");
  if (body_it == env.end() || !body_it->is_string()) {
    return poisoned(poison_kind::bad_envelope,
                    who + ": the envelope has no string 'body'; not a kombu message");
  }
  if (props == nullptr) {
    return poisoned(poison_kind::bad_envelope,
                    who + ": the envelope has no 'properties' object; not a kombu message");
  }
  if (auto it = env.find("content-type"); it != env.end()) {
    if (!it->is_string()) {
      return poisoned(poison_kind::bad_envelope, who + ": 'content-type' is not a string");
    }
    m.content_type = it->get<std::string>();
  } else {
    return poisoned(poison_kind::bad_envelope,
                    who + ": the envelope has no 'content-type'; not a kombu message");
  }
  if (m.content_type != "application/json") {
    auto ser = serializer_name(m.content_type);
    return poisoned(poison_kind::unsupported_content,
                    who + ": content-type '" + m.content_type + "'" +
                        (ser.empty() ? "" : " (" + std::string(ser) + ")") +
                        " is not accepted; vmterm-worker accepts JSON only (set "
                        "task_serializer='json' in the producer)");
  }
  if (auto it = env.find("content-encoding"); it != env.end() && it->is_string()) {
    m.content_encoding = it->get<std::string>();
  }
  if (m.content_encoding != "utf-8" && m.content_encoding != "utf8" &&
      m.content_encoding != "UTF-8") {
    return poisoned(poison_kind::unsupported_content,
                    who + ": content-encoding '" + m.content_encoding +
                        "' is not accepted; JSON messages are utf-8");
  }

  // ---- properties
  std::string body_encoding;
  for (const auto& [k, v] : props->items()) {
    if (k == "correlation_id") {
      if (v.is_string()) m.correlation_id = v.get<std::string>();
    } else if (k == "reply_to") {
      if (v.is_string()) m.reply_to = v.get<std::string>();
    } else if (k == "delivery_mode") {
      if (v.is_number_integer()) m.delivery_mode = v.get<int>();
    } else if (k == "expiration") {
      if (v.is_string()) {
        m.expiration = v.get<std::string>();
      } else if (v.is_number()) {
        m.expiration = v.dump();
      }
    } else if (k == "delivery_info") {
      if (v.is_object()) {
        if (auto e = v.find("exchange"); e != v.end() && e->is_string()) m.exchange = *e;
        if (auto r = v.find("routing_key"); r != v.end() && r->is_string()) m.routing_key = *r;
        if (auto r = v.find("redelivered"); r != v.end() && r->is_boolean() && r->get<bool>()) {
          m.redelivered = true;
        }
      }
    } else if (k == "priority") {
      if (v.is_number_integer()) m.priority = v.get<int>();
    } else if (k == "body_encoding") {
      if (!v.is_string()) {
        return poisoned(poison_kind::bad_envelope, who + ": 'body_encoding' is not a string");
      }
      body_encoding = v.get<std::string>();
    } else if (k == "delivery_tag") {
      if (v.is_string()) m.delivery_tag = v.get<std::string>();
    } else {
      if (m.extra_properties.is_null()) m.extra_properties = json::object();
      m.extra_properties[k] = v;
    }
  }

  // ---- body
  std::string body;
  const auto& body_text = body_it->get_ref<const std::string&>();
  if (body_encoding == "base64") {
    auto decoded = base64_decode(body_text);
    if (!decoded) {
      return poisoned(poison_kind::bad_base64,
                      who +
                          ": body_encoding is base64 but the body is not valid base64; the "
                          "producer must base64-encode the JSON body");
    }
    body = std::move(*decoded);
  } else if (body_encoding.empty()) {
    body = body_text;
  } else {
    return poisoned(poison_kind::bad_envelope,
                    who + ": body_encoding '" + body_encoding +
                        "' is not supported (kombu's Redis transport writes base64)");
  }
  json b = json::parse(body, nullptr, false);
  if (b.is_discarded()) {
    return poisoned(poison_kind::bad_body, who +
                                               ": the body is not valid JSON; the producer must "
                                               "serialize [args, kwargs, embed] as JSON");
  }
  bool has_task_header = headers != nullptr && headers->contains("task");
  if (!has_task_header) {
    if (b.is_object() && b.contains("task")) {
      return poisoned(poison_kind::not_v2,
                      who +
                          ": Celery message protocol v1 (task name in the body, no 'task' "
                          "header); vmterm-worker reads protocol v2, Celery's default since "
                          "4.0 (set task_protocol=2)");
    }
    return poisoned(poison_kind::not_v2,
                    who + ": no 'task' header, so not a Celery protocol v2 task message");
  }
  if (!b.is_array() || b.size() != 3 || !b[0].is_array() || !b[1].is_object() ||
      !(b[2].is_object() || b[2].is_null())) {
    return poisoned(poison_kind::bad_body,
                    who +
                        ": the body is not the protocol v2 [args (list), kwargs (object), "
                        "embed (object)]");
  }
  m.args = std::move(b[0]);
  m.kwargs = std::move(b[1]);
  m.embed = std::move(b[2]);

  // ---- headers
  auto bad_header = [&](std::string_view key, std::string_view want) {
    return poisoned(poison_kind::bad_header,
                    who + ": header '" + std::string(key) + "' is not " + std::string(want));
  };
  auto opt_string = [&](const json& v, std::optional<std::string>& out) -> bool {
    if (v.is_null()) return true;
    if (!v.is_string()) return false;
    out = v.get<std::string>();
    return true;
  };
  for (const auto& [k, v] : headers->items()) {
    if (k == "lang") {
      if (v.is_string()) m.lang = v.get<std::string>();
    } else if (k == "task") {
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        return bad_header(k, "a non-empty string (the task name)");
      }
      m.task = v.get<std::string>();
    } else if (k == "id") {
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        return bad_header(k, "a non-empty string (the task id)");
      }
      m.id = v.get<std::string>();
    } else if (k == "shadow") {
      if (!opt_string(v, m.shadow)) return bad_header(k, "a string or null");
    } else if (k == "eta" || k == "expires") {
      if (v.is_null()) continue;
      if (!v.is_string()) return bad_header(k, "an ISO-8601 time string or null");
      auto t = parse_iso8601(v.get_ref<const std::string&>());
      if (!t) {
        return poisoned(poison_kind::bad_header,
                        who + ": header '" + k + "': " + t.error().message);
      }
      (k == "eta" ? m.eta : m.expires) = *t;
    } else if (k == "group") {
      if (!opt_string(v, m.group)) return bad_header(k, "a string or null");
    } else if (k == "group_index") {
      if (v.is_null()) continue;
      if (!v.is_number_integer()) return bad_header(k, "an integer or null");
      m.group_index = v.get<std::int64_t>();
    } else if (k == "retries") {
      if (v.is_null()) continue;
      if (!v.is_number_integer()) return bad_header(k, "an integer");
      m.retries = v.get<std::int64_t>();
    } else if (k == "timelimit") {
      if (v.is_null()) continue;
      if (!v.is_array() || v.size() != 2 || !(v[0].is_null() || v[0].is_number()) ||
          !(v[1].is_null() || v[1].is_number())) {
        return bad_header(k, "[hard, soft] (numbers or null)");
      }
      if (v[0].is_number()) m.time_limit = v[0].get<double>();
      if (v[1].is_number()) m.soft_time_limit = v[1].get<double>();
    } else if (k == "root_id") {
      std::optional<std::string> r;
      if (!opt_string(v, r)) return bad_header(k, "a string or null");
      m.root_id = r.value_or("");
    } else if (k == "parent_id") {
      if (!opt_string(v, m.parent_id)) return bad_header(k, "a string or null");
    } else if (k == "argsrepr" || k == "kwargsrepr") {
      if (v.is_string()) (k == "argsrepr" ? m.argsrepr : m.kwargsrepr) = v.get<std::string>();
    } else if (k == "origin") {
      if (v.is_string()) m.origin = v.get<std::string>();
    } else if (k == "ignore_result") {
      if (v.is_boolean()) m.ignore_result = v.get<bool>();
    } else {
      // traceparent/tracestate/baggage/redelivered also fill their fields; they stay in
      // extra_headers too, so encode_message writes them back at the same place.
      if (k == "traceparent" && v.is_string()) m.traceparent = v.get<std::string>();
      if (k == "tracestate" && v.is_string()) m.tracestate = v.get<std::string>();
      if (k == "baggage" && v.is_string()) m.baggage = v.get<std::string>();
      if (k == "redelivered" && v.is_boolean()) m.redelivered = m.redelivered || v.get<bool>();
      if (m.extra_headers.is_null()) m.extra_headers = json::object();
      m.extra_headers[k] = v;
    }
  }
  if (m.id.empty()) {
    return poisoned(poison_kind::bad_header, who + ": header 'id' is missing (the task id)");
  }
  return m;
}

tl::expected<task_message, poison> decode_message(std::string_view envelope) {
  if (auto m = detail::decode_message_fast(envelope)) return std::move(*m);
  return detail::decode_message_full(envelope);
}

// ---------------------------------------------------------------- encode

namespace {

json limit_value(const std::optional<double>& v) {
  if (!v) return nullptr;
  double d = *v;
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
    return static_cast<std::int64_t>(d);
  }
  return d;
}

json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

}  // namespace

std::string encode_body(const task_message& m) {
  json embed = m.embed;
  if (embed.is_null()) {
    embed = json::object();
    embed["callbacks"] = nullptr;
    embed["errbacks"] = nullptr;
    embed["chain"] = nullptr;
    embed["chord"] = nullptr;
  }
  json body = json::array();
  body.push_back(m.args.is_null() ? json::array() : m.args);
  body.push_back(m.kwargs.is_null() ? json::object() : m.kwargs);
  body.push_back(std::move(embed));
  return python_json(body);
}

namespace {

void append_key(std::string& out, std::string_view k) {
  out += ", \"";
  out += k;
  out += "\": ";
}
void append_str(std::string& out, std::string_view k, const std::string& v) {
  append_key(out, k);
  append_json_string(out, v);
}
void append_opt(std::string& out, std::string_view k, const std::optional<std::string>& v) {
  append_key(out, k);
  if (v) {
    append_json_string(out, *v);
  } else {
    out += "null";
  }
}
void append_time(std::string& out, std::string_view k, const std::optional<timestamp>& t) {
  append_key(out, k);
  if (t) {
    out += '"';
    out += format_iso8601(*t);
    out += '"';
  } else {
    out += "null";
  }
}
/// limit_value as python_json writes it.
void append_limit(std::string& out, const std::optional<double>& v) {
  if (!v) {
    out += "null";
    return;
  }
  const double d = *v;
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
    out += std::to_string(static_cast<std::int64_t>(d));
  } else {
    append_python_float(out, d);
  }
}

}  // namespace

std::string encode_message(const task_message& m) {
  // The direct path, for every message without extra headers or properties (what call, --bulk,
  // beat and retries send): the envelope written straight into one string, in the order and
  // form the tree below gives (unit_queue compares the two on every fixture and option).
  if ((m.extra_headers.is_object() && !m.extra_headers.empty()) ||
      (m.extra_properties.is_object() && !m.extra_properties.empty())) {
    return detail::encode_message_tree(m);
  }
  const std::string body = base64_encode(encode_body(m));
  std::string out;
  out.reserve(body.size() + 1024 + m.argsrepr.size() + m.kwargsrepr.size());
  out += "{\"body\": \"";
  out += body;  // base64: nothing to escape
  out += '"';
  append_str(out, "content-encoding", m.content_encoding);
  append_str(out, "content-type", m.content_type);
  out += ", \"headers\": {\"lang\": ";
  append_json_string(out, m.lang);
  append_str(out, "task", m.task);
  append_str(out, "id", m.id);
  append_opt(out, "shadow", m.shadow);
  append_time(out, "eta", m.eta);
  append_time(out, "expires", m.expires);
  append_opt(out, "group", m.group);
  append_key(out, "group_index");
  out += m.group_index ? std::to_string(*m.group_index) : std::string("null");
  append_key(out, "retries");
  out += std::to_string(m.retries);
  append_key(out, "timelimit");
  out += '[';
  append_limit(out, m.time_limit);
  out += ", ";
  append_limit(out, m.soft_time_limit);
  out += ']';
  append_str(out, "root_id", m.root_id.empty() ? m.id : m.root_id);
  append_opt(out, "parent_id", m.parent_id);
  append_str(out, "argsrepr", m.argsrepr.empty() ? python_repr(m.args, true) : m.argsrepr);
  append_str(out, "kwargsrepr", m.kwargsrepr.empty() ? python_repr(m.kwargs) : m.kwargsrepr);
  append_str(out, "origin", m.origin);
  append_key(out, "ignore_result");
  out += m.ignore_result ? "true" : "false";
  if (!m.traceparent.empty()) append_str(out, "traceparent", m.traceparent);
  if (!m.tracestate.empty()) append_str(out, "tracestate", m.tracestate);
  if (!m.baggage.empty()) append_str(out, "baggage", m.baggage);
  if (m.redelivered) out += ", \"redelivered\": true";
  out += "}, \"properties\": {\"correlation_id\": ";
  append_json_string(out, m.correlation_id.empty() ? m.id : m.correlation_id);
  append_str(out, "reply_to", m.reply_to.empty() ? uuid4() : m.reply_to);
  append_key(out, "delivery_mode");
  out += std::to_string(m.delivery_mode);
  if (m.expiration) append_str(out, "expiration", *m.expiration);
  out += ", \"delivery_info\": {\"exchange\": ";
  append_json_string(out, m.exchange);
  append_str(out, "routing_key", m.routing_key);
  if (m.redelivered) out += ", \"redelivered\": true";
  out += '}';
  append_key(out, "priority");
  out += std::to_string(m.priority);
  out += ", \"body_encoding\": \"base64\"";
  append_str(out, "delivery_tag", m.delivery_tag.empty() ? uuid4() : m.delivery_tag);
  out += "}}";
  return out;
}

std::string detail::encode_message_tree(const task_message& m) {
  json h = json::object();
  h["lang"] = m.lang;
  h["task"] = m.task;
  h["id"] = m.id;
  h["shadow"] = opt(m.shadow);
  h["eta"] = m.eta ? json(format_iso8601(*m.eta)) : json(nullptr);
  h["expires"] = m.expires ? json(format_iso8601(*m.expires)) : json(nullptr);
  h["group"] = opt(m.group);
  h["group_index"] = m.group_index ? json(*m.group_index) : json(nullptr);
  h["retries"] = m.retries;
  h["timelimit"] = json::array({limit_value(m.time_limit), limit_value(m.soft_time_limit)});
  h["root_id"] = m.root_id.empty() ? m.id : m.root_id;
  h["parent_id"] = opt(m.parent_id);
  h["argsrepr"] = m.argsrepr.empty() ? python_repr(m.args, true) : m.argsrepr;
  h["kwargsrepr"] = m.kwargsrepr.empty() ? python_repr(m.kwargs) : m.kwargsrepr;
  h["origin"] = m.origin;
  h["ignore_result"] = m.ignore_result;
  // Extra headers in order; the four with typed fields are written from the field, at the
  // extra's place when it has one (a decoded message), else appended (as inject() appends).
  auto put_trailing = [&](std::string_view k) {
    if (k == "traceparent" && !m.traceparent.empty()) h["traceparent"] = m.traceparent;
    if (k == "tracestate" && !m.tracestate.empty()) h["tracestate"] = m.tracestate;
    if (k == "baggage" && !m.baggage.empty()) h["baggage"] = m.baggage;
    if (k == "redelivered" && m.redelivered) h["redelivered"] = true;
  };
  if (m.extra_headers.is_object()) {
    for (const auto& [k, v] : m.extra_headers.items()) {
      if (in(trailing_headers, k)) {
        put_trailing(k);
      } else if (!h.contains(k)) {
        h[k] = v;
      }
    }
  }
  for (auto k : trailing_headers) {
    if (!h.contains(k)) put_trailing(k);
  }

  json p = json::object();
  p["correlation_id"] = m.correlation_id.empty() ? m.id : m.correlation_id;
  p["reply_to"] = m.reply_to.empty() ? uuid4() : m.reply_to;
  if (m.extra_properties.is_object()) {
    for (const auto& [k, v] : m.extra_properties.items()) {
      if (!in(known_properties, k)) p[k] = v;
    }
  }
  p["delivery_mode"] = m.delivery_mode;
  if (m.expiration) p["expiration"] = *m.expiration;
  json di = json::object();
  di["exchange"] = m.exchange;
  di["routing_key"] = m.routing_key;
  if (m.redelivered) di["redelivered"] = true;
  p["delivery_info"] = std::move(di);
  p["priority"] = m.priority;
  p["body_encoding"] = "base64";
  p["delivery_tag"] = m.delivery_tag.empty() ? uuid4() : m.delivery_tag;

  json env = json::object();
  env["body"] = base64_encode(encode_body(m));
  env["content-encoding"] = m.content_encoding;
  env["content-type"] = m.content_type;
  env["headers"] = std::move(h);
  env["properties"] = std::move(p);
  return python_json(env);
}

expected<std::string> mark_redelivered(std::string_view envelope) {
  json env = json::parse(envelope.begin(), envelope.end(), nullptr, false);
  if (env.is_discarded() || !env.is_object()) {
    return fail(std::errc::invalid_argument,
                "message is not a JSON object; cannot mark it redelivered");
  }
  // kombu: payload['headers']['redelivered'] = True;
  //        payload['properties']['delivery_info']['redelivered'] = True  (KeyError -> stop)
  auto h = env.find("headers");
  if (h != env.end() && h->is_object()) {
    (*h)["redelivered"] = true;
    auto p = env.find("properties");
    if (p != env.end() && p->is_object()) {
      auto di = p->find("delivery_info");
      if (di != p->end() && di->is_object()) (*di)["redelivered"] = true;
    }
  }
  return python_json(env);
}

std::string dead_letter_envelope(std::string_view raw, std::string_view queue,
                                 std::string_view reason, std::string_view worker, timestamp at) {
  json env = json::parse(raw.begin(), raw.end(), nullptr, false);
  if (env.is_discarded() || !env.is_object()) {
    json w = json::object();
    w["body"] = base64_encode(raw);
    w["content-encoding"] = "binary";
    w["content-type"] = "application/x-vmterm-undecodable";
    w["headers"] = json::object();
    json p = json::object();
    p["body_encoding"] = "base64";
    json di = json::object();
    di["exchange"] = "";
    di["routing_key"] = std::string(queue);
    p["delivery_info"] = std::move(di);
    w["properties"] = std::move(p);
    env = std::move(w);
  }
  if (!env.contains("headers") || !env["headers"].is_object()) env["headers"] = json::object();
  auto& h = env["headers"];
  h["x-vmterm-dead-reason"] = std::string(reason);
  h["x-vmterm-dead-at"] = format_iso8601(at);
  h["x-vmterm-dead-worker"] = std::string(worker);
  return python_json(env);
}

}  // namespace vmterm::queue
