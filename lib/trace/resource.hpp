#pragma once
/// Building the process's resource: detected attributes (host, process, SDK), then
/// OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, each overriding the one before.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "trace/env.hpp"
#include "trace/span_data.hpp"

namespace vmterm::trace {

/// vmterm's SDK version (the project version).
[[nodiscard]] std::string_view sdk_version() noexcept;

struct parsed_resource_attributes {
  attributes attrs;                 ///< string values, percent-decoded, in order
  std::vector<std::string> errors;  ///< one message per skipped entry
};

/// Parses "k1=v1,k2=v2" (OTEL_RESOURCE_ATTRIBUTES): keys and values are trimmed and
/// percent-decoded. An entry without '=', with an empty key or with a bad %-escape is skipped
/// with an error such as "entry 'foo' has no '='". Pure.
[[nodiscard]] parsed_resource_attributes parse_resource_attributes(std::string_view text);

/// The resource for a tool: service.name (OTEL_SERVICE_NAME, else service.name from
/// OTEL_RESOURCE_ATTRIBUTES, else `default_service_name`), service.version, a random
/// service.instance.id, host.name, process.pid, process.executable.name and telemetry.sdk.*.
/// Bad OTEL_RESOURCE_ATTRIBUTES entries warn and are skipped.
[[nodiscard]] std::shared_ptr<const resource> make_resource(std::string_view default_service_name,
                                                            const config::env_lookup& env,
                                                            const warn_fn& warn);

/// Sets `key` in `attrs`, replacing an existing value.
void set_attr(attributes& attrs, std::string_view key, attribute_value value);

}  // namespace vmterm::trace
