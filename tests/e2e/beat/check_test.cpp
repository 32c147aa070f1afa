// `vmterm-beat check FILE`: exit codes and the exact text of its output and errors.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {

run_result beat(const std::vector<std::string>& args, const temp_dir& dir) {
  run_options opt;
  opt.cwd = dir.path();
  opt.env["VMTERM_TIMEZONE"] = std::nullopt;
  opt.env["VMTERM_SCHEDULE"] = std::nullopt;
  return run_tool("vmterm-beat", args, opt);
}

constexpr const char* two_entries = R"(# two entries
[health_check]
task = "health_check"
every = "60s"

[nightly]
task = "reports.build"
crontab = "30 2 * * *"
args = [1]
priority = 3
expires = "1h"
)";

}  // namespace

TEST_CASE("check prints the next due times of each entry in the time zone", "[beat]") {
  temp_dir dir;
  write_file(dir / "schedule.toml", two_entries);
  const auto r = beat({"check", "schedule.toml", "--count", "3", "--timezone", "Europe/Berlin",
                       "--now", "2024-03-30T23:58:30Z"},
                      dir);
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "schedule.toml: 2 entries, time zone Europe/Berlin, from 2024-03-31T00:58:30+01:00\n"
        "[health_check] task health_check, every 1m, queue celery\n"
        "  2024-03-31T00:59:00+01:00\n"
        "  2024-03-31T01:00:00+01:00\n"
        "  2024-03-31T01:01:00+01:00\n"
        "[nightly] task reports.build, crontab 30 2 * * *, queue celery, priority 3, expires 1h\n"
        "  2024-03-31T03:00:00+02:00\n"
        "  2024-04-01T02:30:00+02:00\n"
        "  2024-04-02T02:30:00+02:00\n");
}

TEST_CASE("check --json gives the same entries for programs", "[beat]") {
  temp_dir dir;
  write_file(dir / "s.json",
             R"({"fast": {"task": "ping", "every": "250ms", "kwargs": {"a": "b"}}})");
  const auto r =
      beat({"check", "s.json", "--json", "--count", "2", "--now", "2024-05-01T10:00:00.100Z"}, dir);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["timezone"] == "UTC");
  CHECK(j["now"] == "2024-05-01T10:00:00.100+00:00");
  REQUIRE(j["entries"].size() == 1);
  const auto& e = j["entries"][0];
  CHECK(e["name"] == "fast");
  CHECK(e["task"] == "ping");
  CHECK(e["every_ms"] == 250);
  CHECK(e["kwargs"] == nlohmann::json{{"a", "b"}});
  CHECK(e["priority"].is_null());
  CHECK(e["next"] ==
        nlohmann::json{"2024-05-01T10:00:00.250+00:00", "2024-05-01T10:00:00.500+00:00"});
}

TEST_CASE("the time zone comes from VMTERM_TIMEZONE when --timezone is not given", "[beat]") {
  temp_dir dir;
  write_file(dir / "s.toml", "[a]\ntask = \"t\"\ncrontab = \"0 9 * * *\"\n");
  run_options opt;
  opt.cwd = dir.path();
  opt.env["VMTERM_TIMEZONE"] = "America/New_York";
  const auto r = run_tool(
      "vmterm-beat", {"check", "s.toml", "--count", "1", "--now", "2024-03-10T12:00:00Z"}, opt);
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "s.toml: 1 entry, time zone America/New_York, from 2024-03-10T08:00:00-04:00\n"
        "[a] task t, crontab 0 9 * * *, queue celery\n"
        "  2024-03-10T09:00:00-04:00\n");
}

TEST_CASE("a bad schedule exits 2 with the file, line and field", "[beat]") {
  temp_dir dir;
  write_file(dir / "schedule.toml",
             "[health_check]\ntask = \"health_check\"\n\n\n\n\ncrontab = \"61 * * * *\"\n");
  const auto r = beat({"check", "schedule.toml"}, dir);
  CHECK(r.exit_code == 2);
  CHECK(r.out == "");
  CHECK(r.err ==
        "vmterm-beat: schedule.toml:7: crontab \"61 * * * *\": minute 61 is out of range 0-59\n");
}

TEST_CASE("usage errors exit 2 with one line naming the input and the fix", "[beat]") {
  temp_dir dir;
  write_file(dir / "s.toml", "[a]\ntask = \"t\"\nevery = \"1s\"\n");
  const auto err_of = [&](std::vector<std::string> args) {
    const auto r = beat(args, dir);
    CHECK(r.exit_code == 2);
    return r.err;
  };
  CHECK(err_of({"check", "missing.toml"}) ==
        "vmterm-beat: read schedule 'missing.toml': No such file or directory\n");
  CHECK(err_of({"check", "s.toml", "--timezone", "Mars/Base"}) ==
        "vmterm-beat: time zone 'Mars/Base': no such zone in /usr/share/zoneinfo; use an IANA "
        "name such as Europe/Berlin or UTC (install the tzdata package)\n");
  CHECK(err_of({"check", "s.toml", "--count", "0"}) ==
        "vmterm-beat: --count '0': must be 1-1000\n");
  CHECK(err_of({"check", "s.toml", "--now", "yesterday"}) ==
        "vmterm-beat: --now 'yesterday' is not an RFC 3339 time; write such as "
        "2024-03-30T12:00:00Z\n");
  CHECK(err_of({"check"}) == "vmterm-beat: file is required; see vmterm-beat check --help\n");
  CHECK(err_of({}) ==
        "vmterm-beat: no schedule file; give --schedule FILE or set VMTERM_SCHEDULE\n");
  CHECK(err_of({"--schedule", "s.toml", "--lease", "10ms"}) ==
        "vmterm-beat: --lease '10ms': must be at least 100ms\n");
  CHECK(err_of({"check", "s.toml", "--bogus"}) ==
        "vmterm-beat: unknown flag '--bogus'; see vmterm-beat check --help\n");
}

TEST_CASE("the default schedule scripts/run uses is valid: health_check every 60 s", "[beat]") {
  temp_dir dir;
  const auto file = std::filesystem::path(VMTERM_SCHEDULE_DIR) / "beat-schedule.toml";
  const auto r =
      beat({"check", file.string(), "--count", "1", "--now", "2024-05-01T10:00:30Z"}, dir);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("[health_check] task health_check, every 1m, queue celery\n"
                   "  2024-05-01T10:01:00+00:00\n") != std::string::npos);
}
