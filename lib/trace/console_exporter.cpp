#include "trace/console_exporter.hpp"

#include <cstdio>
#include <iostream>
#include <variant>

namespace vmterm::trace {
namespace {

template <class T>
void append_scalar(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    out += '"';
    out += v;
    out += '"';
  } else if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, double>) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    out += buf;
  } else {
    out += std::to_string(v);
  }
}

void append_value(std::string& out, const attribute_value& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>> ||
                      std::is_same_v<T, std::vector<bool>> ||
                      std::is_same_v<T, std::vector<std::int64_t>> ||
                      std::is_same_v<T, std::vector<double>>) {
          out += '[';
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i != 0) out += ", ";
            append_scalar(out, static_cast<typename T::value_type>(v[i]));
          }
          out += ']';
        } else {
          append_scalar(out, v);
        }
      },
      value);
}

void append_attrs(std::string& out, const attributes& attrs, std::string_view indent) {
  for (const auto& a : attrs) {
    out += indent;
    out += a.key;
    out += '=';
    append_value(out, a.value);
    out += '\n';
  }
}

}  // namespace

std::string format_span(const span_data& s) {
  std::string out = "span " + s.name + " " + std::string(to_string(s.kind)) +
                    " trace=" + s.trace.hex() + " span=" + s.span.hex();
  if (s.parent.valid()) out += " parent=" + s.parent.hex();
  const std::uint64_t ns =
      s.end_unix_nano >= s.start_unix_nano ? s.end_unix_nano - s.start_unix_nano : 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, " %.3fms", static_cast<double>(ns) / 1e6);
  out += buf;
  if (s.status.code == status_code::ok) out += " status=ok";
  if (s.status.code == status_code::error) {
    out += " status=error";
    if (!s.status.message.empty()) out += ": " + s.status.message;
  }
  out += '\n';
  append_attrs(out, s.attrs, "  ");
  for (const auto& e : s.events) {
    std::snprintf(buf, sizeof buf, " +%.3fms",
                  static_cast<double>(e.time_unix_nano - s.start_unix_nano) / 1e6);
    out += "  event " + e.name + buf + '\n';
    append_attrs(out, e.attrs, "    ");
  }
  for (const auto& l : s.links) {
    out += "  link trace=" + l.context.trace.hex() + " span=" + l.context.span.hex() + '\n';
    append_attrs(out, l.attrs, "    ");
  }
  return out;
}

console_exporter::console_exporter(std::ostream* out) noexcept
    : out_(out != nullptr ? out : &std::cerr) {}

export_result console_exporter::export_spans(std::span<const span_data> spans) noexcept {
  if (shut_down_) return export_result::failure;
  try {
    std::string text;
    for (const auto& s : spans) text += format_span(s);
    out_->write(text.data(), static_cast<std::streamsize>(text.size()));
    return out_->good() ? export_result::success : export_result::failure;
  } catch (...) {
    return export_result::failure;
  }
}

bool console_exporter::force_flush(std::chrono::milliseconds) noexcept {
  try {
    out_->flush();
  } catch (...) {
    return false;
  }
  return true;
}

void console_exporter::shutdown(std::chrono::milliseconds timeout) noexcept {
  if (shut_down_) return;
  (void)force_flush(timeout);
  shut_down_ = true;
}

}  // namespace vmterm::trace
