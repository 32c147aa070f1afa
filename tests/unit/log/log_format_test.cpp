#include "core/log_format.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <vector>

using namespace vmterm::log;
using namespace std::chrono;

namespace {
const system_clock::time_point t0 = system_clock::time_point(milliseconds(1785587696789));
}

TEST_CASE("timestamps are RFC 3339 UTC with milliseconds", "[log]") {
  CHECK(format_timestamp(t0) == "2026-08-01T12:34:56.789Z");
  CHECK(format_timestamp(system_clock::time_point{}) == "1970-01-01T00:00:00.000Z");
  CHECK(format_timestamp(system_clock::time_point(milliseconds(-1))) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("a JSON line has the core fields in order, then the extra fields", "[log]") {
  const std::vector<field> fields = {{"user", "bob"},
                                     {"bytes", 42},
                                     {"ratio", 0.5},
                                     {"ok", true},
                                     {"big", 18446744073709551615ull},
                                     {"message", "x"},
                                     {"session_token", "abc"}};
  record r;
  r.time = t0;
  r.lvl = level::warn;
  r.service = "vmterm-serve";
  r.message = "slow \"client\"\n";
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.span_id = "00f067aa0ba902b7";
  r.request_id = "req-1";
  r.fields = fields;
  const std::string line = format_json(r);
  CHECK(line ==
        "{\"timestamp\":\"2026-08-01T12:34:56.789Z\",\"level\":\"warn\","
        "\"service\":\"vmterm-serve\",\"message\":\"slow \\\"client\\\"\\n\","
        "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
        "\"request_id\":\"req-1\",\"user\":\"bob\",\"bytes\":42,\"ratio\":0.5,\"ok\":true,"
        "\"big\":18446744073709551615,\"fields.message\":\"x\",\"session_token\":\"[REDACTED]\"}"
        "\n");
  const auto j = nlohmann::json::parse(line);
  CHECK(j["bytes"] == 42);
  CHECK(j["fields.message"] == "x");
}

TEST_CASE("JSON lines stay valid for control bytes, bad UTF-8 and non-finite numbers", "[log]") {
  const std::vector<field> fields = {{"nan", std::nan("")}, {"raw", "\x01\x7f\xff\xc3\xa9"}};
  record r;
  r.time = t0;
  r.service = "s";
  r.message = "caf\xc3\xa9 \xe2\x82 \t";
  r.fields = fields;
  const std::string line = format_json(r);
  CHECK(line ==
        "{\"timestamp\":\"2026-08-01T12:34:56.789Z\",\"level\":\"info\",\"service\":\"s\","
        "\"message\":\"caf\xc3\xa9 \\ufffd\\ufffd \\t\",\"nan\":null,"
        "\"raw\":\"\\u0001\\u007f\\ufffd\xc3\xa9\"}\n");
  CHECK_NOTHROW(nlohmann::json::parse(line));
}

TEST_CASE("a text line is readable, quoted where needed and redacted", "[log]") {
  const std::vector<field> fields = {{"path", "/a b"}, {"n", 3}, {"password", "pw"}};
  record r;
  r.time = t0;
  r.lvl = level::error;
  r.service = "vmterm-worker";
  r.message = "task failed: GET /x?token=abc";
  r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  r.span_id = "00f067aa0ba902b7";
  r.request_id = "r1";
  r.fields = fields;
  CHECK(format_text(r) ==
        "2026-08-01T12:34:56.789Z ERROR vmterm-worker: task failed: GET /x?token=[REDACTED] "
        "request_id=r1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 "
        "path=\"/a b\" n=3 password=[REDACTED]\n");
}

TEST_CASE("redaction applies to messages and fields of JSON lines", "[log][redact]") {
  const std::vector<field> fields = {
      {"Authorization", "Bearer abc"}, {"url", "/ws?token=abc"}, {"api_key", 12345}};
  record r;
  r.time = t0;
  r.service = "s";
  r.message = "sent Bearer eyJhbGciOi.x.y to redis://:pw@h";
  r.fields = fields;
  CHECK(format_json(r) ==
        "{\"timestamp\":\"2026-08-01T12:34:56.789Z\",\"level\":\"info\",\"service\":\"s\","
        "\"message\":\"sent Bearer [REDACTED] to redis://:[REDACTED]@h\","
        "\"Authorization\":\"[REDACTED]\",\"url\":\"/ws?token=[REDACTED]\","
        "\"api_key\":\"[REDACTED]\"}\n");
}
