#include "core/log_format.hpp"
#include "core/utf8.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <variant>

#include "core/redact.hpp"

namespace vmterm::log {
namespace {

constexpr std::array<std::string_view, 7> core_keys = {
    "timestamp", "level", "service", "message", "trace_id", "span_id", "request_id"};

bool is_core_key(std::string_view key) noexcept {
  for (const auto k : core_keys) {
    if (k == key) return true;
  }
  return false;
}

void append_json_string(std::string& out, std::string_view s) {
  constexpr std::string_view hex = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (u < 0x20 || u == 0x7F) {
      out.append("\\u00");
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xF]);
    } else if (u >= 0x80) {
      const std::size_t n = utf8::sequence_length(s, i);
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
        continue;
      }
      out.append(s.substr(i, n));
      i += n;
      continue;
    } else {
      out.push_back(c);
    }
    ++i;
  }
  out.push_back('"');
}

template <class T>
void append_number(std::string& out, T v) {
  std::array<char, 32> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), res.ptr);
}

/// Writes a field's value as JSON; strings are redacted unless the key is secret, in which case
/// the whole value is.
void append_json_value(std::string& out, const field& f) {
  if (is_secret_key(f.key)) {
    append_json_string(out, redacted);
    return;
  }
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          append_json_string(out, redact_text(v));
        } else if constexpr (std::is_same_v<T, bool>) {
          out.append(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) {
            append_number(out, v);
          } else {
            out.append("null");
          }
        } else {
          append_number(out, v);
        }
      },
      f.value);
}

void append_json_member(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(',');
  append_json_string(out, key);
  out.push_back(':');
  append_json_string(out, value);
}

bool needs_quotes(std::string_view v) noexcept {
  if (v.empty()) return true;
  for (const char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

void append_text_value(std::string& out, std::string_view v) {
  if (needs_quotes(v)) {
    append_json_string(out, v);
  } else {
    out.append(v);
  }
}

void append_text_pair(std::string& out, std::string_view key, std::string_view value) {
  out.push_back(' ');
  out.append(key);
  out.push_back('=');
  append_text_value(out, value);
}

std::string_view upper(level l) noexcept {
  switch (l) {
    case level::debug:
      return "DEBUG";
    case level::info:
      return "INFO";
    case level::warn:
      return "WARN";
    case level::error:
      return "ERROR";
  }
  return "INFO";
}

}  // namespace

std::string format_timestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(ms / 1000);
  auto milli = ms % 1000;
  if (milli < 0) {
    milli += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 40> buf{};
  const auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf.data(), n);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + milli / 100));
  out.push_back(static_cast<char>('0' + milli / 10 % 10));
  out.push_back(static_cast<char>('0' + milli % 10));
  out.push_back('Z');
  return out;
}

std::string format_json(const record& r) {
  std::string out;
  out.reserve(160 + r.message.size());
  out.append("{\"timestamp\":\"").append(format_timestamp(r.time)).append("\"");
  append_json_member(out, "level", to_string(r.lvl));
  append_json_member(out, "service", r.service);
  append_json_member(out, "message", redact_text(r.message));
  if (!r.trace_id.empty()) append_json_member(out, "trace_id", r.trace_id);
  if (!r.span_id.empty()) append_json_member(out, "span_id", r.span_id);
  if (!r.request_id.empty()) append_json_member(out, "request_id", r.request_id);
  for (const field& f : r.fields) {
    out.push_back(',');
    if (is_core_key(f.key)) {
      append_json_string(out, std::string("fields.").append(f.key));
    } else {
      append_json_string(out, f.key);
    }
    out.push_back(':');
    append_json_value(out, f);
  }
  out.append("}\n");
  return out;
}

std::string format_text(const record& r) {
  std::string out;
  out.reserve(120 + r.message.size());
  out.append(format_timestamp(r.time)).push_back(' ');
  out.append(upper(r.lvl)).push_back(' ');
  if (!r.service.empty()) out.append(r.service).append(": ");
  out.append(redact_text(r.message));
  if (!r.request_id.empty()) append_text_pair(out, "request_id", r.request_id);
  if (!r.trace_id.empty()) append_text_pair(out, "trace_id", r.trace_id);
  if (!r.span_id.empty()) append_text_pair(out, "span_id", r.span_id);
  for (const field& f : r.fields) {
    if (is_secret_key(f.key)) {
      append_text_pair(out, f.key, redacted);
      continue;
    }
    std::string value;
    std::visit(
        [&value](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            value = redact_text(v);
          } else if constexpr (std::is_same_v<T, bool>) {
            value = v ? "true" : "false";
          } else {
            append_number(value, v);
          }
        },
        f.value);
    append_text_pair(out, f.key, value);
  }
  out.push_back('\n');
  return out;
}

}  // namespace vmterm::log
