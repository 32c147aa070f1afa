#include "metrics/exposition.hpp"
#include "core/utf8.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace vmterm::metrics {
namespace {

void append_value_impl(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  std::array<char, 64> buf{};
  std::to_chars_result res{};
  // Integers up to 2^53 are exact in a double; print them plainly, never as 1e+06.
  if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0) {
    res = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<std::int64_t>(v));
  } else {
    res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  }
  out.append(buf.data(), res.ptr);
}

/// Escapes for HELP (`quote` false) or a label value (`quote` true). Prometheus requires
/// UTF-8, so an invalid byte (e.g. from a request path) becomes U+FFFD rather than spoiling
/// the whole scrape.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t n = utf8::sequence_length(text, i);
      if (n == 0) {
        out.append(utf8::replacement);
      } else {
        out.append(text.substr(i, n));
        i += n - 1;
      }
    } else if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (quote && c == '"') {
      out.append("\\\"");
    } else {
      out.push_back(c);
    }
  }
}

void append_sample(std::string& out, const sample& s) {
  out.append(s.name);
  if (!s.labels.empty()) {
    out.push_back('{');
    bool first = true;
    for (const auto& [name, value] : s.labels) {
      if (!first) out.push_back(',');
      first = false;
      out.append(name).append("=\"");
      append_escaped(out, value, true);
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  append_value_impl(out, s.value);
  out.push_back('\n');
}

}  // namespace

void append_value(std::string& out, double v) { append_value_impl(out, v); }
void append_escaped_help(std::string& out, std::string_view help) {
  append_escaped(out, help, false);
}
void append_escaped_label_value(std::string& out, std::string_view value) {
  append_escaped(out, value, true);
}

std::string format_value(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  append_escaped(out, help, false);
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  append_escaped(out, value, true);
  return out;
}

void write_text(std::string& out, std::span<const family_snapshot> families) {
  for (const family_snapshot& f : families) {
    if (f.samples.empty()) continue;
    out.append("# HELP ").append(f.name).push_back(' ');
    append_escaped(out, f.help, false);
    out.append("\n# TYPE ").append(f.name).push_back(' ');
    out.append(to_string(f.type)).push_back('\n');
    for (const sample& s : f.samples) append_sample(out, s);
  }
}

std::string to_text(std::span<const family_snapshot> families) {
  std::string out;
  write_text(out, families);
  return out;
}

}  // namespace vmterm::metrics
