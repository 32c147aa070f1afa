#include "jaeger/json_render.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sample_trace.hpp"

namespace vmterm::jaeger {
using namespace test;
using nlohmann::json;

TEST_CASE("JSON output is one documented object per trace per line", "[jaeger]") {
  std::vector<trace_tree> trees;
  trees.push_back(sample_trace());
  const auto text = render_json(trees);
  REQUIRE(text.back() == '\n');
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 1);
  const auto j = json::parse(text);
  CHECK(j["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(j["start_unix_nano"] == "1706678909209712000");
  CHECK(j["end_unix_nano"] == "1706678909222012000");
  CHECK(j["duration_ns"] == 12'300'000);
  CHECK(j["root"] ==
        json{{"span_id", "0000000000000061"}, {"service", "checkout"}, {"name", "GET /cart"}});
  CHECK(j["span_count"] == 3);
  CHECK(j["error_count"] == 1);
  CHECK(j["orphan_count"] == 0);
  CHECK(j["duplicate_count"] == 0);
  CHECK(j["cycle_count"] == 0);
  REQUIRE(j["spans"].size() == 3);
  const auto& root = j["spans"][0];
  CHECK(root["parent_span_id"].is_null());
  CHECK(root["depth"] == 0);
  CHECK(root["kind"] == "server");
  CHECK(root["self_time_ns"] == 3'400'000);
  CHECK(root["status"] == json{{"code", "unset"}, {"message", ""}});
  CHECK(root["attributes"] == json{{"http.request.method", "GET"}});
  CHECK(root["on_critical_path"] == true);
  const auto& publish = j["spans"][2];
  CHECK(publish["span_id"] == "0000000000000063");
  CHECK(publish["parent_span_id"] == "0000000000000061");
  CHECK(publish["depth"] == 1);
  CHECK(publish["service"] == "checkout");
  CHECK(publish["name"] == "publish");
  CHECK(publish["start_unix_nano"] == "1706678909219512000");
  CHECK(publish["duration_ns"] == 400'000);
  CHECK(publish["status"] == json{{"code", "error"}, {"message", "timeout"}});
  CHECK(publish["events"] == json::array({{{"name", "retry"},
                                           {"time_unix_nano", "1706678909219712000"},
                                           {"attributes", {{"attempt", 2}}}}}));
  CHECK(publish["links"] == json::array());
  CHECK(publish["anomalies"] == json::array());
  // Keys come in the documented order.
  CHECK(text.rfind("{\"trace_id\":", 0) == 0);
  CHECK(text.find("\"spans\":[{\"span_id\":\"0000000000000061\",\"parent_span_id\":null,") !=
        std::string::npos);
}

TEST_CASE("JSON output honours the filter and reports anomalies and links", "[jaeger]") {
  auto linked = span("l", "lost", "l", 1, 2);
  trace::link link;
  link.context.trace = tid("00000000000000000000000000000002");
  link.context.span = sid("x");
  link.attrs.push_back({"opentracing.ref_type", std::string("follows_from")});
  linked.links.push_back(link);
  linked.attrs.push_back({"list", std::vector<std::int64_t>{1, 2}});
  linked.attrs.push_back({"ratio", 0.5});
  linked.attrs.push_back({"bad", std::string("\xff")});
  const auto t = build_tree({span("r", "", "root", 0, 10), linked});
  const auto j = json::parse(render_json(t, select(t, {.service = "svc"})));
  CHECK(j["orphan_count"] == 1);
  REQUIRE(j["spans"].size() == 2);
  const auto& s = j["spans"][1];
  CHECK(s["anomalies"] == json::array({"orphan"}));
  CHECK(s["links"] == json::array({{{"trace_id", "00000000000000000000000000000002"},
                                    {"span_id", "0000000000000078"},
                                    {"attributes", {{"opentracing.ref_type", "follows_from"}}}}}));
  CHECK(s["attributes"]["list"] == json::array({1, 2}));
  CHECK(s["attributes"]["ratio"] == 0.5);
  CHECK(s["attributes"]["bad"] == "\xef\xbf\xbd");  // invalid UTF-8 replaced, never thrown
  const auto none = json::parse(render_json(t, select(t, {.service = "other"})));
  CHECK(none["spans"].empty());
  CHECK(none["span_count"] == 2);
}

}  // namespace vmterm::jaeger
