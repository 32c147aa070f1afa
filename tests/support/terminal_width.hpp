#pragma once
// An oracle for "fits in N columns" independent of lib/jaeger's text_cells.cpp, shared by the
// unit and e2e width tests: glibc's wcswidth in the C.UTF-8 locale (Unicode's East Asian Width
// data), after removing ANSI colour sequences.

#include <clocale>
#include <cwchar>
#include <sstream>
#include <string>
#include <vector>

namespace vmterm::test {

/// The columns a terminal gives `line` (-1 when it holds something unprintable).
inline int terminal_columns(const std::string& line) {
  static const bool locale_set = std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr;
  (void)locale_set;
  std::string plain;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b') {
      while (i < line.size() && line[i] != 'm') ++i;
      continue;
    }
    plain += line[i];
  }
  std::wstring wide(plain.size() + 1, L'\0');
  const auto n = std::mbstowcs(wide.data(), plain.c_str(), wide.size());
  if (n == static_cast<std::size_t>(-1)) return -1;
  wide.resize(n);
  return ::wcswidth(wide.c_str(), wide.size());
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace vmterm::test
