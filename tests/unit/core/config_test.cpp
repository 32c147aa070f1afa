#include "core/config.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>

using namespace vmterm;
using namespace std::chrono_literals;

namespace {

config::env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("a flag wins over the environment and the default", "[core][config]") {
  const auto s = config::resolve<int>("--port", 9000, "VMTERM_PORT", 8000,
                                      fake_env({{"VMTERM_PORT", "7000"}}));
  REQUIRE(s);
  CHECK(s->value == 9000);
  CHECK(s->from == config::origin::flag);
  CHECK(s->source == "--port");
}

TEST_CASE("the environment wins over the default", "[core][config]") {
  const auto s = config::resolve<int>("--port", std::nullopt, "VMTERM_PORT", 8000,
                                      fake_env({{"VMTERM_PORT", "7000"}}));
  REQUIRE(s);
  CHECK(s->value == 7000);
  CHECK(s->from == config::origin::environment);
  CHECK(s->source == "VMTERM_PORT");
}

TEST_CASE("the default applies when neither is given, and empty variables are unset",
          "[core][config]") {
  for (const auto& env : {fake_env({}), fake_env({{"VMTERM_PORT", ""}})}) {
    const auto s = config::resolve<int>("--port", std::nullopt, "VMTERM_PORT", 8000, env);
    REQUIRE(s);
    CHECK(s->value == 8000);
    CHECK(s->from == config::origin::fallback);
    CHECK(s->source == "default");
  }
}

TEST_CASE("a bad environment value is an error naming the variable, the value and the fix",
          "[core][config]") {
  const auto s = config::resolve<std::uint16_t>("--port", std::nullopt, "VMTERM_PORT", 8000,
                                                fake_env({{"VMTERM_PORT", "80000"}}));
  REQUIRE_FALSE(s);
  CHECK(s.error().message ==
        "environment variable VMTERM_PORT='80000': '80000' is out of range; use a number from 0 "
        "to 65535; fix or unset VMTERM_PORT");
  const auto b = config::resolve<bool>("--no-auth", std::nullopt, "VMTERM_NO_AUTH", false,
                                       fake_env({{"VMTERM_NO_AUTH", "sure"}}));
  REQUIRE_FALSE(b);
  CHECK(b.error().message ==
        "environment variable VMTERM_NO_AUTH='sure': 'sure' is not a boolean; use true or false; "
        "fix or unset VMTERM_NO_AUTH");
}

TEST_CASE("a bad environment value does not matter when the flag is given", "[core][config]") {
  const auto s =
      config::resolve<int>("--port", 1, "VMTERM_PORT", 8000, fake_env({{"VMTERM_PORT", "junk"}}));
  REQUIRE(s);
  CHECK(s->value == 1);
}

TEST_CASE("strings, doubles and durations resolve from the environment", "[core][config]") {
  const auto env = fake_env({{"URL", "redis://127.0.0.1:1/0"}, {"RATIO", " 0.5 "}, {"T", "10s"}});
  CHECK(config::resolve<std::string>("--url", std::nullopt, "URL", "x", env)->value ==
        "redis://127.0.0.1:1/0");
  CHECK(config::resolve<double>("--ratio", std::nullopt, "RATIO", 1.0, env)->value == 0.5);
  CHECK(config::resolve<std::chrono::milliseconds>("--timeout", std::nullopt, "T", 1000ms, env)
            ->value == 10s);
}

TEST_CASE("without an environment variable name only flag and default count", "[core][config]") {
  const auto s = config::resolve<int>("--n", std::nullopt, "", 3, fake_env({{"", "9"}}));
  CHECK(s->value == 3);
}

TEST_CASE("the process environment treats empty as unset", "[core][config]") {
  ::setenv("VMTERM_TEST_CONFIG_EMPTY", "", 1);
  ::setenv("VMTERM_TEST_CONFIG_SET", "42", 1);
  const auto env = config::process_env();
  CHECK_FALSE(env("VMTERM_TEST_CONFIG_EMPTY"));
  CHECK_FALSE(env("VMTERM_TEST_CONFIG_NEVER_SET"));
  CHECK(env("VMTERM_TEST_CONFIG_SET") == std::optional<std::string>("42"));
}
