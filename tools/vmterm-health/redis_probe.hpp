#pragma once
/// The --redis probe: connect (AUTH/ACL user and SELECT from the URL), PING, then ROLE for the
/// report, through lib/redis (its command spans are children of the probe's span).

#include "health/report.hpp"
#include "probe.hpp"
#include "redis/url.hpp"

namespace vmterm::health_tool {

/// A lib/redis error as a probe reports it: Redis's own words without lib/redis's "redis 'URL': "
/// prefix and advice, and its error_type (timeout, refused, auth, dns or protocol). The --task
/// probe's connections fail the same way.
struct redis_failure {
  std::string reason;
  std::string_view error_type;
};
[[nodiscard]] redis_failure describe_redis_error(const error& e, const redis::url& u);

[[nodiscard]] health::check_result probe_redis(const redis::url& target,
                                               const probe_settings& settings);

}  // namespace vmterm::health_tool
