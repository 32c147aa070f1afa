#pragma once
/// One way to declare a setting: its flag, environment variables, default, parser, help text
/// and value name are written once, in one `flag<T>` declaration. `--help`, the environment
/// lookup (flag > environment > default), the exact error texts and the man-page test derive
/// from it, so they cannot disagree.
///
///   vmterm::config::flag_set flags(app, "vmterm-worker");
///   flags.add(s.concurrency, {.name = "--concurrency", .value_name = "N",
///                             .help = "run this many tasks at once", .fallback = 4});
///   flags.add(s.broker, {.name = "--broker", .env = {"VMTERM_REDIS_URL", "CELERY_BROKER_URL"},
///                        .value_name = "URL", .help = "the Redis broker",
///                        .fallback = std::string("redis://127.0.0.1:6379/0")});
///   app.parse(argc, argv);             // CLI11 collects the text only
///   if (auto ok = flags.resolve(); !ok) { std::cerr << ok.error().message; return 2; }
///
/// `--help` shows "run this many tasks at once (default 4)" and, with env names,
/// "...; env VMTERM_REDIS_URL, CELERY_BROKER_URL (default redis://127.0.0.1:6379/0)".
///
/// Values are parsed by config::parse_as<T> (core/config.hpp). Durations follow the rule of
/// vmterm(7): a whole number with a unit (250ms, 10s, 5m, 2h, 1d); a bare number means seconds
/// in every tool's flags and VMTERM_* variables (OTEL_* keep the OpenTelemetry rule:
/// milliseconds). Errors name the input and the fix, exactly:
///   "--concurrency: 'abc' is not a whole number"
///   "environment variable VMTERM_CONCURRENCY='abc': 'abc' is not a whole number; fix or unset
///    VMTERM_CONCURRENCY"
///   "--prefetch '0': must be at least 1"                      (from a check)

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"

namespace vmterm::config {

/// A check on a parsed value: an error message ("must be at least 1") or nullopt when fine.
template <class T>
using check_fn = std::function<std::optional<std::string>(const T&)>;

/// Turns a flag's or a variable's text into the value, instead of the type's rule
/// (config::parse_as; durations take a bare number as seconds). Its error message says what is
/// wrong with the text ("parse listen address '8000': missing port; ..."); the flag or the
/// variable is named in front of it.
template <class T>
using parse_fn = std::function<expected<T>(std::string_view)>;

/// One setting, declared once.
template <class T>
struct flag {
  std::string name;                ///< "--concurrency" or "-c,--concurrency"
  std::vector<std::string> env{};  ///< looked up in order; the first set one wins
  std::string value_name{};        ///< "N", "URL", "DURATION" (empty for bool flags)
  std::string help{};              ///< what it does, without the default or env names
  T fallback{};                    ///< the default, written only here
  /// How the default reads in --help and the man page ("4", "1 day"); empty: derived from
  /// fallback (durations print as "60s").
  std::string fallback_text{};
  check_fn<T> check{};  ///< optional range or form check
  parse_fn<T> parse{};  ///< optional: the text's own parser (see parse_fn)
  /// Said after the default in --help: "; 0: end it at once" reads "(default 60s; 0: end it at
  /// once)"; without a default, ": your login shell" reads "(default: your login shell)".
  std::string default_note{};
  /// How the default reads in --help when default_text() does not fit ("1MiB" for a size).
  std::function<std::string(const T&)> show{};
  /// The value is a secret (a URL with a password): messages never repeat the text.
  bool secret = false;
  /// Parse errors read "--flag '<text>': <reason>", as a check's do, for parsers whose reason
  /// does not quote the text itself ("must be a whole number from 1 to 10000").
  bool quote_text = false;
};

/// A flag given several times (--queue a --queue b); env holds a comma-separated list.
template <class T>
struct list_flag {
  std::string name;
  std::vector<std::string> env{};
  std::string value_name{};
  std::string help{};
  std::vector<T> fallback{};
  std::string fallback_text{};
  check_fn<T> check{};
  parse_fn<T> parse{};  ///< parses one item
  std::string default_note{};
  /// Each text is one item, commas and all (shell commands); the environment is then unused.
  bool split_commas = true;
};

/// The declarations of one program (or subcommand) and how to resolve them.
class flag_set {
 public:
  explicit flag_set(CLI::App& app, env_lookup env = process_env());

  /// Declares a flag whose resolved value is written to `target` by resolve(). bool flags take
  /// no value on the command line ("--early-ack"), and "true"/"false"/... in the environment.
  template <class T>
  CLI::Option* add(T& target, flag<T> decl);
  template <class T>
  CLI::Option* add(std::vector<T>& target, list_flag<T> decl);

  /// After app.parse(): flag > environment > default for every declaration, in declaration
  /// order; the first error is returned (its message has no tool prefix; main adds it).
  [[nodiscard]] expected<void> resolve();

  /// Where each setting came from, for `--print-config`-style diagnostics and tests:
  /// {"--concurrency", "VMTERM_CONCURRENCY" | "--concurrency" | "default"}.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> origins() const;
  /// One flag's origin, by its long name ("--known-hosts"): the flag, the variable that gave
  /// the value, or "default"; "" for a name not declared here.
  [[nodiscard]] std::string origin_of(std::string_view name) const;

  struct entry;  ///< one declaration, type-erased

 private:
  CLI::App& app_;
  env_lookup env_;
  std::vector<std::shared_ptr<entry>> entries_;
};

/// The message of a bad value: "--flag: <reason>", "--flag '<text>': <reason>" (quote) or, from
/// the environment, "environment variable X='<text>': <reason>; fix or unset X". A secret's
/// text never shows. For checks made after resolve() that still name where a value came from.
[[nodiscard]] std::string bad_value(const std::string& where, std::string_view text, bool from_env,
                                    const std::string& reason, bool quote = false,
                                    bool secret = false);

/// The text --help shows for a default: "60s", "4", "redis://127.0.0.1:6379/0".
template <class T>
[[nodiscard]] std::string default_text(const T& value);

/// --log-format (json or text; env VMTERM_LOG_FORMAT; default json) and --log-level (debug,
/// info, warn or error; env VMTERM_LOG_LEVEL; default info), the same in every tool. The texts
/// are checked here; log::parse_format() and log::parse_level() then cannot fail on them.
void add_log_flags(flag_set& flags, std::string& format, std::string& level);

/// Usage errors for every tool, one form: "<tool>: <what is wrong with which input>; <the fix>".
/// Turns CLI11's exceptions into that form ("vmterm-worker: unknown flag '--bogus'; see
/// vmterm-worker --help"), prints it to stderr and returns exit code 2 (0 for --help).
[[nodiscard]] int usage_error(CLI::App& app, const CLI::ParseError& e, std::string_view tool);
/// "<tool> <version>", e.g. "vmterm-serve 0.4.0 (v0.4.0-12-gabc1234)": the CMake project
/// version, and `git describe` when the source tree was a git checkout at configure time.
[[nodiscard]] std::string version_line(std::string_view tool);
/// Adds the flag that prints version_line() on stdout and exits 0 (CLI11's CallForVersion,
/// which usage_error() passes to CLI11). parse_command_line() calls it; a tool that parses on
/// its own (vmterm-health) calls it once.
CLI::Option* add_version_flag(CLI::App& app, std::string_view tool,
                              const std::string& names = "--version");
/// The lines every main() starts with: adds --version (which prints version_line() and exits
/// 0) to `app`, parses the command line, then resolves each non-null flag set (flag >
/// environment > default). nullopt: go on; otherwise the exit code, after printing
/// usage_error()'s line (2; 0 after --help or --version) or "<tool>: <resolve error>" (2).
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc,
                                                    const char* const* argv, std::string_view tool,
                                                    std::initializer_list<flag_set*> sets = {});
/// Prints "<tool>: <message>" to stderr and returns 2 (exit_code::usage): a configuration that
/// resolved badly.
[[nodiscard]] int refuse(std::string_view tool, const error& e);
/// The line usage_error() prints, without printing it (for tests).
[[nodiscard]] std::string usage_message(const CLI::App& app, const CLI::ParseError& e,
                                        std::string_view tool);

}  // namespace vmterm::config

#include "core/detail/flags_impl.hpp"
