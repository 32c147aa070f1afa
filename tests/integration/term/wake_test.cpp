// session_link::wake() through the real link (ws_connection): a backend that answers inside the
// session's own calls (output inside write(), its exit inside close()) makes the session wake
// its connection in the middle of a method. The wake is posted, so the pull that calls back
// into the session runs after the method has finished; every answer still arrives, in order.

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>

#include "hub_fixture.hpp"
#include "term/terminal.hpp"

using namespace vmterm;
using namespace std::chrono_literals;

namespace {

/// Echoes input from inside write() and reports its exit from inside close().
struct answering_terminal final : term::terminal {
  term::terminal_handlers handlers;
  bool exited = false;
  expected<void> start(term::term_size, term::terminal_handlers h) override {
    handlers = std::move(h);
    handlers.on_output("$ ");
    return {};
  }
  void write(std::string_view input) override { handlers.on_output(input); }
  void resize(term::term_size) override {}
  void pause() noexcept override {}
  void resume() override {}
  void close() noexcept override {
    if (exited) return;
    exited = true;
    handlers.on_exit(0, {});
  }
};

}  // namespace

TEST_CASE("a backend that answers inside write() and close() is served through the real link",
          "[integration][term]") {
  term::hub_options o;
  o.make_terminal = [](boost::asio::any_io_executor) -> expected<std::shared_ptr<term::terminal>> {
    return std::shared_ptr<term::terminal>(std::make_shared<answering_terminal>());
  };
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.read_until("$ "));
  std::string typed;
  for (int i = 0; i < 200; ++i) {  // back to back: the next key when the echo is in
    const std::string key(1, static_cast<char>('a' + i % 26));
    typed += key;
    REQUIRE(c.type(key));
    REQUIRE(c.read_until(typed, 10s, 2));
  }
  CHECK(c.output == "$ " + typed);
  REQUIRE(c.ws.send_text(R"({"type":"end"})"));
  CHECK(c.read_until_closed());
  const auto deadline = std::chrono::steady_clock::now() + 5s;  // the server sees the close
  while (f.hub->sessions() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(f.hub->sessions() == 0);
}
