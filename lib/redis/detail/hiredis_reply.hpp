#pragma once
/// Conversion of hiredis's redisReply into the owning reply (internal: the only place that
/// reads redisReply's fields).

#include "redis/reply.hpp"

struct redisReply;

namespace vmterm::redis::detail {

/// A copy of `r` and everything under it; nil for a null pointer.
[[nodiscard]] reply from_hiredis(const redisReply* r);

}  // namespace vmterm::redis::detail
