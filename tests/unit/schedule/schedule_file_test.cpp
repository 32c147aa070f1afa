// Schedule files, TOML and JSON: what they give, and every error's exact text.
#include "schedule/schedule_file.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace vmterm::schedule;
using namespace std::chrono;

namespace {
std::string error_of(const std::string& text, const std::string& file = "schedule.toml") {
  auto r = parse_schedule(text, file);
  REQUIRE_FALSE(r);
  return r.error().message;
}
}  // namespace

TEST_CASE("a TOML schedule gives its entries with their fields and defaults", "[schedule]") {
  const auto r = parse_schedule(R"(# periodic tasks
[health_check]
task = "health_check"
every = "60s"

[report]   # nightly
task = 'reports.build'
crontab = "30 2 * * mon-fri"
args = [1, "two", 3.5, true, [4]]
kwargs = { name = "x\ty", "quoted key" = { n = -2 } }
queue = "low"
priority = 9
expires = "1h"
)",
                                "schedule.toml");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  const auto& a = (*r)[0];
  CHECK(a.name == "health_check");
  CHECK(a.task == "health_check");
  CHECK(std::get<interval>(a.when).every == 60s);
  CHECK(a.args.is_null());  // none given: no allocation per entry
  CHECK(a.kwargs.is_null());
  CHECK(a.args_json() == json::array());
  CHECK(a.kwargs_json() == json::object());
  CHECK(a.queue == "celery");
  CHECK_FALSE(a.priority);
  CHECK_FALSE(a.expires);
  CHECK(a.line == 2);
  CHECK(a.when_text() == "every 1m");
  const auto& b = (*r)[1];
  CHECK(b.task == "reports.build");
  CHECK(b.when_text() == "crontab 30 2 * * mon-fri");
  CHECK(b.args.dump() == R"([1,"two",3.5,true,[4]])");
  CHECK(b.kwargs.dump() == R"({"name":"x\ty","quoted key":{"n":-2}})");
  CHECK(b.queue == "low");
  CHECK(b.priority == 9);
  CHECK(b.expires == hours(1));
  CHECK(b.line == 6);
}

TEST_CASE("a JSON schedule gives the same entries", "[schedule]") {
  const auto r =
      parse_schedule(R"({"health_check": {"task": "health_check", "every": "500ms", "args": [1]}})",
                     "schedule.json");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK(std::get<interval>(r->front().when).every == 500ms);
  CHECK(r->front().args == json::array({1}));
}

TEST_CASE("schedule errors name the file, the line and the field exactly", "[schedule]") {
  const std::string head = "[a]\ntask = \"t\"\n";
  CHECK(error_of(head + "crontab = \"61 * * * *\"\n") ==
        "schedule.toml:3: crontab \"61 * * * *\": minute 61 is out of range 0-59");
  CHECK(error_of(head + "every = \"60\"\n") ==
        "schedule.toml:3: every \"60\": needs a unit; write 60s (units: ms, s, m, h, d)");
  CHECK(error_of(head + "every = \"0s\"\n") ==
        "schedule.toml:3: every \"0s\": must be at least 1ms");
  CHECK(error_of(head + "every = \"5w\"\n") ==
        "schedule.toml:3: every \"5w\": unknown unit 'w'; use ms, s, m, h or d");
  CHECK(error_of(head + "every = \"soon\"\n") ==
        "schedule.toml:3: every \"soon\": not a duration; write a whole number and a unit, such "
        "as 500ms, 60s, 5m, 2h or 1d");
  CHECK(error_of(head + "every = 60\n") == "schedule.toml:3: every must be a string");
  CHECK(error_of(head + "expires = \"-1s\"\n" + "every = \"1s\"\n") ==
        "schedule.toml:3: expires \"-1s\": not a duration; write a whole number and a unit, "
        "such as 500ms, 60s, 5m, 2h or 1d");
  CHECK(error_of(head + "every = \"1s\"\ncrontab = \"* * * * *\"\n") ==
        "schedule.toml:4: [a] has both every and crontab; keep one");
  CHECK(error_of(head + "crontab = \"* * * * *\"\nevery = \"1s\"\n") ==
        "schedule.toml:4: [a] has both every and crontab; keep one");
  CHECK(error_of(head) ==
        "schedule.toml:1: [a] has neither every nor crontab; add every = \"60s\" or crontab = "
        "\"0 * * * *\"");
  CHECK(error_of("[a]\nevery = \"1s\"\n") ==
        "schedule.toml:1: [a] has no task; add task = \"<celery task name>\"");
  CHECK(error_of(head + "evry = \"1s\"\n") ==
        "schedule.toml:3: unknown field 'evry' in [a]; use task, every, crontab, args, kwargs, "
        "queue, priority or expires");
  CHECK(error_of(head + "every = \"1s\"\npriority = 12\n") ==
        "schedule.toml:4: priority 12 is out of range 0-9");
  CHECK(error_of(head + "every = \"1s\"\npriority = \"high\"\n") ==
        "schedule.toml:4: priority must be a whole number 0-9");
  CHECK(error_of(head + "every = \"1s\"\nargs = { a = 1 }\n") ==
        "schedule.toml:4: args must be an array, such as [1, \"two\"]");
  CHECK(error_of(head + "every = \"1s\"\nkwargs = [1]\n") ==
        "schedule.toml:4: kwargs must be a table, such as { key = \"value\" }");
  CHECK(error_of(head + "every = \"1s\"\nqueue = \"\"\n") ==
        "schedule.toml:4: queue must not be empty");
  CHECK(error_of("[a]\ntask = \"\"\n") == "schedule.toml:2: task must not be empty");
}

TEST_CASE("TOML syntax errors name the line", "[schedule]") {
  CHECK(error_of("task = \"t\"\n") ==
        "schedule.toml:1: key 'task' comes before any [entry]; start an entry with [name]");
  CHECK(error_of("[a]\n[a]\n") ==
        "schedule.toml:2: duplicate entry [a]; each entry name appears once");
  CHECK(error_of("[a]\ntask = \"t\"\ntask = \"u\"\n") ==
        "schedule.toml:3: duplicate field 'task' in [a]");
  CHECK(error_of("[a]\ntask = \"t\n") ==
        "schedule.toml:2: field 'task': unterminated string; close it with \" on the same line");
  CHECK(error_of("[a]\nargs = [1, 2\n") ==
        "schedule.toml:2: field 'args': unterminated array; arrays close with ] on the same line");
  CHECK(error_of("[a]\ntask = health_check\n") ==
        "schedule.toml:2: field 'task': 'health_check' is not a TOML value; quote strings: "
        "\"health_check\"");
  CHECK(error_of("[a]\ntask = \"t\" extra\n") ==
        "schedule.toml:2: field 'task': unexpected text after the value");
  CHECK(error_of("[[a]]\n") ==
        "schedule.toml:1: arrays of tables ([[...]]) are not supported; write [entry-name]");
  CHECK(error_of("[a]\nx.y = 1\n") ==
        "schedule.toml:2: dotted keys are not supported; write one key per line");
  CHECK(error_of("[a\n") == "schedule.toml:1: expected [entry-name] (letters, digits, _ and -)");
  CHECK(error_of("[a]\njust words\n") == "schedule.toml:2: expected key = value or [entry-name]");
  CHECK(error_of("[\"a b\"]\ntask = \"t\"\nevery = \"1s\"\n") ==
        "schedule.toml:1: entry name 'a b' must be 1-200 letters, digits, '_', '-' or '.'");
  CHECK(error_of("# nothing\n\n") ==
        "schedule.toml: no entries; add one such as [health_check] with task = \"health_check\" "
        "and every = \"60s\"");
}

TEST_CASE("JSON errors name the file and the entry", "[schedule]") {
  CHECK(error_of(R"({"a": {"task": "t", "crontab": "* 25 * * *"}})", "s.json") ==
        "s.json: [a] crontab \"* 25 * * *\": hour 25 is out of range 0-23");
  CHECK(error_of("{\"a\": {\"task\": \"t\",\n \"every\": }}", "s.json") ==
        "s.json:2: not valid JSON; check the brackets, quotes and commas near here");
  CHECK(error_of(R"({"a": {"task": "t", "every": "1s", "when": 1}})", "s.json") ==
        "s.json: [a] unknown field 'when'; use task, every, crontab, args, kwargs, queue, "
        "priority or expires");
  CHECK(error_of(R"({"a": [1]})", "s.json") == "s.json: [a] must be an object of fields");
  // A fuzzer finding: the overflow was an exception that escaped parse_schedule.
  CHECK(error_of(R"({"a": {"task": "t", "every": 1E5555}})", "s.json") ==
        "s.json: a number is too large to read; use a smaller one");
  CHECK(
      error_of(R"({"a": {"task": "t"}})", "s.json") ==
      "s.json: [a] has neither every nor crontab; add every = \"60s\" or crontab = \"0 * * * *\"");
}

TEST_CASE("an unreadable schedule file names the path and the reason", "[schedule]") {
  const auto r = read_schedule("/nonexistent/schedule.toml");
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "read schedule '/nonexistent/schedule.toml': No such file or directory");
}

TEST_CASE("nesting is bounded: thousands of '[' are refused, not a stack overflow", "[schedule]") {
  // tests/fuzz/corpus/schedule_file/deep-array-stack-overflow (scripts/fuzz found it).
  CHECK(error_of("[a]\nargs = " + std::string(100000, '[') + "\n") ==
        "schedule.toml:2: field 'args': arrays and inline tables nested more than 32 deep");
  std::string tables;
  for (int i = 0; i < 40; ++i) tables += "{a = ";
  CHECK(error_of("[a]\nkwargs = " + tables + "1\n") ==
        "schedule.toml:2: field 'kwargs': arrays and inline tables nested more than 32 deep");
  // 32 levels are still read.
  const auto ok = std::string(31, '[') + std::string(31, ']');
  CHECK(parse_schedule("[a]\ntask = \"t\"\nevery = \"1s\"\nargs = [" + ok + "]\n", "s.toml")
            .has_value());
}
