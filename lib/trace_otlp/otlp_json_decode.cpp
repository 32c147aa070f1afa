// Decoding half of otlp_json.hpp, on nlohmann_json. Failures inside are thrown as
// decode_failure with the JSON path of the offending field and turned into vmterm::error at
// the boundary; nlohmann's own exceptions never leave this file.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "trace_otlp/detail/json_fields.hpp"
#include "trace_otlp/detail/otlp_json_stream.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::trace_otlp {
namespace {

using json = nlohmann::json;
using detail::decode_failure;
using detail::path;

void decode_link(const json& j, const path& at, trace::link& out) {
  out.context.trace = detail::trace_id_field(j, "traceId", at);
  out.context.span = detail::span_id_field(j, "spanId", at);
  out.context.trace_state = detail::string_field(j, "traceState", at);
  const auto flags = detail::u32_field(j, "flags", at);
  out.context.flags = static_cast<std::uint8_t>(flags & 0xff);
  out.context.remote = (flags & 0x300) == 0x300;
  out.attrs = detail::attributes_field(j, "attributes", at);
  out.dropped_attributes_count = detail::u32_field(j, "droppedAttributesCount", at);
}

void decode_event(const json& j, const path& at, trace::event& out) {
  out.name = detail::string_field(j, "name", at);
  out.time_unix_nano = detail::u64_field(j, "timeUnixNano", at);
  out.attrs = detail::attributes_field(j, "attributes", at);
  out.dropped_attributes_count = detail::u32_field(j, "droppedAttributesCount", at);
}

void decode_span(const json& j, const path& at, trace::span_data& out) {
  detail::expect_object(j, at);
  out.trace = detail::trace_id_field(j, "traceId", at);
  out.span = detail::span_id_field(j, "spanId", at);
  out.parent = detail::span_id_field(j, "parentSpanId", at);
  out.trace_state = detail::string_field(j, "traceState", at);
  const auto flags = detail::u32_field(j, "flags", at);
  out.flags = static_cast<std::uint8_t>(flags & 0xff);
  out.parent_remote = (flags & 0x300) == 0x300;
  out.name = detail::string_field(j, "name", at);
  out.kind = detail::kind_field(j, "kind", at);
  out.start_unix_nano = detail::u64_field(j, "startTimeUnixNano", at);
  out.end_unix_nano = detail::u64_field(j, "endTimeUnixNano", at);
  out.attrs = detail::attributes_field(j, "attributes", at);
  out.dropped_attributes_count = detail::u32_field(j, "droppedAttributesCount", at);
  detail::for_each_item(j, "events", at, [&](const json& e, const path& p) {
    detail::expect_object(e, p);
    decode_event(e, p, out.events.emplace_back());
  });
  out.dropped_events_count = detail::u32_field(j, "droppedEventsCount", at);
  detail::for_each_item(j, "links", at, [&](const json& l, const path& p) {
    detail::expect_object(l, p);
    decode_link(l, p, out.links.emplace_back());
  });
  out.dropped_links_count = detail::u32_field(j, "droppedLinksCount", at);
  if (const auto* st = detail::object_field(j, "status", at)) {
    const path sp{&at, "status"};
    out.status.code = detail::status_code_field(*st, "code", sp);
    out.status.message = detail::string_field(*st, "message", sp);
  }
}

void decode_document(const json& doc, std::vector<trace::span_data>& out) {
  const path root{};
  detail::expect_object(doc, root);
  const json* body = &doc;
  if (const auto* result = detail::object_field(doc, "result", root)) body = result;  // api_v3
  detail::for_each_item(*body, "resourceSpans", root, [&](const json& rs, const path& rp) {
    detail::expect_object(rs, rp);
    auto res = std::make_shared<trace::resource>();
    if (const auto* r = detail::object_field(rs, "resource", rp)) {
      const path p{&rp, "resource"};
      res->attrs = detail::attributes_field(*r, "attributes", p);
      res->dropped_attributes_count = detail::u32_field(*r, "droppedAttributesCount", p);
    }
    std::shared_ptr<const trace::resource> shared_res = std::move(res);
    detail::for_each_item(rs, "scopeSpans", rp, [&](const json& ss, const path& sp) {
      detail::expect_object(ss, sp);
      auto scope = std::make_shared<trace::instrumentation_scope>();
      if (const auto* s = detail::object_field(ss, "scope", sp)) {
        const path p{&sp, "scope"};
        scope->name = detail::string_field(*s, "name", p);
        scope->version = detail::string_field(*s, "version", p);
      }
      std::shared_ptr<const trace::instrumentation_scope> shared_scope = std::move(scope);
      detail::for_each_item(ss, "spans", sp, [&](const json& s, const path& p) {
        auto& span = out.emplace_back();
        decode_span(s, p, span);
        span.resource = shared_res;
        span.scope = shared_scope;
      });
    });
  });
}

std::string prefix(std::string_view input_name) {
  return "decode OTLP JSON '" + std::string(input_name) + "': ";
}

/// nlohmann's parse_error text without its "[json.exception.parse_error.101] parse error " tag.
std::string syntax_reason(const json::parse_error& e) {
  std::string what = e.what();
  const auto at = what.find("parse error at ");
  return at == std::string::npos ? what : what.substr(at + 15);
}

/// Parses and decodes one document; throws decode_failure or json::exception.
void decode_text(std::string_view text, std::vector<trace::span_data>& out) {
  decode_document(json::parse(text.begin(), text.end()), out);
}

/// The exception being handled as decode_spans reports it; `where` is "line N: " or "".
tl::unexpected<error> current_error(std::string_view input_name, const std::string& where) {
  try {
    throw;
  } catch (const decode_failure& e) {
    return fail(std::errc::invalid_argument,
                prefix(input_name) + where + e.where + ": " + e.reason);
  } catch (const json::parse_error& e) {
    return fail(std::errc::invalid_argument, prefix(input_name) + where + syntax_reason(e));
  } catch (const std::exception& e) {
    return fail(std::errc::invalid_argument, prefix(input_name) + e.what());
  }
}

std::string line_prefix(std::size_t line_no) { return "line " + std::to_string(line_no) + ": "; }

/// A NUL byte anywhere is refused by both decoders alike: nlohmann's parser takes one for the
/// end of the input (so a document followed by NULs parsed as that document alone), while the
/// streaming decoder reads it as the syntax error it is (found by scripts/fuzz otlp_json).
std::optional<tl::unexpected<error>> refuse_nul(std::string_view text,
                                                std::string_view input_name) {
  const auto at = text.find('\0');
  if (at == std::string_view::npos) return std::nullopt;
  const auto line_start = text.rfind('\n', at);
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  const auto column = at - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return fail(std::errc::invalid_argument, prefix(input_name) + "line " + std::to_string(line) +
                                               ", column " + std::to_string(column) +
                                               ": a NUL byte; JSON text has none");
}

/// decode_spans on nlohmann's DOM: what it did before the streaming decoder, and what decides
/// every input the streaming decoder declines (so results and errors stay the same).
expected<std::vector<trace::span_data>> dom_decode(std::string_view text,
                                                   std::string_view input_name) {
  if (auto nul = refuse_nul(text, input_name)) return *nul;
  std::vector<trace::span_data> spans;
  // One document (pretty-printed or not) unless it parses only line by line.
  const auto whole = json::parse(text.begin(), text.end(), nullptr, false);
  const bool lines_mode = whole.is_discarded() && [&] {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return false;
    const auto end = text.find('\n', first);
    const auto line = text.substr(first, end == std::string_view::npos ? end : end - first);
    return json::accept(line.begin(), line.end()) && end != std::string_view::npos;
  }();
  std::size_t line_no = 0;
  try {
    if (!lines_mode) {
      if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return spans;
      if (whole.is_discarded()) {
        decode_text(text, spans);  // parses again, this time to throw the syntax error
      } else {
        decode_document(whole, spans);
      }
      return spans;
    }
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      ++line_no;
      const auto line = text.substr(start, end - start);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) decode_text(line, spans);
      start = end + 1;
    }
    return spans;
  } catch (...) {
    return current_error(input_name, lines_mode ? line_prefix(line_no) : std::string());
  }
}

/// One line of JSON lines: streamed when it can be, else through the DOM (for its error).
expected<void> decode_line(std::string_view line, std::size_t line_no, std::string_view input_name,
                           std::vector<trace::span_data>& spans) {
  const auto mark = spans.size();
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto end = detail::stream_document(line, first, spans);
  if (end && line.find_first_not_of(" \t\r\n", *end) == std::string_view::npos) return {};
  spans.erase(spans.begin() + static_cast<std::ptrdiff_t>(mark), spans.end());
  try {
    decode_text(line, spans);
    return {};
  } catch (...) {
    return current_error(input_name, line_prefix(line_no));
  }
}

}  // namespace

expected<std::vector<trace::span_data>> detail::decode_spans_dom(std::string_view text,
                                                                 std::string_view input_name) {
  return dom_decode(text, input_name);
}

// The streaming decoder reads the input once, without a DOM (a third of the time and far less
// memory); the mode (one document or JSON lines) is decided as decode_spans_dom decides it.
expected<std::vector<trace::span_data>> decode_spans(std::string_view text,
                                                     std::string_view input_name) {
  if (auto nul = refuse_nul(text, input_name)) return *nul;
  std::vector<trace::span_data> spans;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return spans;
  const auto end = detail::stream_document(text, first, spans);
  if (!end) return dom_decode(text, input_name);
  const auto rest = text.find_first_not_of(" \t\r\n", *end);
  if (rest == std::string_view::npos) return spans;  // one document
  // JSON lines when the first line holds a whole document and nothing else.
  const auto nl = text.find('\n', first);
  if (nl == std::string_view::npos || *end > nl || rest < nl) {
    return dom_decode(text, input_name);  // for its syntax error
  }
  std::size_t line_no =
      1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + first, '\n'));
  for (std::size_t start = nl + 1; start < text.size();) {
    auto stop = text.find('\n', start);
    if (stop == std::string_view::npos) stop = text.size();
    auto line = decode_line(text.substr(start, stop - start), ++line_no, input_name, spans);
    if (!line) return tl::unexpected(std::move(line.error()));
    start = stop + 1;
  }
  return spans;
}

expected<export_response> decode_export_response(std::string_view body) {
  export_response out;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  try {
    const auto doc = json::parse(body.begin(), body.end());
    const path root{};
    detail::expect_object(doc, root);
    if (const auto* ps = detail::object_field(doc, "partialSuccess", root)) {
      const path p{&root, "partialSuccess"};
      out.rejected_spans = detail::i64_field(*ps, "rejectedSpans", p);
      out.error_message = detail::string_field(*ps, "errorMessage", p);
    }
    return out;
  } catch (const decode_failure& e) {
    return fail(std::errc::invalid_argument,
                "decode OTLP export response: " + e.where + ": " + e.reason);
  } catch (const json::parse_error& e) {
    return fail(std::errc::invalid_argument, "decode OTLP export response: " + syntax_reason(e));
  } catch (const std::exception& e) {
    return fail(std::errc::invalid_argument,
                std::string("decode OTLP export response: ") + e.what());
  }
}

}  // namespace vmterm::trace_otlp
