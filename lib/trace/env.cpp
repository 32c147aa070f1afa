#include "trace/env.hpp"

#include <unistd.h>

#include "core/parse.hpp"

namespace vmterm::trace {

warn_fn stderr_warn(std::string prefix) {
  return [prefix = std::move(prefix)](const std::string& message) {
    const std::string line = prefix + ": " + message + "\n";
    // One write(2) so that lines from several threads do not interleave.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
  };
}

std::optional<std::string> env_value(const config::env_lookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {

void warn_bad(const warn_fn& warn, std::string_view name, const std::string& value,
              const std::string& reason, std::string_view fallback) {
  if (!warn) return;
  warn(std::string(name) + "='" + value + "': " + reason + "; using the default " +
       std::string(fallback));
}

}  // namespace

std::optional<std::int64_t> env_integer(const config::env_lookup& env, std::string_view name,
                                        std::int64_t min, std::int64_t max,
                                        std::string_view fallback, const warn_fn& warn) {
  auto text = env_value(env, name);
  if (!text) return std::nullopt;
  auto v = parse::integer(parse::trim(*text), min, max);
  if (!v) {
    warn_bad(warn, name, *text, v.error().message, fallback);
    return std::nullopt;
  }
  return *v;
}

std::optional<std::chrono::milliseconds> env_millis(const config::env_lookup& env,
                                                    std::string_view name,
                                                    std::string_view fallback,
                                                    const warn_fn& warn) {
  auto text = env_value(env, name);
  if (!text) return std::nullopt;
  const auto trimmed = parse::trim(*text);
  if (!trimmed.empty() && trimmed.front() == '-') {
    warn_bad(warn, name, *text, "a duration cannot be negative", fallback);
    return std::nullopt;
  }
  auto v = parse::duration(trimmed);
  if (!v) {
    warn_bad(warn, name, *text, v.error().message, fallback);
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*v);
}

bool env_bool(const config::env_lookup& env, std::string_view name, const warn_fn& warn) {
  auto text = env_value(env, name);
  if (!text) return false;
  const auto lower = ascii_lower(parse::trim(*text));
  if (lower == "true") return true;
  if (lower != "false") warn_bad(warn, name, *text, "expected true or false", "false");
  return false;
}

}  // namespace vmterm::trace
