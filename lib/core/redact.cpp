#include "core/redact.hpp"

#include <array>
#include <cstddef>

namespace vmterm::log {
namespace {

constexpr std::array<std::string_view, 10> secret_suffixes = {
    "token",  "password", "passwd", "secret",      "authorization",
    "cookie", "api_key",  "apikey", "private_key", "passphrase"};

char fold(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  if (c == '-') return '_';
  return c;
}

bool ends_with_folded(std::string_view key, std::string_view suffix) noexcept {
  if (key.size() < suffix.size()) return false;
  const std::size_t off = key.size() - suffix.size();
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (fold(key[off + i]) != suffix[i]) return false;
  }
  return true;
}

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_key_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '-'; }
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool ends_value(char c) noexcept {
  return is_space(c) || c == '&' || c == '"' || c == '\'' || c == ',' || c == ';' || c == ')' ||
         c == '#';
}

bool starts_with_bearer(std::string_view text, std::size_t i) noexcept {
  constexpr std::string_view word = "bearer";
  if (i > 0 && is_alnum(text[i - 1])) return false;
  if (text.size() - i < word.size() + 2) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (fold(text[i + k]) != word[k]) return false;
  }
  return text[i + word.size()] == ' ';
}

/// Length of the value starting at `i` (up to a delimiter).
std::size_t value_length(std::string_view text, std::size_t i) noexcept {
  std::size_t n = 0;
  while (i + n < text.size() && !ends_value(text[i + n])) ++n;
  return n;
}

/// For "scheme://user:pw@host", the [begin, end) of "pw" when `i` points at "://".
bool userinfo_password(std::string_view text, std::size_t i, std::size_t& begin,
                       std::size_t& end) noexcept {
  const std::size_t start = i + 3;
  std::size_t stop = start;
  while (stop < text.size() && !is_space(text[stop]) && text[stop] != '/' && text[stop] != '?' &&
         text[stop] != '#' && text[stop] != '"' && text[stop] != '\'') {
    ++stop;
  }
  const std::size_t at = text.substr(start, stop - start).rfind('@');
  if (at == std::string_view::npos) return false;
  const std::size_t colon = text.substr(start, at).find(':');
  if (colon == std::string_view::npos || colon + 1 == at) return false;
  begin = start + colon + 1;
  end = start + at;
  return true;
}

}  // namespace

bool is_secret_key(std::string_view key) noexcept {
  for (const auto suffix : secret_suffixes) {
    if (ends_with_folded(key, suffix)) return true;
  }
  return false;
}

std::string redact_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t key_start = 0;  // start of the run of key characters ending at i
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if ((c == 'b' || c == 'B') && starts_with_bearer(text, i)) {
      std::size_t j = i + 6;
      while (j < text.size() && text[j] == ' ') ++j;
      const std::size_t n = value_length(text, j);
      out.append(text.substr(i, j - i));
      out.append(n > 0 ? redacted : std::string_view{});
      i = j + n;
      key_start = i;
      continue;
    }
    if (c == '=' && key_start < i && is_secret_key(text.substr(key_start, i - key_start))) {
      const std::size_t n = value_length(text, i + 1);
      out.push_back('=');
      if (n > 0) out.append(redacted);
      i += 1 + n;
      key_start = i;
      continue;
    }
    if (c == ':' && text.substr(i, 3) == "://") {
      std::size_t begin = 0;
      std::size_t end = 0;
      if (userinfo_password(text, i, begin, end)) {
        out.append(text.substr(i, begin - i));
        out.append(redacted);
        i = end;
        key_start = i;
        continue;
      }
    }
    out.push_back(c);
    ++i;
    if (!is_key_char(c)) key_start = i;
  }
  return out;
}

}  // namespace vmterm::log
