#include "core/flags.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <iostream>
#include <sstream>

#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "core/version.hpp"

namespace vmterm::config {
namespace detail {

std::string duration_text(std::chrono::microseconds d) {
  const auto us = d.count();
  if (us == 0) return "0";  // no unit needed
  static constexpr std::array<std::pair<std::int64_t, std::string_view>, 6> units{{
      {86'400'000'000, "d"},
      {3'600'000'000, "h"},
      {60'000'000, "m"},
      {1'000'000, "s"},
      {1'000, "ms"},
      {1, "us"},
  }};
  for (const auto& [scale, name] : units) {
    if (us % scale == 0) return std::to_string(us / scale) + std::string(name);
  }
  return std::to_string(us) + "us";  // not reached: the last unit divides every count
}

std::string double_text(double v) {
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::to_string(v);
}

std::string help_line(const std::string& help, const std::vector<std::string>& env,
                      const std::string& fallback, const std::string& note) {
  std::string out = help;
  if (!env.empty()) {
    out += "; env ";
    for (std::size_t i = 0; i < env.size(); ++i) out += (i ? ", " : "") + env[i];
  }
  if (!fallback.empty() || !note.empty()) {
    out += " (default" + (fallback.empty() ? "" : " " + fallback) + note + ")";
  }
  return out;
}

std::string long_name(const std::string& names) {
  std::string best;
  std::stringstream in(names);
  for (std::string part; std::getline(in, part, ',');) {
    part.erase(std::remove_if(part.begin(), part.end(),
                              [](unsigned char c) { return std::isspace(c) != 0; }),
               part.end());
    if (part.rfind("--", 0) == 0 || best.empty()) best = part;
  }
  return best;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string_view::npos ? text.size() : comma;
    const auto item = parse::trim(text.substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace detail

std::string bad_value(const std::string& where, std::string_view text, bool from_env,
                      const std::string& reason, bool quote, bool secret) {
  const std::string shown = secret ? std::string() : "'" + std::string(text) + "'";
  if (from_env) {
    return "environment variable " + where + (secret ? "" : "=" + shown) + ": " + reason +
           "; fix or unset " + where;
  }
  if (quote && !secret) return where + " " + shown + ": " + reason;
  return where + ": " + reason;
}

flag_set::flag_set(CLI::App& app, env_lookup env) : app_(app), env_(std::move(env)) {}

expected<void> flag_set::resolve() {
  for (auto& e : entries_) {
    if (auto ok = e->resolve(*e, env_); !ok) return ok;
  }
  return {};
}

std::string flag_set::origin_of(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e->name == name) return e->origin;
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> flag_set::origins() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.emplace_back(e->name, e->origin);
  return out;
}

namespace {

std::string lower_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string after(std::string_view text, std::string_view prefix) {
  const auto at = text.find(prefix);
  return at == std::string_view::npos ? std::string()
                                      : std::string(text.substr(at + prefix.size()));
}

/// The path of subcommand names the user typed ("vmterm-worker call"), for the --help hint.
std::string command_path(const CLI::App& app, std::string_view tool) {
  std::string path(tool);
  const CLI::App* at = &app;
  for (;;) {
    const CLI::App* next = nullptr;
    for (const auto* sub : at->get_subcommands()) {
      if (sub->parsed()) next = sub;
    }
    if (next == nullptr) break;
    path += " " + next->get_name();
    at = next;
  }
  return path;
}

/// The subcommand the user gave, if any.
const CLI::App* parsed_command(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands()) {
    if (sub->parsed()) return sub;
  }
  return nullptr;
}

std::string subcommand_list(const CLI::App& app) {
  std::string out;
  for (const auto* sub : app.get_subcommands({})) {
    if (sub->get_name().empty()) continue;
    out += (out.empty() ? "" : ", ") + sub->get_name();
  }
  return out;
}

/// CLI11's sentence in vmterm's words: "<what is wrong with which input>; <the fix>".
std::string describe(const CLI::App& app, const CLI::ParseError& e, const std::string& path) {
  const std::string what = e.what();
  const std::string see = "; see " + path + " --help";
  // What was left over: an unknown flag, command or argument (CLI11 reports these as
  // ExtrasError, or as RequiredError when a command is required and none was recognised).
  std::vector<std::string> left = app.remaining();
  const CLI::App* cmd = parsed_command(app);
  if (left.empty() && cmd != nullptr) left = cmd->remaining();
  if (left.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const auto args = after(what, "expected: ");
    left.push_back(args.substr(0, args.find(' ')));
  }
  if (!left.empty() && !left.front().empty()) {
    const auto& first = left.front();
    if (first.size() > 1 && first[0] == '-') return "unknown flag '" + first + "'" + see;
    if (cmd == nullptr && !subcommand_list(app).empty()) {
      return "unknown command '" + first + "'; give one of " + subcommand_list(app);
    }
    return "unexpected argument '" + first + "'" + see;
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (what.rfind("A subcommand", 0) == 0) {
      return "no command given; give one of " + subcommand_list(app) + see;
    }
    return lower_first(what) + see;
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    // "--width: 1 required TEXT missing"
    const auto colon = what.find(':');
    if (colon != std::string::npos && what.find("missing") != std::string::npos) {
      return what.substr(0, colon) + " needs a value" + see;
    }
    return lower_first(what) + see;
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    // "--a excludes --b"
    const auto at = what.find(" excludes ");
    if (at != std::string::npos) {
      return what.substr(0, at) + " cannot be used with " + what.substr(at + 10) + see;
    }
  }
  if (dynamic_cast<const CLI::RequiresError*>(&e) != nullptr) {
    const auto at = what.find(" requires ");
    if (at != std::string::npos) {
      return what.substr(0, at) + " needs " + what.substr(at + 10) + " too" + see;
    }
  }
  return lower_first(what) + see;
}

}  // namespace

namespace {

/// A log word's text, checked by `valid` (log::parse_format or log::parse_level).
template <class Enum>
parse_fn<std::string> log_word(expected<Enum> (*valid)(std::string_view)) {
  return [valid](std::string_view text) -> expected<std::string> {
    const auto word = parse::trim(text);
    if (auto ok = valid(word); !ok) return tl::unexpected(ok.error());
    return std::string(word);
  };
}

}  // namespace

void add_log_flags(flag_set& flags, std::string& format, std::string& level) {
  flags.add(format, flag<std::string>{.name = "--log-format",
                                      .env = {"VMTERM_LOG_FORMAT"},
                                      .value_name = "json|text",
                                      .help = "json (one object per line) or text",
                                      .fallback = "json",
                                      .parse = log_word(&log::parse_format)});
  flags.add(level, flag<std::string>{.name = "--log-level",
                                     .env = {"VMTERM_LOG_LEVEL"},
                                     .value_name = "LEVEL",
                                     .help = "debug, info, warn or error",
                                     .fallback = "info",
                                     .parse = log_word(&log::parse_level)});
}

int usage_error(CLI::App& app, const CLI::ParseError& e, std::string_view tool) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: CLI11 prints them
  const std::string path = command_path(app, tool);
  std::cerr << tool << ": " << describe(app, e, path) << '\n';
  return 2;
}

std::string version_line(std::string_view tool) {
  const std::string version(core::version());
  const std::string described(core::git_describe());
  std::string out = std::string(tool) + " " + version;
  if (!described.empty() && described != version && described != "v" + version) {
    out += " (" + described + ")";
  }
  return out;
}

CLI::Option* add_version_flag(CLI::App& app, std::string_view tool, const std::string& names) {
  return app.set_version_flag(names, version_line(tool), "print the version and exit");
}

std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv,
                                      std::string_view tool,
                                      std::initializer_list<flag_set*> sets) {
  add_version_flag(app, tool);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e, tool);
  }
  for (auto* set : sets) {
    if (set == nullptr) continue;
    if (auto ok = set->resolve(); !ok) return refuse(tool, ok.error());
  }
  return std::nullopt;
}

int refuse(std::string_view tool, const error& e) {
  std::cerr << tool << ": " << e.message << '\n';
  return to_int(exit_code::usage);
}

std::string usage_message(const CLI::App& app, const CLI::ParseError& e, std::string_view tool) {
  return std::string(tool) + ": " + describe(app, e, command_path(app, tool));
}

}  // namespace vmterm::config
