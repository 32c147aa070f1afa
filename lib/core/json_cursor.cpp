#include "core/json_cursor.hpp"

#include <cstdint>

namespace vmterm::core {
namespace {

/// Containers nested deeper than this are left to the DOM decoder (no deep recursion here).
constexpr int max_depth = 128;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Checks one UTF-8 sequence starting with a byte >= 0x80 (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF); the position after it.
std::size_t utf8_sequence(std::string_view s, std::size_t at) {
  const auto byte = [&](std::size_t i) -> unsigned {
    return at + i < s.size() ? static_cast<unsigned char>(s[at + i]) : 0U;
  };
  const auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xbf) {
    const unsigned b = byte(i);
    if (b < lo || b > hi) json_cursor::decline();
  };
  const unsigned c = byte(0);
  if (c >= 0xc2 && c <= 0xdf) {
    cont(1);
    return at + 2;
  }
  if (c >= 0xe0 && c <= 0xef) {
    cont(1, c == 0xe0 ? 0xa0 : 0x80, c == 0xed ? 0x9f : 0xbf);
    cont(2);
    return at + 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    cont(1, c == 0xf0 ? 0x90 : 0x80, c == 0xf4 ? 0x8f : 0xbf);
    cont(2);
    cont(3);
    return at + 4;
  }
  json_cursor::decline();
}

unsigned hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) json_cursor::decline();
  unsigned v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    unsigned d = 0;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      json_cursor::decline();
    }
    v = v * 16 + d;
  }
  return v;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

std::string_view json_cursor::string() {
  if (peek() != '"') decline();
  const std::size_t start = ++pos_;
  std::size_t at = start;
  for (;;) {
    if (at >= text_.size()) decline();
    const auto c = static_cast<unsigned char>(text_[at]);
    if (c == '"') {
      pos_ = at + 1;
      return text_.substr(start, at - start);
    }
    if (c == '\\') return escaped_string(start, at);
    if (c < 0x20) decline();
    at = c < 0x80 ? at + 1 : utf8_sequence(text_, at);
  }
}

/// The rest of a string from its first backslash at `at`, decoded into scratch_.
std::string_view json_cursor::escaped_string(std::size_t start, std::size_t at) {
  scratch_.assign(text_.substr(start, at - start));
  for (;;) {
    if (at >= text_.size()) decline();
    const auto c = static_cast<unsigned char>(text_[at]);
    if (c == '"') {
      pos_ = at + 1;
      return scratch_;
    }
    if (c < 0x20) decline();
    if (c >= 0x80) {
      const auto next = utf8_sequence(text_, at);
      scratch_.append(text_.substr(at, next - at));
      at = next;
      continue;
    }
    if (c != '\\') {
      scratch_ += static_cast<char>(c);
      ++at;
      continue;
    }
    if (at + 1 >= text_.size()) decline();
    const char e = text_[at + 1];
    at += 2;
    switch (e) {
      case '"':
        scratch_ += '"';
        break;
      case '\\':
        scratch_ += '\\';
        break;
      case '/':
        scratch_ += '/';
        break;
      case 'b':
        scratch_ += '\b';
        break;
      case 'f':
        scratch_ += '\f';
        break;
      case 'n':
        scratch_ += '\n';
        break;
      case 'r':
        scratch_ += '\r';
        break;
      case 't':
        scratch_ += '\t';
        break;
      case 'u': {
        std::uint32_t cp = hex4(text_, at);
        at += 4;
        if (cp >= 0xdc00 && cp <= 0xdfff) decline();  // a low surrogate alone
        if (cp >= 0xd800 && cp <= 0xdbff) {           // must pair with a low surrogate
          if (at + 2 > text_.size() || text_[at] != '\\' || text_[at + 1] != 'u') decline();
          const std::uint32_t low = hex4(text_, at + 2);
          if (low < 0xdc00 || low > 0xdfff) decline();
          at += 6;
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        append_utf8(scratch_, cp);
        break;
      }
      default:
        decline();
    }
  }
}

void json_cursor::literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) decline();
  pos_ += word.size();
}

bool json_cursor::boolean() {
  const char c = peek();
  if (c == 't') {
    literal("true");
    return true;
  }
  if (c == 'f') {
    literal("false");
    return false;
  }
  decline();
}

std::string_view json_cursor::number(bool& integral) {
  peek();
  const std::size_t start = pos_;
  const auto at = [&] { return pos_ < text_.size() ? text_[pos_] : '\0'; };
  const auto digits = [&] {
    if (!is_digit(at())) decline();
    while (is_digit(at())) ++pos_;
  };
  if (at() == '-') ++pos_;
  if (at() == '0') {
    ++pos_;
  } else {
    digits();
  }
  integral = true;
  if (at() == '.') {
    ++pos_;
    digits();
    integral = false;
  }
  if (at() == 'e' || at() == 'E') {
    ++pos_;
    if (at() == '+' || at() == '-') ++pos_;
    digits();
    integral = false;
  }
  return text_.substr(start, pos_ - start);
}

std::string_view json_cursor::skip() {
  peek();
  const std::size_t start = pos_;
  skip_at(0);
  return text_.substr(start, pos_ - start);
}

void json_cursor::skip_at(int depth) {
  if (depth > max_depth) decline();
  switch (peek()) {
    case '{':
      object([&](std::string_view) { skip_at(depth + 1); });
      break;
    case '[':
      array([&] { skip_at(depth + 1); });
      break;
    case '"':
      string();
      break;
    case 't':
    case 'f':
      boolean();
      break;
    case 'n':
      literal("null");
      break;
    default: {
      bool integral = false;
      number(integral);
    }
  }
}

}  // namespace vmterm::core
