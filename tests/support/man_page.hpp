#pragma once
/// What the man-page tests of every tool share: the flags a --help text shows, and a man page's
/// text with roff's '\-' turned back into '-' so flags can be found in it.

#include <map>
#include <set>
#include <string>

namespace vmterm::test {

/// Every "-x" or "--name" that starts a word in a --help text.
[[nodiscard]] std::set<std::string> flags_in(const std::string& help);

/// "--concurrency" → "4" for every --help line that ends its description with "(default X)".
[[nodiscard]] std::map<std::string, std::string> defaults_in(const std::string& help);

/// man/<page> (e.g. "vmterm-worker.1") from the source tree, '\-' unescaped; "" when absent.
[[nodiscard]] std::string man_text(const std::string& page);

}  // namespace vmterm::test
