#include "core/command_line.hpp"

#include <cstring>
#include <utility>

namespace vmterm::parse {

expected<std::vector<std::string>> split_command(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
    } else if (c == '\\' && i + 1 < text.size() &&
               (quote == 0 || std::strchr("\"\\$`", text[i + 1]))) {
      word += text[++i];
      in_word = true;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    return fail(std::errc::invalid_argument, std::string("unterminated ") + quote + " quote");
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return fail(std::errc::invalid_argument, "empty command");
  return words;
}

}  // namespace vmterm::parse
