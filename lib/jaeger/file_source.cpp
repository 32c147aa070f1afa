#include "jaeger/file_source.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <utility>

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

expected<std::string> read_input(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return std::move(buffer).str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return fail(std::errc::no_such_file_or_directory,
                "read '" + path + "': " + std::string(std::strerror(err)));
  }
  std::string text;
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {  // a regular file: one read
    text.resize(static_cast<std::size_t>(size));
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
  }
  in.clear();
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return text;
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

expected<const std::vector<trace::span_data>*> file_source::load() {
  if (spans_) return &*spans_;
  if (!text_) {
    auto text = read_input(path_);
    if (!text) return tl::unexpected(text.error());
    text_ = std::move(*text);
  }
  auto spans = decode_any(*text_, path_);
  if (!spans) return tl::unexpected(spans.error());
  if (path_ != "-") text_.reset();  // a file can be read again; stdin cannot
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
  if (!text_) {
    auto text = read_input(path_);
    if (!text) return tl::unexpected(text.error());
    text_ = std::move(*text);
  }
  if (detect_format(*text_) == file_format::jaeger_v1) {
    auto spans = get(ids);
    if (!spans) return tl::unexpected(spans.error());
    return trace_otlp::encode_request(*spans) + "\n";
  }
  for (const auto& id : ids) {
    if (!contains_any_id(*text_, std::span(&id, 1))) {
      return tl::unexpected(trace_not_found(id, path_));
    }
  }
  return otlp_carrying(*text_, ids);
}

}  // namespace vmterm::jaeger
