#pragma once
/// vmterm::error and vmterm::expected: how library functions report ordinary failures
/// (bad input, refused connections, undecodable messages) without exceptions.

#include <string>
#include <string_view>
#include <system_error>
#include <tl/expected.hpp>
#include <utility>

namespace vmterm {

/// A failure with a machine-checkable code and a message for people. The message follows the
/// project's form: "<action> '<input>': <reason>[; <fix>]", and never contains secrets.
struct error {
  std::error_code code;
  std::string message;

  [[nodiscard]] const std::string& what() const noexcept { return message; }
  friend bool operator==(const error&, const error&) = default;
};

/// Same shape as C++23 std::expected; tl::expected until the toolchain has it.
template <class T>
using expected = tl::expected<T, error>;

/// Builds the error side of an expected: `return fail(std::errc::invalid_argument, "...");`
[[nodiscard]] inline tl::unexpected<error> fail(std::errc code, std::string message) {
  return tl::unexpected<error>(error{std::make_error_code(code), std::move(message)});
}

[[nodiscard]] inline tl::unexpected<error> fail(std::error_code code, std::string message) {
  return tl::unexpected<error>(error{code, std::move(message)});
}

/// Prefixes context onto an error's message, keeping its code: "<context>: <message>".
[[nodiscard]] inline error with_context(error e, std::string_view context) {
  e.message = std::string(context) + ": " + e.message;
  return e;
}

}  // namespace vmterm
