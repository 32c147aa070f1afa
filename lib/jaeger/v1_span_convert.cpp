// One Jaeger v1 span object to trace::span_data, following the OTLP <-> Jaeger mapping
// (opentelemetry-collector-contrib pkg/translator/jaeger) in reverse.
#include "jaeger/v1_span_convert.hpp"

#include <limits>
#include <optional>
#include <string>

namespace vmterm::jaeger::detail {
namespace {

using nlohmann::json;

std::string field_text(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

/// Microseconds (a JSON number or a numeric string) to nanoseconds.
std::optional<std::uint64_t> micros_to_nanos(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  const auto v = json_int64(*it);
  if (!v || *v < 0) return std::nullopt;
  const auto us = static_cast<std::uint64_t>(*v);
  if (us > std::numeric_limits<std::uint64_t>::max() / 1000) return std::nullopt;
  return us * 1000;
}

/// Moves the attribute `key` out of `attrs`; nullopt when absent.
std::optional<trace::attribute_value> take(trace::attributes& attrs, std::string_view key) {
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    if (it->key == key) {
      auto value = std::move(it->value);
      attrs.erase(it);
      return value;
    }
  }
  return std::nullopt;
}

std::string text_of(const trace::attribute_value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return {};
}

trace::span_kind kind_from(std::string_view name) {
  if (name == "server") return trace::span_kind::server;
  if (name == "client") return trace::span_kind::client;
  if (name == "producer") return trace::span_kind::producer;
  if (name == "consumer") return trace::span_kind::consumer;
  return trace::span_kind::internal;
}

std::uint32_t count_of(const std::optional<trace::attribute_value>& v) {
  if (!v) return 0;
  const auto* i = std::get_if<std::int64_t>(&*v);
  if (i == nullptr || *i < 0 || *i > std::numeric_limits<std::uint32_t>::max()) return 0;
  return static_cast<std::uint32_t>(*i);
}

/// Status: `otel.status_code` (OK/ERROR) with `otel.status_description`; without it,
/// `error=true` (bool or "true") means ERROR.
void apply_status(trace::span_data& s) {
  auto code = take(s.attrs, "otel.status_code");
  auto description = take(s.attrs, "otel.status_description");
  const std::string code_text = code ? text_of(*code) : std::string();
  if (code_text == "ERROR" || code_text == "error") {
    s.status.code = trace::status_code::error;
  } else if (code_text == "OK" || code_text == "ok") {
    s.status.code = trace::status_code::ok;
  }
  if (const auto* e = trace::find_attribute(s.attrs, "error")) {
    const bool is_error = text_of(*e) == "true";
    if (is_error && s.status.code == trace::status_code::unset) {
      s.status.code = trace::status_code::error;
    }
    if (is_error) (void)take(s.attrs, "error");
  }
  if (s.status.code == trace::status_code::error && description) {
    s.status.message = text_of(*description);
  }
}

trace::link make_link(const trace::trace_id& t, const trace::span_id& id, const char* ref_type) {
  trace::link l;
  l.context.trace = t;
  l.context.span = id;
  l.attrs.push_back({"opentracing.ref_type", std::string(ref_type)});
  return l;
}

}  // namespace

void apply_special_tags(trace::span_data& s) {
  if (auto kind = take(s.attrs, "span.kind")) s.kind = kind_from(text_of(*kind));
  apply_status(s);
  auto scope_name = take(s.attrs, "otel.scope.name");
  if (!scope_name) scope_name = take(s.attrs, "otel.library.name");
  auto scope_version = take(s.attrs, "otel.scope.version");
  if (!scope_version) scope_version = take(s.attrs, "otel.library.version");
  if (scope_name || scope_version) {
    s.scope = std::make_shared<const trace::instrumentation_scope>(trace::instrumentation_scope{
        scope_name ? text_of(*scope_name) : "", scope_version ? text_of(*scope_version) : ""});
  }
  if (auto ts = take(s.attrs, "w3c.tracestate")) s.trace_state = text_of(*ts);
  s.dropped_attributes_count = count_of(take(s.attrs, "otel.dropped_attributes_count"));
  s.dropped_events_count = count_of(take(s.attrs, "otel.dropped_events_count"));
  s.dropped_links_count = count_of(take(s.attrs, "otel.dropped_links_count"));
}

trace::event make_event(std::uint64_t time_unix_nano, trace::attributes fields) {
  trace::event e;
  e.time_unix_nano = time_unix_nano;
  e.attrs = std::move(fields);
  if (auto name = take(e.attrs, "event")) e.name = text_of(*name);
  return e;
}

void add_reference(trace::span_data& s, bool& have_parent, std::string_view trace_hex,
                   std::string_view span_hex, std::string_view ref_type) {
  const auto t = parse_trace_id(trace_hex);
  const auto id = parse_span_id(span_hex);
  if (!id) return;
  const trace::trace_id ref_trace = t ? *t : s.trace;
  const bool child_of = ref_type != "FOLLOWS_FROM";
  if (child_of && !have_parent) {
    have_parent = true;
    s.parent = *id;
    if (ref_trace == s.trace) return;
  }
  s.links.push_back(make_link(ref_trace, *id, child_of ? "child_of" : "follows_from"));
}

namespace {

/// Logs become events; the field `event` names the event.
void convert_logs(const json& span, trace::span_data& s) {
  auto logs = span.find("logs");
  if (logs == span.end() || !logs->is_array()) return;
  s.events.reserve(logs->size());
  for (const auto& log : *logs) {
    if (!log.is_object()) continue;
    trace::attributes fields;
    if (auto f = log.find("fields"); f != log.end()) fields = convert_tags(*f);
    s.events.push_back(
        make_event(micros_to_nanos(log, "timestamp").value_or(0), std::move(fields)));
  }
}

/// The first CHILD_OF reference is the parent (as in Jaeger's UI). When it names another
/// trace, its span id is still kept as the parent, so the tree shows the span as an orphan,
/// and a child_of link records the other trace. Other references become links.
void convert_references(const json& span, trace::span_data& s) {
  bool have_parent = false;
  auto refs = span.find("references");
  if (refs != span.end() && refs->is_array()) {
    for (const auto& ref : *refs) {
      if (!ref.is_object()) continue;
      add_reference(s, have_parent, field_text(ref, "traceID"), field_text(ref, "spanID"),
                    field_text(ref, "refType"));
    }
  }
  if (!have_parent) {  // the deprecated field, still written by old producers
    if (auto p = parse_span_id(field_text(span, "parentSpanID")); p) s.parent = *p;
  }
}

void convert_warnings(const json& span, trace::span_data& s) {
  auto w = span.find("warnings");
  if (w == span.end() || !w->is_array() || w->empty()) return;
  std::vector<std::string> texts;
  for (const auto& item : *w) {
    if (item.is_string()) texts.push_back(item.get<std::string>());
  }
  if (!texts.empty()) s.attrs.push_back({"@jaeger@warnings", std::move(texts)});
}

expected<void> convert_ids_and_times(const json& j, std::size_t index, trace::span_data& s) {
  const std::string where = "span " + std::to_string(index) + ": ";
  const std::string trace_hex = field_text(j, "traceID");
  const auto t = parse_trace_id(trace_hex);
  if (!t) return fail(std::errc::invalid_argument, where + "invalid traceID '" + trace_hex + "'");
  const std::string span_hex = field_text(j, "spanID");
  const auto id = parse_span_id(span_hex);
  if (!id) return fail(std::errc::invalid_argument, where + "invalid spanID '" + span_hex + "'");
  s.trace = *t;
  s.span = *id;
  const auto start = micros_to_nanos(j, "startTime");
  if (!start) return fail(std::errc::invalid_argument, where + "missing or invalid startTime");
  const auto duration = j.contains("duration") ? micros_to_nanos(j, "duration") : 0;
  if (!duration) return fail(std::errc::invalid_argument, where + "invalid duration");
  s.start_unix_nano = *start;
  s.end_unix_nano = *start + *duration;
  return {};
}

}  // namespace

expected<pending_span> convert_span(const json& j, std::size_t index) {
  pending_span out;
  trace::span_data& s = out.span;
  if (auto ok = convert_ids_and_times(j, index, s); !ok) return tl::unexpected(ok.error());
  s.name = field_text(j, "operationName");
  if (auto flags = j.find("flags"); flags != j.end() && flags->is_number_unsigned()) {
    s.flags = static_cast<std::uint8_t>(flags->get<std::uint64_t>() & 0xff);
  }
  if (auto tags = j.find("tags"); tags != j.end()) s.attrs = convert_tags(*tags);
  apply_special_tags(s);
  convert_warnings(j, s);
  convert_logs(j, s);
  convert_references(j, s);
  if (auto process = j.find("process"); process != j.end() && process->is_object()) {
    s.resource = convert_process(*process);
  } else {
    out.process_id = field_text(j, "processID");
  }
  return out;
}

std::optional<trace::trace_id> parse_trace_id(std::string_view hex) {
  if (hex.empty() || hex.size() > 32) return std::nullopt;
  return trace::trace_id::from_hex(pad_hex(hex, hex.size() <= 16 ? 16 : 32));
}

std::optional<trace::span_id> parse_span_id(std::string_view hex) {
  if (hex.empty() || hex.size() > 16) return std::nullopt;
  return trace::span_id::from_hex(pad_hex(hex, 16));
}

std::shared_ptr<const trace::resource> make_resource(const std::string& service,
                                                     trace::attributes tags) {
  auto r = std::make_shared<trace::resource>();
  if (!service.empty()) r->attrs.push_back({"service.name", service});
  for (auto& attr : tags) {
    if (attr.key == "service.name" && !service.empty()) continue;
    r->attrs.push_back(std::move(attr));
  }
  return r;
}

void resolve_processes(std::vector<pending_span>& pending, const process_map& processes,
                       std::vector<trace::span_data>& out) {
  auto empty = std::make_shared<const trace::resource>();
  for (auto& p : pending) {
    if (!p.span.resource) {
      auto it = processes.find(p.process_id);
      p.span.resource = it != processes.end() ? it->second : empty;
    }
    out.push_back(std::move(p.span));
  }
  pending.clear();
}

std::shared_ptr<const trace::resource> convert_process(const json& process) {
  if (!process.is_object()) return std::make_shared<trace::resource>();
  trace::attributes tags;
  if (auto t = process.find("tags"); t != process.end()) tags = convert_tags(*t);
  return make_resource(field_text(process, "serviceName"), std::move(tags));
}

}  // namespace vmterm::jaeger::detail
