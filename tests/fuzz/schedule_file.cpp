// lib/schedule's parsers of a schedule file (the TOML subset and JSON), crontab fields,
// durations and RFC 3339 instants. Never crash; every entry of a schedule that parses has a
// next due time computable without crashing.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "schedule/crontab.hpp"
#include "schedule/instant_text.hpp"
#include "schedule/schedule_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vmterm::schedule;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_crontab(text);
  (void)parse_schedule_duration(text);
  (void)parse_instant(text);
  const auto entries = parse_schedule(text, "fuzz.toml");
  if (!entries) return 0;
  const auto utc = time_zone::utc();
  const sys_ms start{std::chrono::milliseconds(1'700'000'000'000)};
  for (const auto& e : *entries) (void)next_due(e, start, utc);
  return 0;
}
