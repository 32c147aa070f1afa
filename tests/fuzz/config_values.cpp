// The value parsers every tool's flags and environment variables go through (lib/core and
// lib/http): durations, sizes, whole numbers, booleans, percent escapes, command lines, listen
// addresses and origins. Never crash; a listen address that parses prints back to itself.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/address.hpp"
#include "core/command_line.hpp"
#include "core/parse.hpp"
#include "http/listen_address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vmterm;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse::duration(text, std::chrono::seconds(1));
  (void)parse::size(text);
  (void)parse::integer(text, INT64_MIN, INT64_MAX);
  (void)parse::boolean(text);
  (void)parse::percent_decode(text);
  (void)parse::split_command(text);
  (void)address::is_loopback(text);
  (void)address::valid_origin(text);
  if (const auto where = http::parse_listen_address(text)) {
    const auto again = http::parse_listen_address(where->str());
    if (!again || !(*again == *where)) {
      std::fprintf(stderr, "listen address '%s' does not print back\n", where->str().c_str());
      std::abort();
    }
  }
  return 0;
}
