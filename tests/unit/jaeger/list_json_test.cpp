#include "jaeger/list_json.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::jaeger;

TEST_CASE("services --json is one object with the sorted names", "[jaeger]") {
  CHECK(render_services_json({"checkout", "frontend"}) ==
        "{\"services\":[\"checkout\",\"frontend\"]}\n");
  CHECK(render_services_json({}) == "{\"services\":[]}\n");
  CHECK(render_services_json({"caf\xC3", "a\"b"}) ==
        "{\"services\":[\"caf\xEF\xBF\xBD\",\"a\\\"b\"]}\n");
}

TEST_CASE("operations --json names the service; an unknown kind is null", "[jaeger]") {
  CHECK(render_operations_json("checkout", {{"GET /cart", "server"}, {"charge", ""}}) ==
        R"({"service":"checkout","operations":[{"name":"GET /cart","kind":"server"},)"
        R"({"name":"charge","kind":null}]})"
        "\n");
}
