#include "options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "core/exit_code.hpp"
#include "core/flags.hpp"
#include "http/metrics_flags.hpp"

namespace vmterm::beat {

namespace {

using namespace std::chrono_literals;
using config::flag;
constexpr const char* tool = "vmterm-beat";

config::check_fn<std::chrono::milliseconds> at_least(std::chrono::milliseconds min,
                                                     std::string text) {
  return [min, text](const std::chrono::milliseconds& v) -> std::optional<std::string> {
    if (v < min) return "must be at least " + text;
    return std::nullopt;
  };
}

void add_run_flags(config::flag_set& f, run_options& o) {
  f.add(o.schedule_file, flag<std::string>{.name = "--schedule",
                                           .env = {"VMTERM_SCHEDULE"},
                                           .value_name = "FILE",
                                           .help = "the schedule file (TOML or JSON)"});
  f.add(o.broker, flag<std::string>{.name = "--broker",
                                    .env = {"VMTERM_REDIS_URL", "CELERY_BROKER_URL"},
                                    .value_name = "URL",
                                    .help = "the Redis broker",
                                    .fallback = "redis://127.0.0.1:6379/0"});
  f.add(o.timezone, flag<std::string>{.name = "--timezone",
                                      .env = {"VMTERM_TIMEZONE"},
                                      .value_name = "TZ",
                                      .help = "evaluate crontab entries in this IANA time zone",
                                      .fallback = "UTC"});
  f.add(o.lease, flag<std::chrono::milliseconds>{
                     .name = "--lease",
                     .env = {"VMTERM_BEAT_LEASE"},
                     .value_name = "DURATION",
                     .help = "the leader lease; a standby takes over this long after a leader dies",
                     .fallback = 5s,
                     .check = at_least(100ms, "100ms")});
  f.add(o.max_interval,
        flag<std::chrono::milliseconds>{.name = "--max-interval",
                                        .value_name = "DURATION",
                                        .help = "wake at least this often, whatever the schedule",
                                        .fallback = 1s,
                                        .check = at_least(1ms, "1ms")});
  config::add_log_flags(f, o.log_format, o.log_level);
  http::add_metrics_flags(f, o.metrics_listen, o.token_file);
}

}  // namespace

std::optional<int> parse_command_line(int argc, char** argv, options& opt) {
  CLI::App app{"vmterm-beat: send periodic Celery tasks from a schedule file, each tick once"};
  app.name(tool);
  config::flag_set run_flags(app);
  add_run_flags(run_flags, opt.run);

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

  auto* status = app.add_subcommand(
      "status", "who leads, and each entry's last and next run (uses --broker and --schedule)");
  config::flag_set status_flags(*status);
  status_flags.add(opt.status.json,
                   flag<bool>{.name = "--json", .help = "print JSON instead of text"});
  status->callback([&] { opt.command = "status"; });

  // The subcommand's own flags resolve only when it was given.
  if (auto code = config::parse_command_line(app, argc, argv, tool, {&run_flags})) return code;
  for (auto* f : {opt.command == "check" ? &check_flags : nullptr,
                  opt.command == "status" ? &status_flags : nullptr}) {
    if (f == nullptr) continue;
    if (auto ok = f->resolve(); !ok) return config::refuse(tool, ok.error());
  }
  auto token = http::metrics_token(opt.run.token_file);
  if (!token) {
    std::cerr << tool << ": " << token.error().message << '\n';
    return to_int(exit_code::usage);
  }
  opt.run.metrics_token = std::move(*token);
  if (opt.command != "check" && opt.run.schedule_file.empty()) {
    std::cerr << tool << ": no schedule file; give --schedule FILE or set VMTERM_SCHEDULE\n";
    return to_int(exit_code::usage);
  }
  return std::nullopt;
}

}  // namespace vmterm::beat
