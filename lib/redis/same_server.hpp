#pragma once
/// Whether two Redis URLs reach one server as one user (any db): one connection can serve
/// both, with a SELECT between them (the worker's result-and-ack script, task_call's GET).

#include "redis/url.hpp"

namespace vmterm::redis {

[[nodiscard]] inline bool same_server(const url& a, const url& b) noexcept {
  return a.host == b.host && a.port == b.port && a.unix_path == b.unix_path && a.user == b.user &&
         a.password == b.password;
}

}  // namespace vmterm::redis
