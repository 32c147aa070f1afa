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
  // Three pings at 200 ms take 600 ms once the shell is quiet (its start-up output is traffic);
  // up to 4 s, for a sanitizer build on a busy machine.
  const auto until = std::chrono::steady_clock::now() + 4s;
  while (std::chrono::steady_clock::now() < until && c.ws.pings() < 3) c.pump(100ms);
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

namespace {

/// Every "WS /ws/terminal/" span once `n` have ended (fewer after 5 s).
std::vector<trace::span_data> ws_spans(const std::shared_ptr<trace::span_store>& store,
                                       std::size_t n) {
  std::vector<trace::span_data> out;
  for (int i = 0; i < 250; ++i) {
    out.clear();
    for (auto& s : store->spans()) {
      if (s.name == "WS /ws/terminal/") out.push_back(s);
    }
    if (out.size() >= n) break;
    std::this_thread::sleep_for(20ms);
  }
  return out;
}

std::int64_t int_attr(const trace::span_data& s, std::string_view key) {
  const auto* v = trace::find_attribute(s.attrs, key);
  return v != nullptr && std::holds_alternative<std::int64_t>(*v) ? std::get<std::int64_t>(*v) : -1;
}

std::string text_attr(const trace::span_data& s, std::string_view key) {
  const auto* v = trace::find_attribute(s.attrs, key);
  return v != nullptr && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v)
                                                                 : std::string("(none)");
}

}  // namespace

TEST_CASE("the WS span of a shell that exits records close code 1000, 'exit' and the exit code",
          "[integration][term]") {
  recorded_spans rec;
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.type("exit 3\r"));
  REQUIRE(c.read_until_closed());
  const auto spans = ws_spans(rec.store, 1);
  REQUIRE(spans.size() == 1);
  CHECK(int_attr(spans[0], "vmterm.ws.close_code") == 1000);
  CHECK(text_attr(spans[0], "vmterm.ws.close_reason") == "exit");
  CHECK(int_attr(spans[0], "vmterm.terminal.exit_code") == 3);
}

TEST_CASE("a server shutdown is recorded as 1001, a client's close with the client's code",
          "[integration][term]") {
  recorded_spans rec;
  test::hub_fixture f;
  test::term_client leaves, stays;
  REQUIRE(leaves.connect(f.port));
  REQUIRE(stays.connect(f.port));
  REQUIRE(leaves.resize(80, 24));
  REQUIRE(stays.resize(80, 24));
  CHECK_FALSE(leaves.read_control("hello").is_null());
  CHECK_FALSE(stays.read_control("hello").is_null());
  REQUIRE(leaves.ws.close(4000));
  REQUIRE(ws_spans(rec.store, 1).size() == 1);
  f.stop();
  const auto spans = ws_spans(rec.store, 2);
  REQUIRE(spans.size() == 2);
  CHECK(int_attr(spans[0], "vmterm.ws.close_code") == 4000);
  CHECK(text_attr(spans[0], "vmterm.ws.close_reason") == "client closed");
  CHECK(int_attr(spans[1], "vmterm.ws.close_code") == 1001);
  CHECK(text_attr(spans[1], "vmterm.ws.close_reason") == "server shutting down");
}

TEST_CASE("a backend that cannot start is recorded as 'backend failed', an error",
          "[integration][term]") {
  recorded_spans rec;
  term::hub_options o;
  o.make_terminal = [](boost::asio::any_io_executor) -> expected<std::shared_ptr<term::terminal>> {
    return fail(std::errc::no_such_file_or_directory, "--command: '/nonexistent' does not exist");
  };
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.read_until_closed());
  const auto spans = ws_spans(rec.store, 1);
  REQUIRE(spans.size() == 1);
  CHECK(int_attr(spans[0], "vmterm.ws.close_code") == 1000);
  CHECK(text_attr(spans[0], "vmterm.ws.close_reason") == "backend failed");
  CHECK(spans[0].status.code == trace::status_code::error);
}

TEST_CASE("a resumed connection's span links to the session's first span, by a public id",
          "[integration][term]") {
  recorded_spans rec;
  test::hub_fixture f;
  test::term_client first;
  REQUIRE(first.connect(f.port));
  const auto id = first.read_control("hello")["session"].get<std::string>();
  REQUIRE(first.resize(80, 24));
  REQUIRE(first.type("echo one-$((1+1))\r"));
  REQUIRE(first.read_until("one-2"));
  first.ws.drop();
  REQUIRE(ws_spans(rec.store, 1).size() == 1);  // the server saw the drop
  test::term_client again;
  again.received = first.received;
  REQUIRE(again.connect(f.port, "session=" + id + "&offset=" + std::to_string(first.received)));
  CHECK(again.read_control("hello")["session"] == id);
  REQUIRE(again.ws.close(1000));
  const auto spans = ws_spans(rec.store, 2);
  REQUIRE(spans.size() == 2);
  CHECK(int_attr(spans[0], "vmterm.ws.close_code") == 1006);
  CHECK(text_attr(spans[0], "vmterm.ws.close_reason") == "connection lost");
  const auto& resumed = spans[1];
  REQUIRE(resumed.links.size() == 1);
  CHECK(resumed.links[0].context.trace == spans[0].trace);
  CHECK(resumed.links[0].context.span == spans[0].span);
  const auto public_id = text_attr(spans[0], "session.id");
  CHECK(public_id.size() == 16);
  CHECK(text_attr(resumed, "session.id") == public_id);
  CHECK(public_id != id);
  CHECK(all_strings(resumed).find(id) == std::string::npos);  // never the resume credential
}

TEST_CASE("a client that stops answering is dropped by the keep-alive: 'no pong (ping timeout)'",
          "[integration][term]") {
  recorded_spans rec;
  term::hub_options o;
  o.ping_interval = 200ms;
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.type("echo alive-$((1+1))\r"));
  REQUIRE(c.read_until("alive-2"));
  // From here the client neither reads nor writes: no pong answers the server's ping. The TCP
  // connection stays up, so only the keep-alive can find out.
  const auto spans = ws_spans(rec.store, 1);
  REQUIRE(spans.size() == 1);
  CHECK(int_attr(spans[0], "vmterm.ws.close_code") == 1006);
  CHECK(text_attr(spans[0], "vmterm.ws.close_reason") == "no pong (ping timeout)");
  CHECK(f.hub->sessions() == 1);  // the session waits for a resume
}
