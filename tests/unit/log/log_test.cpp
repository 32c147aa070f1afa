#include "core/log.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace vmterm::log;
using namespace std::chrono;

namespace {

system_clock::time_point fixed_clock() noexcept {
  return system_clock::time_point(milliseconds(1785587696789));
}

log_context span_context() noexcept {
  return {"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
}
log_context no_span() noexcept { return {}; }

/// Points the process-wide logger at a string stream for one test and restores stderr after.
struct capture {
  std::ostringstream out;
  explicit capture(level min = level::debug, format f = format::json) {
    configure({"vmterm-test", min, f, &out, fixed_clock});
  }
  ~capture() {
    configure({});
    set_context_source(nullptr);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out.str());
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
};

}  // namespace

TEST_CASE("levels and formats parse from flags, and errors name the value", "[log]") {
  CHECK(parse_level("debug").value() == level::debug);
  CHECK(parse_level("INFO").value() == level::info);
  CHECK(parse_level("warning").value() == level::warn);
  CHECK(parse_level("error").value() == level::error);
  CHECK(parse_level("verbose").error().message ==
        "unknown log level 'verbose'; use debug, info, warn or error");
  CHECK(parse_format("json").value() == format::json);
  CHECK(parse_format("Text").value() == format::text);
  CHECK(parse_format("xml").error().message == "unknown log format 'xml'; use json or text");
  CHECK(to_string(level::warn) == "warn");
  CHECK(to_string(format::text) == "text");
}

TEST_CASE("a JSON line carries timestamp, level, service, message and fields", "[log]") {
  capture c;
  info("started", {{"port", 8000}, {"tls", false}});
  REQUIRE(c.lines().size() == 1);
  CHECK(c.lines()[0] ==
        "{\"timestamp\":\"2026-08-01T12:34:56.789Z\",\"level\":\"info\","
        "\"service\":\"vmterm-test\",\"message\":\"started\",\"port\":8000,\"tls\":false}");
  const auto j = nlohmann::json::parse(c.lines()[0]);
  CHECK(j["service"] == "vmterm-test");
  CHECK_FALSE(j.contains("trace_id"));
  CHECK_FALSE(j.contains("request_id"));
}

TEST_CASE("trace ids appear when the context source has a span, and only then", "[log]") {
  capture c;
  info("no source");
  set_context_source(no_span);
  info("no span");
  set_context_source(span_context);
  info("in span");
  set_context_source(nullptr);
  info("source removed");
  const auto lines = c.lines();
  REQUIRE(lines.size() == 4);
  CHECK_FALSE(nlohmann::json::parse(lines[0]).contains("trace_id"));
  CHECK_FALSE(nlohmann::json::parse(lines[1]).contains("span_id"));
  const auto j = nlohmann::json::parse(lines[2]);
  CHECK(j["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(j["span_id"] == "00f067aa0ba902b7");
  CHECK_FALSE(nlohmann::json::parse(lines[3]).contains("trace_id"));
}

TEST_CASE("request ids are scoped, nested and per thread", "[log]") {
  capture c;
  CHECK(current_request_id().empty());
  {
    request_id_scope outer("r-outer");
    info("a");
    {
      request_id_scope inner("r-inner");
      info("b");
      std::thread([] { info("other thread"); }).join();
    }
    info("c");
  }
  info("d");
  const auto lines = c.lines();
  REQUIRE(lines.size() == 5);
  CHECK(nlohmann::json::parse(lines[0])["request_id"] == "r-outer");
  CHECK(nlohmann::json::parse(lines[1])["request_id"] == "r-inner");
  CHECK_FALSE(nlohmann::json::parse(lines[2]).contains("request_id"));
  CHECK(nlohmann::json::parse(lines[3])["request_id"] == "r-outer");
  CHECK_FALSE(nlohmann::json::parse(lines[4]).contains("request_id"));
}

TEST_CASE("lines below the threshold are dropped", "[log]") {
  capture c(level::warn);
  CHECK_FALSE(enabled(level::info));
  CHECK(enabled(level::error));
  debug("d");
  info("i");
  warn("w");
  error("e");
  const auto lines = c.lines();
  REQUIRE(lines.size() == 2);
  CHECK(nlohmann::json::parse(lines[0])["level"] == "warn");
  CHECK(nlohmann::json::parse(lines[1])["level"] == "error");
}

TEST_CASE("the text format writes one readable line", "[log]") {
  capture c(level::info, format::text);
  set_context_source(span_context);
  request_id_scope rid("r9");
  warn("client slow", {{"peer", "127.0.0.1:5000"}, {"cookie", "c=1"}});
  CHECK(c.out.str() ==
        "2026-08-01T12:34:56.789Z WARN vmterm-test: client slow request_id=r9 "
        "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 "
        "peer=127.0.0.1:5000 cookie=[REDACTED]\n");
}

TEST_CASE("concurrent writers never interleave lines", "[log]") {
  capture c;
  set_context_source(span_context);
  constexpr int threads = 8;
  constexpr int per_thread = 500;
  std::vector<std::thread> pool;
  const std::string payload(200, 'x');
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) info(payload, {{"thread", t}, {"i", i}});
    });
  }
  for (auto& th : pool) th.join();
  const auto lines = c.lines();
  REQUIRE(lines.size() == threads * per_thread);
  std::vector<int> seen(threads, 0);
  for (const auto& l : lines) {
    const auto j = nlohmann::json::parse(l);
    REQUIRE(j["message"] == payload);
    REQUIRE(j["i"] == seen[j["thread"].get<std::size_t>()]++);
  }
}

TEST_CASE("logging to a failing stream neither throws nor stops later lines", "[log]") {
  struct failing_buf : std::streambuf {
    int overflow(int) override { return traits_type::eof(); }
  } buf;
  std::ostream broken(&buf);
  broken.exceptions(std::ios::badbit);
  configure({"s", level::debug, format::json, &broken, fixed_clock});
  CHECK_NOTHROW(info("lost"));
  capture c;
  info("kept");
  CHECK(c.lines().size() == 1);
}
