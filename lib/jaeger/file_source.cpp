#include "jaeger/file_source.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "jaeger/json_lines.hpp"
#include "jaeger/local_query.hpp"
#include "jaeger/v1_json.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::jaeger {
namespace {

std::string_view first_line(std::string_view text) {
  const auto nl = text.find('\n');
  return text.substr(0, nl);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

/// Whether the text names any of the ids, in lowercase or uppercase hex (OTLP allows both).
bool contains_any_id(std::string_view text, std::span<const trace::trace_id> ids) {
  for (const auto& id : ids) {
    auto hex = id.hex();
    if (text.find(hex) != std::string_view::npos) return true;
    for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (text.find(hex) != std::string_view::npos) return true;
  }
  return false;
}

/// The OTLP lines (JSON lines) or the document that carry any of `ids`, untouched.
std::string otlp_carrying(std::string_view text, std::span<const trace::trace_id> ids) {
  std::string out;
  if (detect_format(text) != file_format::otlp_json_lines) {
    if (contains_any_id(text, ids)) out.assign(text);  // untouched, to the last byte
    return out;
  }
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    if (contains_any_id(line, ids)) {
      out.append(line);
      out += '\n';
    }
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return out;
}

}  // namespace

file_format detect_format(std::string_view text) noexcept {
  const auto line = trim(first_line(text));
  const bool otlp_line = line.size() > 1 && line.front() == '{' && line.back() == '}' &&
                         line.find("\"resourceSpans\"") != std::string_view::npos;
  if (otlp_line && line.size() < text.size()) return file_format::otlp_json_lines;
  if (text.substr(0, 4096).find("\"resourceSpans\"") != std::string_view::npos) {
    return file_format::otlp_json;
  }
  if (text.substr(0, 4096).find("\"traceID\"") != std::string_view::npos) {
    return file_format::jaeger_v1;
  }
  return file_format::otlp_json;  // the OTLP decoder's error says what it expected
}

expected<std::vector<trace::span_data>> decode_any(std::string_view text, std::string_view name) {
  if (trim(text).empty()) return std::vector<trace::span_data>{};
  const auto format = detect_format(text);
  if (format != file_format::jaeger_v1) return trace_otlp::decode_spans(text, name);
  auto doc = decode_v1_json(text, name);
  if (!doc) return tl::unexpected(doc.error());
  return std::move(doc->spans);
}

error trace_not_found(const trace::trace_id& id, std::string_view source_name) {
  return error{std::make_error_code(std::errc::no_such_file_or_directory),
               "trace '" + id.hex() + "' not found in '" + std::string(source_name) + "'"};
}

expected<trace_input> file_source::open_input() {
  if (opened_ && path_ == "-") {
    return fail(std::errc::io_error, "read '-': standard input was read already");
  }
  opened_ = true;
  return trace_input::open(path_, options_.input);
}

expected<std::vector<trace::span_data>> file_source::read_lines(trace_input& in) {
  std::vector<trace::span_data> spans;
  skipped_lines skipped;
  std::string held;  // the first warning waits until a line reads: else it is the error
  std::size_t good = 0;
  const auto warn = [this](const std::string& message) {
    if (options_.warn && !message.empty()) options_.warn(message);
  };
  for (;;) {
    auto line = in.next_line();
    if (!line) return tl::unexpected(line.error());
    if (!*line) break;
    const auto& l = **line;
    if (l.text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto ok = decode_json_line(l.text, l.number, path_, spans);
    if (!ok) {
      auto message = skipped.add(ok.error(), l.number);
      if (good == 0) {
        held = std::move(message);
      } else {
        warn(message);
      }
      continue;
    }
    if (++good == 1) warn(std::exchange(held, {}));
  }
  if (good == 0 && skipped.count() > 0) {
    auto e = *skipped.first();
    if (skipped.count() > 1) {
      e.message += " (and " + std::to_string(skipped.count() - 1) + " more unreadable " +
                   (skipped.count() == 2 ? "line" : "lines") + ")";
    }
    e.message += "; no line of '" + path_ + "' could be read";
    return tl::unexpected(std::move(e));
  }
  warn(skipped.summary(path_));
  return spans;
}

expected<const std::vector<trace::span_data>*> file_source::load() {
  if (spans_) return &*spans_;
  auto in = open_input();
  if (!in) return tl::unexpected(in.error());
  auto lines = in->start();
  if (!lines) return tl::unexpected(lines.error());
  if (*lines) {
    auto spans = read_lines(*in);
    if (!spans) return tl::unexpected(spans.error());
    spans_ = std::move(*spans);
    return &*spans_;
  }
  auto text = in->rest();
  if (!text) return tl::unexpected(text.error());
  auto spans = decode_any(*text, path_);
  if (!spans) return tl::unexpected(spans.error());
  spans_ = std::move(*spans);
  return &*spans_;
}

expected<std::vector<trace::span_data>> file_source::take() {
  auto loaded = load();
  if (!loaded) return tl::unexpected(loaded.error());
  auto spans = std::move(*spans_);
  spans_.reset();
  return spans;
}

expected<std::vector<std::string>> file_source::services() {
  auto spans = load();
  if (!spans) return tl::unexpected(spans.error());
  return list_services(**spans);
}

expected<std::vector<operation_info>> file_source::operations(const std::string& service,
                                                              const std::string& kind) {
  auto spans = load();
  if (!spans) return tl::unexpected(spans.error());
  return list_operations(**spans, service, kind);
}

expected<std::vector<trace::span_data>> file_source::search(const search_query& query) {
  auto spans = take();
  if (!spans) return spans;
  return search_spans(std::move(*spans), query);
}

expected<std::vector<trace::span_data>> file_source::get(std::span<const trace::trace_id> ids) {
  auto spans = take();
  if (!spans) return spans;
  std::vector<trace::trace_id> wanted(ids.begin(), ids.end());
  auto found = spans_of(std::move(*spans), wanted);
  for (const auto& id : wanted) {
    const bool present = std::any_of(found.begin(), found.end(),
                                     [&](const trace::span_data& s) { return s.trace == id; });
    if (!present) return tl::unexpected(trace_not_found(id, path_));
  }
  return found;
}

expected<std::string> file_source::get_otlp(std::span<const trace::trace_id> ids) {
  auto in = open_input();
  if (!in) return tl::unexpected(in.error());
  auto lines = in->start();
  if (!lines) return tl::unexpected(lines.error());
  std::string out;
  if (*lines) {  // the lines that carry the ids, untouched
    std::vector<bool> found(ids.size(), false);
    for (;;) {
      auto line = in->next_line();
      if (!line) return tl::unexpected(line.error());
      if (!*line) break;
      bool keep = false;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (contains_any_id((*line)->text, ids.subspan(i, 1))) keep = found[i] = true;
      }
      if (keep) {
        out.append((*line)->text);
        out += '\n';
      }
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!found[i]) return tl::unexpected(trace_not_found(ids[i], path_));
    }
    return out;
  }
  auto text = in->rest();
  if (!text) return tl::unexpected(text.error());
  if (detect_format(*text) == file_format::jaeger_v1) {
    auto spans = decode_any(*text, path_);
    if (!spans) return tl::unexpected(spans.error());
    spans_ = std::move(*spans);
    auto wanted = get(ids);
    if (!wanted) return tl::unexpected(wanted.error());
    return trace_otlp::encode_request(*wanted) + "\n";
  }
  for (const auto& id : ids) {
    if (!contains_any_id(*text, std::span(&id, 1))) {
      return tl::unexpected(trace_not_found(id, path_));
    }
  }
  return otlp_carrying(*text, ids);
}

}  // namespace vmterm::jaeger
