#include "man_page.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "temp_dir.hpp"

namespace vmterm::test {
namespace {

bool flag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/// The flag that starts at `i` (a '-' at a word start), or "".
std::string flag_at(const std::string& text, std::size_t i) {
  const bool word_start = i == 0 || text[i - 1] == ' ' || text[i - 1] == ',' || text[i - 1] == '\n';
  if (!word_start || text[i] != '-') return {};
  std::size_t end = i + 1;
  while (end < text.size() && flag_char(text[end])) ++end;
  auto flag = text.substr(i, end - i);
  const auto dashes = flag.find_first_not_of('-');
  if (dashes == std::string::npos || dashes > 2 ||
      std::isalpha(static_cast<unsigned char>(flag[dashes])) == 0) {
    return {};
  }
  return flag;
}

}  // namespace

// No std::regex: GCC 12 warns inside it under ASan.
std::set<std::string> flags_in(const std::string& help) {
  std::set<std::string> out;
  for (std::size_t i = 0; i + 1 < help.size(); ++i) {
    auto flag = flag_at(help, i);
    if (flag.empty()) continue;
    i += flag.size();
    out.insert(std::move(flag));
  }
  return out;
}

std::map<std::string, std::string> defaults_in(const std::string& help) {
  std::map<std::string, std::string> out;
  std::istringstream in(help);
  std::string line, flag;
  while (std::getline(in, line)) {
    // A flag's entry starts with blanks then the flag; its description may wrap onto lines
    // that start with blanks only.
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    if (line[first] == '-') {
      flag.clear();
      for (std::size_t i = first; i < line.size() && line[i] != ' '; ++i) {
        auto f = flag_at(line, i);
        if (f.rfind("--", 0) == 0) flag = f;
        if (!f.empty()) i += f.size();
      }
    }
    const auto at = line.rfind("(default ");
    if (at == std::string::npos || flag.empty()) continue;
    const auto end = line.find(')', at);
    if (end != std::string::npos) out[flag] = line.substr(at + 9, end - at - 9);
  }
  return out;
}

std::string man_text(const std::string& page) {
  const auto path = std::filesystem::path(VMTERM_TEST_SOURCE_DIR) / "man" / page;
  if (!std::filesystem::exists(path)) return {};
  const auto text = read_file(path);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '-') continue;
    out += text[i];
  }
  return out;
}

std::string man_entry(const std::string& man, const std::string& flag) {
  for (std::size_t at = man.find(".TP\n"); at != std::string::npos;
       at = man.find("\n.TP\n", at + 1)) {
    const auto tag = man.find('\n', at + 1) + 1;
    const auto tag_end = man.find('\n', tag);
    const auto tag_line = man.substr(tag, tag_end - tag);
    const auto f = tag_line.find(flag);
    const auto after = f == std::string::npos ? '\0' : tag_line[f + flag.size()];
    if (f == std::string::npos || flag_char(after)) continue;
    auto end = man.size();
    for (const char* next : {"\n.TP", "\n.SS", "\n.SH"})
      end = std::min(end, man.find(next, tag_end));
    std::string out;
    const auto raw = man.substr(tag, end - tag);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 2 < raw.size() && raw[i + 1] == 'f') {
        ++i, ++i;  // \fB, \fI, \fR, \fP
        continue;
      }
      if (raw[i] != '"') out += raw[i];
    }
    return out;
  }
  return {};
}

std::string man_entry(const std::string& man, const std::string& flag,
                      const std::string& subcommand) {
  if (!subcommand.empty()) {
    const auto title = "\n.SS " + subcommand + "\n";
    if (const auto at = man.find(title); at != std::string::npos) {
      auto end = man.size();
      for (const char* next : {"\n.SS ", "\n.SH "}) end = std::min(end, man.find(next, at + 1));
      // From the title's line on, so that the section's first ".TP" starts as a page's does.
      auto entry = man_entry(man.substr(at + 1, end - at - 1), flag);
      if (!entry.empty()) return entry;
    }
  }
  return man_entry(man, flag);
}

std::string default_value(const std::string& default_text) {
  return default_text.substr(0, std::min(default_text.find("; "), default_text.find(": ")));
}

}  // namespace vmterm::test
