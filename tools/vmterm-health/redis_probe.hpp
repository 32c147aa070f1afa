#pragma once
/// The --redis probe: connect (AUTH/ACL user and SELECT from the URL), PING, then ROLE for the
/// report, through lib/redis (its command spans are children of the probe's span).

#include "health/report.hpp"
#include "probe.hpp"
#include "redis/url.hpp"

namespace vmterm::health_tool {

[[nodiscard]] health::check_result probe_redis(const redis::url& target,
                                               const probe_settings& settings);

}  // namespace vmterm::health_tool
