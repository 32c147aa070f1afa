#include "health/range.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace vmterm::health {

namespace {

constexpr std::string_view hint =
    "use seconds like 0.5, or a range like 10:20, ~:2s, 100ms: or @1:2 (units ms or s)";

error bad(std::string reason) {
  return error{std::make_error_code(std::errc::invalid_argument),
               reason + "; " + std::string(hint)};
}

/// One bound: an optional sign, digits with an optional fraction, an optional unit.
expected<double> parse_bound(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  double scale = 1;
  std::string_view number = text;
  if (number.ends_with("ms")) {
    scale = 0.001;
    number.remove_suffix(2);
  } else if (number.ends_with("s")) {
    number.remove_suffix(1);
  }
  bool digits = false;
  for (std::size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (!(c == '.' || ((c == '-' || c == '+') && i == 0))) {
      digits = false;
      break;
    }
  }
  if (!digits) return tl::unexpected(bad(quoted + " is not a number"));
  if (number.front() == '+') number.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size()) {
    return tl::unexpected(bad(quoted + " is not a number"));
  }
  return value * scale;
}

}  // namespace

expected<range> parse_range(std::string_view text) {
  range r;
  std::string_view rest = text;
  if (rest.starts_with('@')) {
    r.inside = true;
    rest.remove_prefix(1);
  }
  if (rest.empty()) return tl::unexpected(bad("the range '" + std::string(text) + "' is empty"));
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    auto end = parse_bound(rest);
    if (!end) return tl::unexpected(end.error());
    r.end = *end;
  } else {
    const auto start_text = rest.substr(0, colon);
    const auto end_text = rest.substr(colon + 1);
    if (start_text == "~") {
      r.start = -std::numeric_limits<double>::infinity();
    } else if (!start_text.empty()) {
      auto start = parse_bound(start_text);
      if (!start) return tl::unexpected(start.error());
      r.start = *start;
    }
    if (!end_text.empty()) {
      auto end = parse_bound(end_text);
      if (!end) return tl::unexpected(end.error());
      r.end = *end;
    }
    if (start_text.empty() && end_text.empty()) {
      return tl::unexpected(bad("the range '" + std::string(text) + "' has no bounds"));
    }
  }
  if (r.start > r.end) {
    return tl::unexpected(bad("in '" + std::string(text) + "' the start " + format_number(r.start) +
                              "s is above the end " + format_number(r.end) + "s"));
  }
  return r;
}

bool alerts(const range& r, double seconds) noexcept {
  const bool in = seconds >= r.start && seconds <= r.end;
  return r.inside ? in : !in;
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "U";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string to_string(const range& r) {
  std::string out = r.inside ? "@" : "";
  const bool open_end = std::isinf(r.end);
  if (std::isinf(r.start)) {
    out += "~:";
  } else if (r.start != 0 || open_end || r.inside) {
    out += format_number(r.start) + ":";
  }
  if (!open_end) out += format_number(r.end);
  return out;
}

}  // namespace vmterm::health
