#pragma once
/// Internal to lib/term: the session id a client resumes with, and the bound on making it.

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "core/error.hpp"

namespace vmterm::term::detail {

/// getrandom(2)'s shape, so that a test can make it fail.
using random_source = ssize_t (*)(void* buffer, std::size_t length, unsigned int flags);

/// getrandom(2) calls before a session id is given up on: an interrupted or short read is
/// retried, a persistent error (no entropy source, a seccomp filter) must not spin.
inline constexpr int random_attempts = 8;

/// 128 random bits in hex: the id a client resumes with (a capability; never logged). Fails in
/// words ("cannot make a session id: getrandom: ...") when `source` gives no random bytes in
/// `random_attempts` calls.
[[nodiscard]] expected<std::string> new_session_id(random_source source);

}  // namespace vmterm::term::detail
