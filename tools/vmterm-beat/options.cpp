#include "options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/exit_code.hpp"
#include "core/flags.hpp"

namespace vmterm::beat {

namespace {
constexpr const char* tool = "vmterm-beat";
}

std::optional<int> parse_command_line(int argc, char** argv, options& opt) {
  using config::flag;
  CLI::App app{"vmterm-beat: send periodic Celery tasks from a schedule file, each tick once"};
  app.name(tool);
  app.require_subcommand(1);

  auto* check = app.add_subcommand(
      "check", "validate a schedule file and print the next due times of each entry");
  check->add_option("file", opt.check.file, "the schedule file (TOML or JSON)")->required();
  config::flag_set check_flags(*check);
  check_flags.add(opt.check.count,
                  flag<int>{.name = "--count",
                            .value_name = "N",
                            .help = "print this many due times of each entry",
                            .fallback = 5,
                            .check = [](const int& n) -> std::optional<std::string> {
                              if (n < 1 || n > 1000) return "must be 1-1000";
                              return std::nullopt;
                            }});
  check_flags.add(opt.check.json,
                  flag<bool>{.name = "--json", .help = "print JSON instead of text"});
  check_flags.add(opt.check.timezone,
                  flag<std::string>{.name = "--timezone",
                                    .env = {"VMTERM_TIMEZONE"},
                                    .value_name = "TZ",
                                    .help = "evaluate crontab entries in this IANA time zone",
                                    .fallback = "UTC"});
  check_flags.add(opt.check.now,
                  flag<std::optional<std::string>>{
                      .name = "--now",
                      .value_name = "TIME",
                      .help = "evaluate from this RFC 3339 time instead of the clock"});
  check->callback([&] { opt.command = "check"; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return config::usage_error(app, e, tool);
  }
  if (opt.command == "check") {
    if (auto ok = check_flags.resolve(); !ok) {
      std::cerr << tool << ": " << ok.error().message << '\n';
      return to_int(exit_code::usage);
    }
  }
  return std::nullopt;
}

}  // namespace vmterm::beat
