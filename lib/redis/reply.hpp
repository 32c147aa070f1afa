#pragma once
/// A Redis reply that owns its memory: a value tree converted from hiredis's redisReply once,
/// so callers never touch hiredis types. Typed accessors return expected<T> with messages that
/// say what was expected and what came.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vmterm::redis {

enum class reply_type : std::uint8_t { nil, status, error, integer, string, array };

class reply {
 public:
  reply() = default;  ///< nil
  static reply make_nil() { return {}; }
  static reply make_status(std::string s);
  static reply make_error(std::string s);
  static reply make_integer(std::int64_t v);
  static reply make_string(std::string s);
  static reply make_array(std::vector<reply> elements);

  [[nodiscard]] reply_type type() const noexcept { return type_; }
  [[nodiscard]] bool is_nil() const noexcept { return type_ == reply_type::nil; }
  [[nodiscard]] bool is_error() const noexcept { return type_ == reply_type::error; }
  /// The text of a status, error or string reply (empty otherwise).
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] std::int64_t integer() const noexcept { return integer_; }
  [[nodiscard]] const std::vector<reply>& elements() const noexcept { return elements_; }
  /// Moves the text / the elements out (the reply keeps its type, with empty contents): for
  /// callers that keep large replies' bytes without copying them.
  [[nodiscard]] std::string release_text() noexcept { return std::move(text_); }
  [[nodiscard]] std::vector<reply> release_elements() noexcept { return std::move(elements_); }

  /// A string (or status) reply's text; error otherwise ("expected a string reply, got an
  /// integer (3)").
  [[nodiscard]] expected<std::string> as_string() const;
  /// A string or nil reply: nullopt for nil.
  [[nodiscard]] expected<std::optional<std::string>> as_optional_string() const;
  [[nodiscard]] expected<std::int64_t> as_integer() const;
  [[nodiscard]] expected<std::vector<reply>> as_array() const;
  /// For messages: `"OK"`, `(integer) 3`, `(nil)`, `(error) ERR ...`, `(array of 2)`.
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const reply&, const reply&) = default;

 private:
  reply_type type_ = reply_type::nil;
  std::string text_;
  std::int64_t integer_ = 0;
  std::vector<reply> elements_;
};

}  // namespace vmterm::redis
