#pragma once
// The templates behind core/flags.hpp; include flags.hpp, not this.

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/parse.hpp"

namespace vmterm::config {

namespace detail {

template <class T>
struct optional_of : std::false_type {};
template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};
template <class U>
struct optional_of<std::optional<U>> : std::true_type {
  using type = U;
};

/// Parses a flag's or a VMTERM_* variable's text: durations take a bare number as seconds.
template <class T>
[[nodiscard]] expected<T> parse_value(std::string_view text) {
  if constexpr (optional_of<T>::value) {
    auto v = parse_value<typename optional_of<T>::type>(text);
    if (!v) return tl::unexpected(v.error());
    return T(std::move(*v));
  } else if constexpr (is_duration<T>::value) {
    auto v = parse::duration(parse::trim(text), std::chrono::seconds(1));
    if (!v) return tl::unexpected(v.error());
    return std::chrono::duration_cast<T>(*v);
  } else {
    return parse_as<T>(text);
  }
}

/// "60s", "250ms", "250us", "5m": the largest unit that writes the value exactly.
[[nodiscard]] std::string duration_text(std::chrono::microseconds d);
[[nodiscard]] std::string double_text(double v);

/// The --help text: "<help>; env A, B (default X<note>)".
[[nodiscard]] std::string help_line(const std::string& help, const std::vector<std::string>& env,
                                    const std::string& fallback, const std::string& note = {});

/// "--concurrency" from "-c,--concurrency".
[[nodiscard]] std::string long_name(const std::string& names);

[[nodiscard]] std::vector<std::string> split_list(std::string_view text);

}  // namespace detail

template <class T>
std::string default_text(const T& value) {
  if constexpr (detail::optional_of<T>::value) {
    return value ? default_text(*value) : std::string();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "on" : std::string();
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return detail::double_text(static_cast<double>(value));
  } else if constexpr (detail::is_duration<T>::value) {
    static_assert(std::ratio_greater_equal_v<typename T::period, std::micro>,
                  "vmterm::config::default_text: durations are written in us or larger units");
    return detail::duration_text(std::chrono::duration_cast<std::chrono::microseconds>(value));
  } else {
    static_assert(sizeof(T) == 0, "vmterm::config::default_text: unsupported type");
  }
}

/// One declaration, type-erased: what resolve() runs for it.
struct flag_set::entry {
  std::string name;  ///< the long name, for messages and origins()
  std::vector<std::string> env;
  CLI::Option* option = nullptr;
  std::vector<std::string> raw;  ///< the text(s) CLI11 collected
  bool raw_flag = false;         ///< for bool flags
  std::string origin = "default";
  std::function<expected<void>(entry&, const env_lookup&)> resolve;
};

namespace detail {

/// How one flag's text becomes its value, and how its errors read.
template <class T>
struct value_rules {
  const parse_fn<T>& parse;
  const check_fn<T>& check;
  bool secret = false;
  bool quote_text = false;
};

template <class T>
[[nodiscard]] expected<T> checked(const std::string& where, std::string_view text, bool from_env,
                                  const value_rules<T>& rules) {
  auto v = rules.parse ? rules.parse(text) : parse_value<T>(text);
  if (!v) {
    return fail(v.error().code, bad_value(where, text, from_env, v.error().message,
                                          rules.quote_text, rules.secret));
  }
  if (rules.check) {
    if (auto bad = rules.check(*v)) {
      return fail(std::errc::invalid_argument,
                  bad_value(where, text, from_env, *bad, true, rules.secret));
    }
  }
  return v;
}

/// flag > environment > default: `parse(texts, where, from_env)` turns the flag's texts (or the
/// one environment value) into the value.
template <class V, class Parse>
[[nodiscard]] expected<void> pick(flag_set::entry& self, const env_lookup& env, V& target,
                                  const V& fallback, Parse&& parse) {
  if (self.option->count() > 0) {
    auto v = parse(self.raw, self.name, false);
    if (!v) return tl::unexpected(v.error());
    target = std::move(*v);
    self.origin = self.name;
    return {};
  }
  for (const auto& name : self.env) {
    if (auto text = env(name)) {
      auto v = parse(std::vector<std::string>{*text}, name, true);
      if (!v) return tl::unexpected(v.error());
      target = std::move(*v);
      self.origin = name;
      return {};
    }
  }
  target = fallback;
  self.origin = "default";
  return {};
}

}  // namespace detail

template <class T>
CLI::Option* flag_set::add(T& target, flag<T> decl) {
  auto e = std::make_shared<entry>();
  e->name = detail::long_name(decl.name);
  e->env = decl.env;
  const std::string shown = !decl.fallback_text.empty() ? decl.fallback_text
                            : decl.show                 ? decl.show(decl.fallback)
                                                        : default_text(decl.fallback);
  const std::string help = detail::help_line(decl.help, decl.env, shown, decl.default_note);
  if constexpr (std::is_same_v<T, bool>) {
    e->option = app_.add_flag(decl.name, e->raw_flag, help);
  } else {
    // Each text as given: no CLI11 "[a,b]" list syntax ("--kwargs '[1]'" is one JSON text).
    e->option = app_.add_option(decl.name, e->raw, help)
                    ->expected(1)
                    ->allow_extra_args(false)
                    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    if (!decl.value_name.empty()) e->option->type_name(decl.value_name);
  }
  e->resolve = [&target, decl = std::move(decl)](entry& self,
                                                 const env_lookup& env) -> expected<void> {
    return detail::pick(
        self, env, target, decl.fallback,
        [&](const std::vector<std::string>& texts, const std::string& where,
            bool from_env) -> expected<T> {
          if constexpr (std::is_same_v<T, bool>) {
            if (!from_env) return self.raw_flag;
          }
          return detail::checked<T>(
              where, texts.back(), from_env,
              detail::value_rules<T>{decl.parse, decl.check, decl.secret, decl.quote_text});
        });
  };
  entries_.push_back(e);
  return e->option;
}

template <class T>
CLI::Option* flag_set::add(std::vector<T>& target, list_flag<T> decl) {
  auto e = std::make_shared<entry>();
  e->name = detail::long_name(decl.name);
  e->env = decl.env;
  std::string shown = decl.fallback_text;
  if (shown.empty()) {
    for (const auto& v : decl.fallback) shown += (shown.empty() ? "" : ",") + default_text(v);
  }
  e->option = app_.add_option(decl.name, e->raw,
                              detail::help_line(decl.help, decl.env, shown, decl.default_note));
  e->option->expected(1)->allow_extra_args(false)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
  if (!decl.value_name.empty()) e->option->type_name(decl.value_name);
  e->resolve = [&target, decl = std::move(decl)](entry& self,
                                                 const env_lookup& env) -> expected<void> {
    return detail::pick(
        self, env, target, decl.fallback,
        [&](const std::vector<std::string>& texts, const std::string& where,
            bool from_env) -> expected<std::vector<T>> {
          std::vector<T> out;
          for (const auto& text : texts) {
            auto items =
                decl.split_commas ? detail::split_list(text) : std::vector<std::string>{text};
            for (const auto& item : items) {
              auto v = detail::checked<T>(where, item, from_env,
                                          detail::value_rules<T>{decl.parse, decl.check});
              if (!v) return tl::unexpected(v.error());
              out.push_back(std::move(*v));
            }
          }
          return out;
        });
  };
  entries_.push_back(e);
  return e->option;
}

}  // namespace vmterm::config
