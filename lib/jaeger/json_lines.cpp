#include "jaeger/json_lines.hpp"

#include <nlohmann/json.hpp>

#include <string>

#include "trace_otlp/otlp_json.hpp"

namespace vmterm::jaeger {
namespace {

using json = nlohmann::json;

/// Where and why a line is not JSON: nlohmann's SAX parser reports the byte position, which is
/// past the end when the line was cut short.
struct syntax_probe final : nlohmann::json_sax<json> {
  std::size_t position = 0;
  std::string reason{};
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string&,
                   const nlohmann::detail::exception& e) override {
    position = pos;
    reason = e.what();
    return false;
  }
};

/// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error
/// while parsing value - invalid literal; last read: 'tru'" → "invalid literal; last read: 'tru'".
std::string short_reason(const std::string& what) {
  auto text = std::string_view(what);
  if (const auto colon = text.find(": "); colon != std::string_view::npos) {
    text.remove_prefix(colon + 2);
  }
  if (const auto dash = text.find(" - "); dash != std::string_view::npos) {
    text.remove_prefix(dash + 3);
  }
  return std::string(text);
}

std::string_view trim(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

expected<void> decode_json_line(std::string_view line, std::size_t number,
                                std::string_view input_name, std::vector<trace::span_data>& out) {
  const auto text = trim(line);
  if (text.empty()) return {};
  const auto where = std::string(input_name) + ":" + std::to_string(number);
  syntax_probe probe;
  if (!json::sax_parse(text.begin(), text.end(), &probe)) {
    if (probe.position > text.size())
      return fail(std::errc::invalid_argument, where + ": truncated JSON");
    return fail(std::errc::invalid_argument, where + ":" + std::to_string(probe.position) +
                                                 ": not JSON (" + short_reason(probe.reason) + ")");
  }
  auto spans = trace_otlp::decode_spans(text, input_name);
  if (!spans) {
    // "decode OTLP JSON '<name>': <path>: <reason>": the path and reason, after the place.
    auto message = std::string_view(spans.error().message);
    const auto prefix = "decode OTLP JSON '" + std::string(input_name) + "': ";
    if (message.substr(0, prefix.size()) == prefix) message.remove_prefix(prefix.size());
    return fail(std::errc::invalid_argument, where + ": " + std::string(message));
  }
  if (out.empty()) {
    out = std::move(*spans);
  } else {
    out.insert(out.end(), std::make_move_iterator(spans->begin()),
               std::make_move_iterator(spans->end()));
  }
  return {};
}

std::string skipped_lines::add(const error& e, std::size_t number) {
  if (count_++ == 0) {
    first_ = e;
    return e.message + ", skipped";
  }
  if (later_.size() < 5) later_.push_back(number);
  return {};
}

std::string skipped_lines::summary(std::string_view input_name) const {
  if (count_ < 2) return {};
  const auto more = count_ - 1;
  std::string out = std::string(input_name) + ": " + std::to_string(more) + " more unreadable " +
                    (more == 1 ? "line" : "lines") + " skipped (";
  for (std::size_t i = 0; i < later_.size(); ++i) {
    out += (i > 0 ? ", " : "") + std::to_string(later_[i]);
  }
  return out + (more > later_.size() ? ", …)" : ")");
}

}  // namespace vmterm::jaeger
