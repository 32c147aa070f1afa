#include "trace/resource.hpp"

#include <unistd.h>

#include <climits>
#include <optional>

#include "core/parse.hpp"
#include "trace/id_generator.hpp"
#include "trace/semconv.hpp"

#ifndef VMTERM_VERSION
#define VMTERM_VERSION "0.0.0"
#endif

namespace vmterm::trace {
namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

std::string executable_name() {
  char buf[PATH_MAX] = {};
  const auto n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string_view path(buf, static_cast<std::size_t>(n));
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

std::string_view sdk_version() noexcept { return VMTERM_VERSION; }

void set_attr(attributes& attrs, std::string_view key, attribute_value value) {
  for (auto& a : attrs) {
    if (a.key == key) {
      a.value = std::move(value);
      return;
    }
  }
  attrs.push_back(attribute{std::string(key), std::move(value)});
}

parsed_resource_attributes parse_resource_attributes(std::string_view text) {
  parsed_resource_attributes out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto raw = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    const auto entry = parse::trim(raw);
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) {
      out.errors.push_back("entry '" + std::string(entry) + "' has no '='");
      continue;
    }
    auto key = parse::percent_decode(parse::trim(entry.substr(0, eq)));
    auto value = parse::percent_decode(parse::trim(entry.substr(eq + 1)));
    if (!key || !value) {
      out.errors.push_back("entry '" + std::string(entry) + "' has a bad %-escape");
      continue;
    }
    if (key->empty()) {
      out.errors.push_back("entry '" + std::string(entry) + "' has an empty key");
      continue;
    }
    set_attr(out.attrs, *key, std::move(*value));
  }
  return out;
}

std::shared_ptr<const resource> make_resource(std::string_view default_service_name,
                                              const config::env_lookup& env, const warn_fn& warn) {
  auto res = std::make_shared<resource>();
  auto& a = res->attrs;
  set_attr(a, semconv::service_name,
           std::string(default_service_name.empty() ? "unknown_service" : default_service_name));
  set_attr(a, semconv::service_version, std::string(sdk_version()));
  set_attr(a, semconv::service_instance_id, random_uuid());
  if (auto h = host_name(); !h.empty()) set_attr(a, semconv::host_name, std::move(h));
  set_attr(a, semconv::process_pid, static_cast<std::int64_t>(::getpid()));
  if (auto e = executable_name(); !e.empty()) {
    set_attr(a, semconv::process_executable_name, std::move(e));
  }
  set_attr(a, semconv::telemetry_sdk_name, std::string("vmterm"));
  set_attr(a, semconv::telemetry_sdk_language, std::string("cpp"));
  set_attr(a, semconv::telemetry_sdk_version, std::string(sdk_version()));
  if (auto text = env_value(env, "OTEL_RESOURCE_ATTRIBUTES")) {
    auto parsed = parse_resource_attributes(*text);
    for (const auto& e : parsed.errors) {
      if (warn) warn("OTEL_RESOURCE_ATTRIBUTES: " + e + "; skipping it");
    }
    for (auto& attr : parsed.attrs) set_attr(a, attr.key, std::move(attr.value));
  }
  if (auto name = env_value(env, "OTEL_SERVICE_NAME")) {
    set_attr(a, semconv::service_name, std::move(*name));
  }
  return res;
}

}  // namespace vmterm::trace
