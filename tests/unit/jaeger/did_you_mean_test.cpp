#include "jaeger/did_you_mean.hpp"

#include <catch2/catch.hpp>
#include <vector>

namespace vmterm::jaeger {

TEST_CASE("Edit distance counts inserts, deletes and replacements", "[jaeger]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("chekout", "checkout") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("abc", "") == 3);
}

TEST_CASE("An unknown service suggests the nearest known name", "[jaeger]") {
  const std::vector<std::string> known = {"cart", "checkout", "vmterm-serve", "vmterm-worker"};
  CHECK(unknown_name_message("service", "chekout", known) ==
        "unknown service 'chekout', did you mean 'checkout'?");
  CHECK(unknown_name_message("service", "vmterm-serv", known) ==
        "unknown service 'vmterm-serv', did you mean 'vmterm-serve'?");
  CHECK(unknown_name_message("service", "CART", known) ==
        "unknown service 'CART', did you mean 'cart'?");
  CHECK(nearest_name("vmterm-worke", known) == "vmterm-worker");
}

TEST_CASE("A name too far from every known one lists them instead", "[jaeger]") {
  const std::vector<std::string> known = {"cart", "checkout"};
  CHECK_FALSE(nearest_name("db", known));
  CHECK(unknown_name_message("service", "payments", known) ==
        "unknown service 'payments'; known services: cart, checkout");
  CHECK(unknown_name_message("operation", "GET /x", {}) ==
        "unknown operation 'GET /x'; no operations are known");
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) many.push_back("service-number-" + std::to_string(i));
  CHECK(unknown_name_message("service", "zzz", many) ==
        "unknown service 'zzz'; known services: service-number-0, service-number-1, "
        "service-number-2, service-number-3, service-number-4, service-number-5, "
        "service-number-6, service-number-7, service-number-8, service-number-9 and 2 more");
}

}  // namespace vmterm::jaeger
