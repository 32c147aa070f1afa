#pragma once
/// A strict JSON reader over text in memory, for decoders that stream straight into their own
/// types instead of building a DOM first (lib/trace_otlp's OTLP JSON, lib/jaeger's v1 JSON). It
/// accepts exactly what RFC 8259 allows (as nlohmann_json's parser does: UTF-8 checked, surrogate
/// pairs checked, no leading zeros, no trailing commas) and throws `declined` at the first thing it
/// does not accept. It never explains why: a caller that gets `declined` hands the same text
/// to the DOM decoder, whose errors name the line, column or field.
///
/// Not thread-safe; views it returns point into the text or into its scratch buffer and are
/// valid until the next read.

#include <cstddef>
#include <string>
#include <string_view>

namespace vmterm::core {

/// Thrown by json_cursor (and the decoders on it) to give up on a document.
struct json_declined {};

class json_cursor {
 public:
  json_cursor(std::string_view text, std::size_t pos) noexcept : text_(text), pos_(pos) {}

  [[noreturn]] static void decline() { throw json_declined{}; }

  /// The position after the last value read.
  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }

  /// Skips whitespace; the next character, or '\0' at the end of the text.
  char peek() noexcept {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c;
      ++pos_;
    }
    return '\0';
  }

  /// Consumes `null` when it comes next.
  bool null() {
    if (peek() != 'n') return false;
    literal("null");
    return true;
  }
  /// A string (escapes decoded). Valid until the next read.
  std::string_view string();
  bool boolean();
  /// A number as its text; `integral` is false when it has a fraction or an exponent.
  std::string_view number(bool& integral);
  /// Skips one value of any type; its text.
  std::string_view skip();

  /// Calls `member(key)` for each member of an object; `member` must read exactly one value.
  /// `key` is valid until `member` reads something.
  template <class Member>
  void object(Member&& member) {
    expect('{');
    if (peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      if (peek() != '"') decline();
      const auto key = string();
      expect(':');
      member(key);
      const char c = peek();
      if (c == '}') {
        ++pos_;
        return;
      }
      if (c != ',') decline();
      ++pos_;
    }
  }

  /// Calls `item()` for each element of an array; `item` must read exactly one value.
  template <class Item>
  void array(Item&& item) {
    expect('[');
    if (peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      item();
      const char c = peek();
      if (c == ']') {
        ++pos_;
        return;
      }
      if (c != ',') decline();
      ++pos_;
    }
  }

 private:
  void expect(char c) {
    if (peek() != c) decline();
    ++pos_;
  }
  void literal(std::string_view word);
  std::string_view escaped_string(std::size_t start, std::size_t at);
  void skip_at(int depth);

  std::string_view text_;
  std::size_t pos_;
  std::string scratch_{};
};

}  // namespace vmterm::core
