#pragma once
// The Jaeger fixtures in ../shared/fixtures/jaeger, read whole.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

namespace vmterm::jaeger {

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(VMTERM_SHARED_DIR) + "/fixtures/jaeger/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vmterm::jaeger
