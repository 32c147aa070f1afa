#pragma once
/// The resume request a reconnecting client puts in the WebSocket URL's query,
/// `?session=ID&offset=N[&replay=held]`, pure. Other parameters are ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::term {

struct resume_request {
  std::string session;       ///< the id from the server's hello
  std::uint64_t offset = 0;  ///< output bytes the client has
  /// `replay=held`: start at the oldest byte held rather than after `offset` (a reloaded page
  /// whose screen is empty); `offset` still may not claim more than was sent.
  bool replay_held = false;
  friend bool operator==(const resume_request&, const resume_request&) = default;
};

/// nullopt when the query names no session (a new session); an error naming the parameter
/// when `session`, `offset` or `replay` is malformed: "resume: 'offset' must be a whole number".
[[nodiscard]] expected<std::optional<resume_request>> parse_resume_query(std::string_view query);

/// The raw (still percent-encoded) value of the first `key=` in a query; nullopt when absent.
[[nodiscard]] std::optional<std::string_view> query_parameter(std::string_view query,
                                                              std::string_view key) noexcept;

}  // namespace vmterm::term
