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

/// The entry of `flag` in a man page's text (from man_text): from the ".TP" whose tag line
/// names the flag to the next ".TP", ".SS" or ".SH", with roff's font changes (\fB, \fI, \fR,
/// \fP) and quotes removed; "" when no entry names it.
[[nodiscard]] std::string man_entry(const std::string& man, const std::string& flag);

/// The same, looked for first in the ".SS <subcommand>" section (a flag that two subcommands
/// share, with different defaults, has an entry in each), then in the whole page.
[[nodiscard]] std::string man_entry(const std::string& man, const std::string& flag,
                                    const std::string& subcommand);

/// The value part of a --help default text: "60s; 0: end it at once" -> "60s", "0: never" ->
/// "0", "127.0.0.1:8000" stays whole.
[[nodiscard]] std::string default_value(const std::string& default_text);

}  // namespace vmterm::test
