#include "usage.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "core/exit_code.hpp"

namespace vmterm::trace_cli {
namespace {

constexpr const char* commands = "services, operations, search, stats, show";

/// The arguments of CLI11's "The following argument(s) was/were not expected: a b".
std::vector<std::string> not_expected(const std::string& what) {
  std::vector<std::string> out;
  const auto colon = what.find(": ");
  if (colon == std::string::npos) return out;
  std::size_t at = colon + 2;
  while (at < what.size()) {
    auto end = what.find(' ', at);
    if (end == std::string::npos) end = what.size();
    if (end > at) out.push_back(what.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

/// The deepest subcommand that was given ("" for none).
CLI::App* given_command(CLI::App& app) {
  for (auto* sub : app.get_subcommands()) {
    if (sub->parsed()) return sub;
  }
  return nullptr;
}

std::string message_for(CLI::App& app, const CLI::ParseError& e) {
  auto* cmd = given_command(app);
  const std::string help = cmd != nullptr ? "vmterm-trace " + cmd->get_name() + " --help"
                                          : std::string("vmterm-trace --help");
  auto extras = app.remaining();
  if (extras.empty() && cmd != nullptr) extras = cmd->remaining();
  if (extras.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    extras = not_expected(e.what());
  }
  if (!extras.empty()) {
    const auto& first = extras.front();
    if (first.size() > 1 && first[0] == '-') return "unknown flag '" + first + "'; see " + help;
    if (cmd == nullptr) {
      return "unknown command '" + first + "'; give one of " + std::string(commands);
    }
    return cmd->get_name() + ": unexpected argument '" + first + "'; see " + help;
  }
  if (cmd == nullptr && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    return "no command given; give one of " + std::string(commands) + " (see " + help + ")";
  }
  std::string what = e.what();
  return (cmd != nullptr ? cmd->get_name() + ": " : std::string()) + what + "; see " + help;
}

}  // namespace

int usage_error(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help
  std::cerr << "vmterm-trace: " << message_for(app, e) << '\n';
  return to_int(exit_code::usage);
}

}  // namespace vmterm::trace_cli
