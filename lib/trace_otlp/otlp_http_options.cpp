#include "trace_otlp/otlp_http_options.hpp"

#include <algorithm>
#include <limits>

#include "core/parse.hpp"
#include "http/message.hpp"
#include "http/url.hpp"

namespace vmterm::trace_otlp {
namespace {

constexpr std::string_view prefix = "OTEL_EXPORTER_OTLP_";

/// The variable's value; nullopt when unset or empty (the OpenTelemetry rule).
std::optional<std::string> value_of(const config::env_lookup& env, const std::string& name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

/// The TRACES_ variable when set, else the generic one; `name` says which was used.
std::optional<std::string> lookup(const config::env_lookup& env, std::string_view setting,
                                  std::string& name) {
  name = std::string(prefix) + "TRACES_" + std::string(setting);
  if (auto v = value_of(env, name)) return v;
  name = std::string(prefix) + std::string(setting);
  return value_of(env, name);
}

bool token(std::string_view s) {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
  });
}

void read_url(const config::env_lookup& env, options_from_env_result& out) {
  const std::string traces = std::string(prefix) + "TRACES_ENDPOINT";
  if (auto v = value_of(env, traces)) {
    auto u = http::parse_url(*v);
    if (u) {
      out.options.url = u->str();  // as is; no path means "/"
      return;
    }
    out.warnings.push_back(traces + ": " + u.error().message + "; ignored");
  }
  const std::string generic = std::string(prefix) + "ENDPOINT";
  if (auto v = value_of(env, generic)) {
    auto u = http::parse_url(*v);
    if (u) {
      // OTLP/HTTP appends the signal's path; gRPC uses the endpoint as is (the path is the
      // service's, never the user's).
      if (out.options.protocol != otlp_protocol::grpc) {
        u->path = http::join_path(u->path, "v1/traces");
      }
      out.options.url = u->str();
      return;
    }
    out.warnings.push_back(generic + ": " + u.error().message + "; using the default " +
                           out.options.url);
  }
}

void read_timeout(const config::env_lookup& env, options_from_env_result& out) {
  std::string name;
  const auto v = lookup(env, "TIMEOUT", name);
  if (!v) return;
  const auto ms = parse::integer(parse::trim(*v), 0, std::numeric_limits<std::int64_t>::max());
  if (!ms) {
    out.warnings.push_back(name + "='" + *v +
                           "': not a whole, non-negative number of milliseconds; using the "
                           "default " +
                           std::to_string(out.options.timeout.count()));
    return;
  }
  out.options.timeout = std::chrono::milliseconds(*ms);
}

void read_compression(const config::env_lookup& env, options_from_env_result& out) {
  std::string name;
  const auto v = lookup(env, "COMPRESSION", name);
  if (!v) return;
  const auto value = parse::trim(*v);
  if (http::iequals(value, "gzip")) {
    out.options.gzip = true;
  } else if (!http::iequals(value, "none")) {
    out.warnings.push_back(name + "='" + *v + "': expected gzip or none; using the default none");
  }
}

void read_protocol(const config::env_lookup& env, options_from_env_result& out) {
  std::string name;
  const auto v = lookup(env, "PROTOCOL", name);
  if (!v) return;
  const auto value = parse::trim(*v);
  if (http::iequals(value, "http/json")) {
    out.options.protocol = otlp_protocol::http_json;
  } else if (http::iequals(value, "http/protobuf")) {
    out.options.protocol = otlp_protocol::http_protobuf;
  } else if (http::iequals(value, "grpc")) {
    out.options.protocol = otlp_protocol::grpc;
  } else {
    out.warnings.push_back(name + "='" + *v +
                           "': expected http/protobuf, http/json or grpc; sending " +
                           std::string(to_string(out.options.protocol)));
  }
}

}  // namespace

std::string_view to_string(otlp_protocol p) noexcept {
  switch (p) {
    case otlp_protocol::http_json:
      return "http/json";
    case otlp_protocol::http_protobuf:
      return "http/protobuf";
    case otlp_protocol::grpc:
      return "grpc";
  }
  return "http/json";
}

std::vector<std::pair<std::string, std::string>> parse_header_list(
    std::string_view text, std::string_view variable, std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t position = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const auto entry = parse::trim(text.substr(start, end - start));
    start = end + 1;
    ++position;
    if (entry.empty()) continue;
    const auto skip = [&](std::string_view why) {
      warnings.push_back(std::string(variable) + ": entry " + std::to_string(position) + " " +
                         std::string(why) + "; ignored");
    };
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) {
      skip("is not key=value");
      continue;
    }
    auto key = parse::percent_decode(parse::trim(entry.substr(0, eq)));
    auto value = parse::percent_decode(parse::trim(entry.substr(eq + 1)));
    if (!key || !value) {
      skip("has a bad %-escape");
    } else if (!token(*key)) {
      skip("has an invalid header name");
    } else if (value->find_first_of("\r\n") != std::string::npos) {
      skip("has a line break in its value");
    } else {
      out.emplace_back(std::move(*key), std::move(*value));
    }
  }
  return out;
}

options_from_env_result otlp_http_options_from_env(const config::env_lookup& env) {
  options_from_env_result out;
  read_protocol(env, out);
  if (out.options.protocol == otlp_protocol::grpc) out.options.url = default_grpc_url;
  read_url(env, out);
  std::string name;
  if (const auto v = lookup(env, "HEADERS", name)) {
    out.options.headers = parse_header_list(*v, name, out.warnings);
  }
  read_timeout(env, out);
  read_compression(env, out);
  return out;
}

}  // namespace vmterm::trace_otlp
