// The bridge's span and pings: one SERVER span per WebSocket, child of the upgrade request's
// span, with byte counts and events but never the bytes.

#include <catch2/catch.hpp>
#include <memory>

#include "hub_fixture.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/provider.hpp"
#include "trace/tracer.hpp"

using namespace vmterm;
using namespace std::chrono_literals;

namespace {

/// Installs a global provider recording into a store for the test's lifetime.
struct recorded_spans {
  recorded_spans() {
    trace::tracer_provider_options o;
    o.processor = std::make_unique<trace::simple_processor>(
        std::make_unique<trace::in_memory_exporter>(store));
    trace::provider::set(std::make_shared<trace::tracer_provider>(std::move(o)));
  }
  ~recorded_spans() { trace::provider::reset(); }
  recorded_spans(const recorded_spans&) = delete;
  recorded_spans& operator=(const recorded_spans&) = delete;

  std::optional<trace::span_data> wait_for(std::string_view name) const {
    for (int i = 0; i < 250; ++i) {
      for (auto& s : store->spans()) {
        if (s.name == name) return s;
      }
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }

  std::shared_ptr<trace::span_store> store = std::make_shared<trace::span_store>();
};

bool has_event(const trace::span_data& s, std::string_view name) {
  for (const auto& e : s.events) {
    if (e.name == name) return true;
  }
  return false;
}

/// Every string in the span's attributes and events, to check no terminal byte got in.
std::string all_strings(const trace::span_data& s) {
  std::string out;
  const auto add = [&out](const trace::attributes& attrs) {
    for (const auto& a : attrs) {
      out += a.key + "=";
      if (const auto* v = std::get_if<std::string>(&a.value)) out += *v;
      out += ";";
    }
  };
  add(s.attrs);
  for (const auto& e : s.events) {
    out += e.name + ":";
    add(e.attrs);
  }
  return out;
}

}  // namespace

TEST_CASE("each WebSocket gets a server span under the upgrade's span, without its bytes",
          "[integration][term]") {
  recorded_spans rec;
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port));
  const auto id = c.read_control("hello")["session"].get<std::string>();
  REQUIRE(c.resize(90, 20));
  REQUIRE(c.type("echo secret-$((6*7))\r"));
  REQUIRE(c.read_until("secret-42"));
  REQUIRE(c.type("exit 0\r"));
  REQUIRE(c.read_until_closed());
  const auto ws = rec.wait_for("WS /ws/terminal/");
  REQUIRE(ws);
  const auto upgrade = rec.wait_for("GET /ws/terminal/");
  REQUIRE(upgrade);
  CHECK(ws->kind == trace::span_kind::server);
  CHECK(ws->trace == upgrade->trace);
  CHECK(ws->parent == upgrade->span);
  CHECK(has_event(*ws, "resize"));
  CHECK(has_event(*ws, "start"));
  CHECK(has_event(*ws, "exit"));
  const auto* in = trace::find_attribute(ws->attrs, "vmterm.terminal.input_bytes");
  REQUIRE(in != nullptr);
  CHECK(std::get<std::int64_t>(*in) == 28);
  const auto* out = trace::find_attribute(ws->attrs, "vmterm.terminal.output_bytes");
  REQUIRE(out != nullptr);
  CHECK(std::get<std::int64_t>(*out) == static_cast<std::int64_t>(c.received));
  const auto text = all_strings(*ws);
  CHECK(text.find("secret") == std::string::npos);
  CHECK(text.find(id) == std::string::npos);
}

TEST_CASE("an idle WebSocket is pinged every ping interval", "[integration][term]") {
  term::hub_options o;
  o.ping_interval = 200ms;
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  while (std::chrono::steady_clock::now() < until) c.pump(100ms);
  CHECK(c.ws.pings() >= 3);
  CHECK_FALSE(c.ws.closed());
}

TEST_CASE("a client that answers no pings is dropped and its session waits for a resume",
          "[integration][term]") {
  term::hub_options o;
  o.ping_interval = 200ms;
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  const auto id = c.read_control("hello")["session"].get<std::string>();
  std::this_thread::sleep_for(1200ms);  // not reading: no pong goes back
  test::term_client again;
  again.received = c.received;
  REQUIRE(again.connect(f.port, "session=" + id + "&offset=" + std::to_string(c.received)));
  CHECK(again.read_control("hello")["session"] == id);
  CHECK(f.hub->sessions() == 1);
}
