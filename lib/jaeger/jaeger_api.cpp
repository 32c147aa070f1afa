#include "jaeger/jaeger_api.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "http/url.hpp"
#include "jaeger/time_format.hpp"

namespace vmterm::jaeger::api {
namespace {

using nlohmann::json;

/// Query parameters in order, encoded on output.
class query_string {
 public:
  void add(std::string_view key, std::string_view value) {
    out_ += out_.empty() ? '?' : '&';
    out_ += escape(key);
    out_ += '=';
    out_ += escape(value);
  }
  [[nodiscard]] std::string str() const { return out_; }

 private:
  std::string out_;
};

std::string tags_json(const search_query& q) {
  json tags = json::object();
  for (const auto& [k, v] : q.tags) tags[k] = v;
  return tags.dump();
}

expected<json> parse(std::string_view body) {
  auto j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return fail(std::errc::bad_message, "not JSON");
  return j;
}

tl::unexpected<error> shape_error(std::string_view expected_shape) {
  return fail(std::errc::bad_message, "expected " + std::string(expected_shape));
}

expected<std::vector<std::string>> string_list(const json& j, std::string_view key,
                                               std::string_view shape) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  if (it == j.end() || !(it->is_array() || it->is_null())) return shape_error(shape);
  std::vector<std::string> out;
  if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

expected<std::vector<operation_info>> operation_list(const json& j, std::string_view key,
                                                     std::string_view shape) {
  const auto it = j.is_object() ? j.find(key) : j.end();
  if (it == j.end() || !(it->is_array() || it->is_null())) return shape_error(shape);
  std::vector<operation_info> out;
  if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back({v.get<std::string>(), ""});
      if (!v.is_object()) continue;
      operation_info op{v.value("name", std::string{}), v.value("spanKind", std::string{})};
      if (op.kind.empty()) op.kind = v.value("span_kind", std::string{});
      out.push_back(std::move(op));
    }
  }
  std::sort(out.begin(), out.end(), [](const operation_info& a, const operation_info& b) {
    return std::tie(a.name, a.kind) < std::tie(b.name, b.kind);
  });
  return out;
}

/// A string field, "" when absent or of another type.
std::string text_field(const json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// A non-negative integer as a number or a decimal string (proto3 JSON's 64-bit form); 0 when
/// absent or unreadable.
std::uint64_t count_field(const json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer())
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, it->get<std::int64_t>()));
  if (!it->is_string()) return 0;
  const auto& s = it->get_ref<const std::string&>();
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && ptr == s.data() + s.size() ? v : 0;
}

std::string path(std::string_view base_path, std::string_view tail) {
  return http::join_path(base_path, tail);
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned>(u));
      out += buf;
    }
  }
  return out;
}

std::string go_duration(std::uint64_t ns) { return std::to_string(ns) + "ns"; }

std::string v3_services(std::string_view base_path) { return path(base_path, "api/v3/services"); }

std::string v3_operations(std::string_view base_path, std::string_view service,
                          std::string_view kind) {
  query_string q;
  q.add("service", service);
  if (!kind.empty()) q.add("span_kind", kind);
  return path(base_path, "api/v3/operations") + q.str();
}

namespace {

/// api_v3 search parameters (`/api/v3/traces` and `/api/v3/trace-summaries` share them).
std::string v3_query(const search_query& query) {
  query_string q;
  q.add("query.service_name", query.service);
  if (query.operation) q.add("query.operation_name", *query.operation);
  q.add("query.start_time_min", format_rfc3339(query.start_unix_nano));
  q.add("query.start_time_max", format_rfc3339(query.end_unix_nano));
  if (query.min_duration_ns != 0) q.add("query.duration_min", go_duration(query.min_duration_ns));
  if (query.max_duration_ns) q.add("query.duration_max", go_duration(*query.max_duration_ns));
  if (!query.tags.empty()) q.add("query.attributes", tags_json(query));
  q.add("query.num_traces", std::to_string(query.limit));
  q.add("query.search_depth", std::to_string(query.limit));
  return q.str();
}

}  // namespace

std::string v3_search(std::string_view base_path, const search_query& query) {
  return path(base_path, "api/v3/traces") + v3_query(query);
}

std::string v3_trace_summaries(std::string_view base_path, const search_query& query) {
  return path(base_path, "api/v3/trace-summaries") + v3_query(query);
}

std::string v3_trace(std::string_view base_path, const trace::trace_id& id) {
  return path(base_path, "api/v3/traces/" + id.hex());
}

expected<std::vector<std::string>> decode_v3_services(std::string_view body) {
  auto j = parse(body);
  if (!j) return tl::unexpected(j.error());
  return string_list(*j, "services", "{\"services\":[...]}");
}

expected<std::vector<operation_info>> decode_v3_operations(std::string_view body) {
  auto j = parse(body);
  if (!j) return tl::unexpected(j.error());
  return operation_list(*j, "operations", "{\"operations\":[...]}");
}

expected<std::vector<trace_summary>> decode_v3_summaries(std::string_view body) {
  auto j = parse(body);
  if (!j) return tl::unexpected(j.error());
  constexpr std::string_view shape = "{\"summaries\":[...]}";
  if (!j->is_object()) return shape_error(shape);
  const auto list = j->find("summaries");
  std::vector<trace_summary> out;
  if (list == j->end() || list->is_null()) return out;  // {}: no match
  if (!list->is_array()) return shape_error(shape);
  for (const auto& item : *list) {
    if (!item.is_object()) return shape_error(shape);
    trace_summary s;
    const auto id = trace::trace_id::from_hex(text_field(item, "traceId"));
    if (!id) return shape_error("a hex traceId in each of \"summaries\"");
    s.id = *id;
    s.root_service = text_field(item, "rootServiceName");
    s.root_operation = text_field(item, "rootOperationName");
    s.start_unix_nano = count_field(item, "minStartTimeUnixNano");
    const auto end = count_field(item, "maxEndTimeUnixNano");
    s.duration_ns = end > s.start_unix_nano ? end - s.start_unix_nano : 0;
    s.span_count = count_field(item, "spanCount");
    s.error_count = count_field(item, "errorSpanCount");
    s.orphan_count = count_field(item, "orphanSpanCount");
    out.push_back(std::move(s));
  }
  return out;
}

std::string v1_services(std::string_view base_path) { return path(base_path, "api/services"); }

std::string v1_operations(std::string_view base_path, std::string_view service,
                          std::string_view kind) {
  if (kind.empty()) return path(base_path, "api/services/" + escape(service) + "/operations");
  query_string q;
  q.add("service", service);
  q.add("spanKind", kind);
  return path(base_path, "api/operations") + q.str();
}

std::string v1_search(std::string_view base_path, const search_query& query) {
  query_string q;
  q.add("service", query.service);
  if (query.operation) q.add("operation", *query.operation);
  if (!query.tags.empty()) q.add("tags", tags_json(query));
  q.add("start", std::to_string(query.start_unix_nano / 1000));
  q.add("end", std::to_string(query.end_unix_nano / 1000));
  if (query.min_duration_ns != 0) q.add("minDuration", go_duration(query.min_duration_ns));
  if (query.max_duration_ns) q.add("maxDuration", go_duration(*query.max_duration_ns));
  q.add("limit", std::to_string(query.limit));
  return path(base_path, "api/traces") + q.str();
}

std::string v1_trace(std::string_view base_path, const trace::trace_id& id) {
  return path(base_path, "api/traces/" + id.hex());
}

expected<std::vector<std::string>> decode_v1_services(std::string_view body) {
  auto j = parse(body);
  if (!j) return tl::unexpected(j.error());
  return string_list(*j, "data", "{\"data\":[...]}");
}

expected<std::vector<operation_info>> decode_v1_operations(std::string_view body) {
  auto j = parse(body);
  if (!j) return tl::unexpected(j.error());
  return operation_list(*j, "data", "{\"data\":[...]}");
}

std::string error_message(std::string_view body) {
  const auto j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_object()) {
    const auto e = j.find("error");
    if (e != j.end() && e->is_object() && e->contains("message") && (*e)["message"].is_string()) {
      return (*e)["message"].get<std::string>();
    }
    const auto es = j.find("errors");
    if (es != j.end() && es->is_array() && !es->empty() && (*es)[0].is_object()) {
      const auto& first = (*es)[0];
      if (first.contains("msg") && first["msg"].is_string()) return first["msg"].get<std::string>();
    }
  }
  return body_excerpt(body);
}

bool is_json_object(std::string_view body) {
  return json::parse(body.begin(), body.end(), nullptr, false).is_object();
}

std::optional<std::string> v1_envelope_error(std::string_view body) {
  const auto j = json::parse(body.begin(), body.end(), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto data = j.find("data");
  const auto errors = j.find("errors");
  if ((data != j.end() && !data->is_null()) || errors == j.end() || !errors->is_array() ||
      errors->empty() || !errors->front().is_object()) {
    return std::nullopt;
  }
  const auto& first = errors->front();
  std::string text = text_field(first, "msg");
  if (text.empty()) text = "unknown error";
  if (const auto code = first.find("code"); code != first.end() && code->is_number()) {
    text += " (code " + code->dump() + ")";
  }
  return text;
}

std::string body_excerpt(std::string_view body, std::size_t max) {
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n' || body.front() == '\r')) {
    body.remove_prefix(1);
  }
  body = body.substr(0, body.find('\n'));
  std::string out;
  for (const char c : body.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > max) out += "…";
  return out;
}

}  // namespace vmterm::jaeger::api
