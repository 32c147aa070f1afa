// The man page documents every flag --help shows, and the endpoints and close codes.
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
  auto text = read_file(std::filesystem::path(VMTERM_MAN_DIR) / "vmterm-worker.1");
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '-') continue;
    out += text[i];
  }
  return out;
}

}  // namespace

TEST_CASE("every flag in vmterm-worker --help appears in the man page", "[worker][man]") {
  const auto man = man_text();
  REQUIRE_FALSE(man.empty());
  const auto help = run_tool("vmterm-worker", {"--help"});
  REQUIRE(help.exit_code == 0);
  const auto flags = flags_in(help.out);
  CHECK(flags.size() >= 15);
  for (const auto& flag : flags) {
    INFO(flag);
    CHECK(man.find(flag) != std::string::npos);
  }
}

TEST_CASE("every flag of call and inspect appears in the man page", "[worker][man]") {
  const auto man = man_text();
  for (const char* sub : {"call", "inspect"}) {
    const auto help = run_tool("vmterm-worker", {sub, "--help"});
    REQUIRE(help.exit_code == 0);
    for (const auto& flag : flags_in(help.out)) {
      INFO(sub << " " << flag);
      CHECK(man.find(flag) != std::string::npos);
    }
  }
}

TEST_CASE("the man page documents tasks, interop, metrics, spans and exit codes", "[worker][man]") {
  const auto man = man_text();
  for (const char* text :
       {"health_check", "VMTERM_TASK_ARGS", "TRACEPARENT", "EX_TEMPFAIL", "add.delay(2, 3)",
        "vmterm_worker_tasks_received_total", "run/", "apply_async/", "x-vmterm-dead-reason",
        ".B 0", ".B 1", ".B 2", ".B 3"}) {
    INFO(text);
    CHECK(man.find(text) != std::string::npos);
  }
}
