#pragma once
/// The resume request a reconnecting client puts in the WebSocket URL's query,
/// `?session=ID&offset=N`, pure. Other parameters are ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::term {

struct resume_request {
  std::string session;       ///< the id from the server's hello
  std::uint64_t offset = 0;  ///< output bytes the client has
  friend bool operator==(const resume_request&, const resume_request&) = default;
};

/// nullopt when the query names no session (a new session); an error naming the parameter
/// when `session` or `offset` is malformed: "resume: 'offset' must be a whole number".
[[nodiscard]] expected<std::optional<resume_request>> parse_resume_query(std::string_view query);

}  // namespace vmterm::term
