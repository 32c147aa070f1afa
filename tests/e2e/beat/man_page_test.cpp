// The man page documents every flag --help shows, each subcommand and the exit codes.
#include <catch2/catch.hpp>
#include <cctype>
#include <set>

#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {

bool flag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/// Every "-x" or "--name" that starts a word (no std::regex: GCC 12 warns inside it under ASan).
std::set<std::string> flags_in(const std::string& help) {
  std::set<std::string> out;
  for (std::size_t i = 0; i + 1 < help.size(); ++i) {
    const bool word_start =
        i == 0 || help[i - 1] == ' ' || help[i - 1] == ',' || help[i - 1] == '\n';
    if (!word_start || help[i] != '-') continue;
    std::size_t end = i + 1;
    while (end < help.size() && flag_char(help[end])) ++end;
    const auto flag = help.substr(i, end - i);
    const auto dashes = flag.find_first_not_of('-');
    if (dashes != std::string::npos && dashes <= 2 &&
        std::isalpha(static_cast<unsigned char>(flag[dashes]))) {
      out.insert(flag);
    }
    i = end;
  }
  return out;
}

/// roff escapes '-' as '\-'; undo that for matching.
std::string man_text() {
  auto text = read_file(std::filesystem::path(VMTERM_MAN_DIR) / "vmterm-beat.1");
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '-') continue;
    out += text[i];
  }
  return out;
}

}  // namespace

TEST_CASE("every flag in vmterm-beat --help appears in the man page", "[beat][man]") {
  const auto man = man_text();
  REQUIRE_FALSE(man.empty());
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"check", "--help"}}) {
    const auto r = run_tool("vmterm-beat", args);
    REQUIRE(r.exit_code == 0);
    for (const auto& flag : flags_in(r.out)) {
      INFO(args.front() << ": " << flag);
      CHECK(man.find(flag) != std::string::npos);
    }
  }
}

TEST_CASE("the man page documents the schedule format, the subcommands and the exit codes",
          "[beat][man]") {
  const auto man = man_text();
  for (const char* text : {".B check", "every", "crontab", "@hourly", "expires", "priority",
                           "VMTERM_TIMEZONE", "EXIT STATUS", "Europe/Berlin"}) {
    INFO(text);
    CHECK(man.find(text) != std::string::npos);
  }
}
