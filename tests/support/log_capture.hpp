#pragma once
/// Captures vmterm::log's lines (text format, info and up) for the lifetime of the object, for
/// tests that check what a library logged; the default configuration afterwards.

#include <sstream>
#include <string>

#include "core/log.hpp"

namespace vmterm::test {

struct log_capture {
  std::ostringstream out;
  log_capture() {
    log::configure({.service = "test",
                    .min_level = log::level::info,
                    .line_format = log::format::text,
                    .out = &out,
                    .clock = nullptr});
  }
  ~log_capture() { log::configure({}); }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;
  [[nodiscard]] std::string text() const { return out.str(); }
};

}  // namespace vmterm::test
