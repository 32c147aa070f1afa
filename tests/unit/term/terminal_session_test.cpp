// terminal_session driven without a socket: a fake backend and a fake connection that pulls.

#include "term/detail/terminal_session.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <vector>

namespace {

using namespace vmterm;
using namespace vmterm::term;
using namespace std::chrono_literals;

struct fake_terminal final : terminal {
  terminal_handlers handlers;
  std::optional<term_size> started;
  std::vector<term_size> resizes;
  std::string input;
  bool paused = false;
  int pauses = 0;
  int resumes = 0;
  bool closed = false;

  expected<void> start(term_size size, terminal_handlers h) override {
    started = size;
    handlers = std::move(h);
    return {};
  }
  void write(std::string_view in) override { input += in; }
  void resize(term_size size) override { resizes.push_back(size); }
  void pause() noexcept override {
    paused = true;
    ++pauses;
  }
  void resume() override {
    paused = false;
    ++resumes;
  }
  void close() noexcept override { closed = true; }
  void emit(std::string_view bytes) { handlers.on_output(bytes); }
};

struct fake_link final : session_link {
  int wakes = 0;
  bool aborted = false;
  void wake() override { ++wakes; }
  void abort() noexcept override { aborted = true; }
};

struct fixture {
  explicit fixture(hub_options o = {}) {
    backend = std::make_shared<fake_terminal>();
    o.make_terminal = [this](boost::asio::any_io_executor) -> expected<std::shared_ptr<terminal>> {
      return backend;
    };
    options = std::make_shared<const hub_options>(std::move(o));
    session = std::make_shared<terminal_session>(ioc.get_executor(), "abc", options, hub_metrics{},
                                                 [this](const std::string&) { gone = true; });
  }

  /// Everything the writer would send now, as it would: text as "T:...", binary as is, close
  /// as "C:code:reason". The clock moves 1 s per pull so the coalescer never waits.
  std::vector<std::string> drain(const session_link* link) {
    std::vector<std::string> out;
    for (;;) {
      now += 1s;
      auto item = session->next(link, now);
      if (item.type == outgoing::kind::text) {
        out.push_back("T:" + item.data);
      } else if (item.type == outgoing::kind::binary) {
        out.push_back(item.data);
      } else if (item.type == outgoing::kind::close) {
        out.push_back("C:" + std::to_string(item.code) + ":" + item.data);
      } else {
        return out;
      }
    }
  }

  std::string ack(std::uint64_t n) { return R"({"type":"ack","bytes":)" + std::to_string(n) + "}"; }

  boost::asio::io_context ioc;
  std::shared_ptr<fake_terminal> backend;
  std::shared_ptr<const hub_options> options;
  std::shared_ptr<terminal_session> session;
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
  bool gone = false;
};

nlohmann::json control(const std::string& item) {
  REQUIRE(item.rfind("T:", 0) == 0);
  return nlohmann::json::parse(item.substr(2));
}

}  // namespace

TEST_CASE("a new session says hello, starts the shell at the first resize and sends output",
          "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  auto out = f.drain(link.get());
  REQUIRE(out.size() == 1);
  CHECK(control(out[0])["type"] == "hello");
  CHECK(control(out[0])["session"] == "abc");
  CHECK(control(out[0])["readonly"] == false);
  CHECK_FALSE(f.backend->started);
  f.session->on_binary(link.get(), "early");  // typed before the shell runs: kept for it
  f.session->on_text(link.get(), R"({"type":"resize","cols":120,"rows":40})");
  REQUIRE(f.backend->started);
  CHECK(*f.backend->started == term_size{120, 40});
  CHECK(f.backend->input == "early");
  f.session->on_text(link.get(), R"({"type":"resize","cols":100,"rows":30})");
  REQUIRE(f.backend->resizes.size() == 1);
  CHECK(f.backend->resizes[0] == term_size{100, 30});
  f.backend->emit("$ ");
  out = f.drain(link.get());
  REQUIRE(out.size() == 1);
  CHECK(out[0] == "$ ");
}

TEST_CASE("a session whose client sends no size starts at 80x24 after a second",
          "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.ioc.run_for(1500ms);
  REQUIRE(f.backend->started);
  CHECK(*f.backend->started == term_size{80, 24});
}

TEST_CASE("an ack beyond what was sent closes the connection with 1008", "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  f.backend->emit("12345");
  (void)f.drain(link.get());
  f.session->on_text(link.get(), f.ack(5));
  CHECK(f.drain(link.get()).empty());
  f.session->on_text(link.get(), f.ack(6));
  const auto out = f.drain(link.get());
  REQUIRE(out.size() == 2);
  CHECK(control(out[0])["message"] == "control message: ack of 6 bytes is more than the 5 sent");
  CHECK(out[1] == "C:1008:bad ack");
}

TEST_CASE("unacknowledged output past the window pauses the backend until acks come",
          "[term][session]") {
  hub_options o;
  o.window_high = 1000;
  o.window_low = 200;
  o.coalesce_bytes = 300;
  fixture f(o);
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  const std::string chunk(250, 'x');
  for (int i = 0; i < 4 && !f.backend->paused; ++i) f.backend->emit(chunk);
  CHECK(f.backend->paused);  // 1000 in flight
  auto out = f.drain(link.get());
  std::size_t total = 0;
  for (const auto& frame : out) {
    if (frame.rfind("T:", 0) == 0) continue;  // the hello
    CHECK(frame.size() <= 300);
    total += frame.size();
  }
  CHECK(total == 1000);
  f.session->on_text(link.get(), f.ack(700));  // 300 in flight: above the low mark
  CHECK(f.backend->paused);
  f.session->on_text(link.get(), f.ack(800));
  CHECK_FALSE(f.backend->paused);
  // An explicit pause stops it whatever the window.
  f.session->on_text(link.get(), R"({"type":"pause"})");
  CHECK(f.backend->paused);
  f.session->on_text(link.get(), R"({"type":"resume"})");
  CHECK_FALSE(f.backend->paused);
}

TEST_CASE("a resumed connection gets exactly the bytes after its offset", "[term][session]") {
  fixture f;
  auto first = std::make_shared<fake_link>();
  f.session->attach(first, std::nullopt, {});
  f.session->on_text(first.get(), R"({"type":"resize","cols":80,"rows":24})");
  f.backend->emit("0123456789");
  (void)f.drain(first.get());
  f.session->detach(first.get(), "connection lost");
  f.backend->emit("abcdef");  // while nobody is attached
  CHECK_FALSE(f.gone);
  auto second = std::make_shared<fake_link>();
  f.session->attach(second, 7, {});  // the client wrote 7 bytes before the drop
  const auto out = f.drain(second.get());
  REQUIRE(out.size() == 2);
  CHECK(control(out[0])["type"] == "hello");
  CHECK(control(out[0])["offset"] == 7);
  CHECK(out[1] == "789abcdef");
  // A resume while a connection lingers takes it over.
  auto third = std::make_shared<fake_link>();
  f.session->attach(third, 16, {});
  CHECK(second->aborted);
  CHECK(f.drain(second.get()).empty());
}

TEST_CASE("a resume from an offset no longer held ends the session with the reason",
          "[term][session]") {
  hub_options o;
  o.replay_bytes = 16;
  o.window_high = 1 << 20;
  fixture f(o);
  auto first = std::make_shared<fake_link>();
  f.session->attach(first, std::nullopt, {});
  f.session->on_text(first.get(), R"({"type":"resize","cols":80,"rows":24})");
  f.session->detach(first.get(), "");
  // More than the buffer holds (it holds the window plus a chunk at least).
  const std::string lots((1 << 20) + (300 << 10), 'z');
  f.backend->emit(lots);
  auto second = std::make_shared<fake_link>();
  f.session->attach(second, 0, {});
  const auto out = f.drain(second.get());
  REQUIRE(out.size() == 2);
  CHECK(control(out[0])["message"].get<std::string>().rfind(
            "cannot resume: the output after byte 0 is no longer held", 0) == 0);
  CHECK(out[1] == "C:1008:cannot resume");
  CHECK(f.backend->closed);
}

TEST_CASE("the exit code follows all output, then the connection closes normally",
          "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  (void)f.drain(link.get());
  f.backend->emit("bye\r\n");
  f.backend->handlers.on_exit(3, {});
  const auto out = f.drain(link.get());
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "bye\r\n");
  CHECK(out[1] == R"(T:{"code":3,"type":"exit"})");
  CHECK(out[2] == "C:1000:exit");
  CHECK_FALSE(f.gone);
  f.session->detach(link.get(), "client closed");
  CHECK(f.gone);
}

TEST_CASE("a backend failure is told in words", "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  (void)f.drain(link.get());
  f.backend->handlers.on_exit(-1, "ssh: connection reset by peer");
  const auto out = f.drain(link.get());
  REQUIRE(out.size() == 2);
  CHECK(control(out[0])["type"] == "error");
  CHECK(control(out[0])["message"] == "ssh: connection reset by peer");
  CHECK(out[1] == "C:1000:exit");
}

TEST_CASE("a read-only session drops input but applies resizes", "[term][session]") {
  hub_options o;
  o.readonly = true;
  fixture f(o);
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  CHECK(control(f.drain(link.get()).at(0))["readonly"] == true);
  f.session->on_binary(link.get(), "rm -rf /\r");
  f.session->on_text(link.get(), R"({"type":"resize","cols":90,"rows":20})");
  f.session->on_binary(link.get(), "ls\r");
  REQUIRE(f.backend->started);
  CHECK(*f.backend->started == term_size{90, 20});
  CHECK(f.backend->input.empty());
}

TEST_CASE("a bad control message gets an error reply and the session goes on", "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  (void)f.drain(link.get());
  f.session->on_text(link.get(), R"({"type":"resize","cols":0,"rows":24})");
  const auto out = f.drain(link.get());
  REQUIRE(out.size() == 1);
  CHECK(control(out[0])["message"] ==
        "control message: 'cols' must be a whole number from 1 to 1000");
}

TEST_CASE("shutdown closes with 1001 and the session is gone", "[term][session]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  (void)f.drain(link.get());
  f.session->shutdown();
  CHECK(f.backend->closed);
  const auto out = f.drain(link.get());
  REQUIRE(out.size() == 1);
  CHECK(out[0] == "C:1001:server shutting down");
  f.session->detach(link.get(), "client closed");
  CHECK_FALSE(f.gone);  // the backend has not reported its exit yet
  f.backend->handlers.on_exit(129, {});
  CHECK(f.gone);
}

TEST_CASE("a shell that exits goes created, running, exited, ended, gone",
          "[term][session][phase]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  CHECK(f.session->phase() == session_phase::created);
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  CHECK(f.session->phase() == session_phase::running);
  f.backend->handlers.on_exit(0, {});
  CHECK(f.session->phase() == session_phase::exited);
  f.session->on_binary(link.get(), "late");  // nothing runs to take it
  CHECK(f.backend->input.empty());
  (void)f.drain(link.get());  // the exit message and the close are delivered
  CHECK(f.session->phase() == session_phase::ended);
  f.session->detach(link.get(), "client closed");
  CHECK(f.session->phase() == session_phase::gone);
  CHECK(f.gone);
}

TEST_CASE("an ended session drains its shell (ending) before it is gone",
          "[term][session][phase]") {
  fixture f;
  auto link = std::make_shared<fake_link>();
  f.session->attach(link, std::nullopt, {});
  f.session->on_text(link.get(), R"({"type":"resize","cols":80,"rows":24})");
  f.session->on_text(link.get(), R"({"type":"end"})");
  CHECK(f.session->phase() == session_phase::ending);
  CHECK(f.backend->closed);
  f.session->on_text(link.get(), R"({"type":"resize","cols":90,"rows":24})");  // over: ignored
  CHECK(f.backend->resizes.empty());
  f.backend->handlers.on_exit(129, {});
  CHECK(f.session->phase() == session_phase::ended);
  CHECK_FALSE(f.gone);  // the connection is still attached
  f.session->detach(link.get(), "client closed");
  CHECK(f.session->phase() == session_phase::gone);
}

TEST_CASE("a session abandoned before its shell started ends without starting it",
          "[term][session][phase]") {
  fixture f;
  f.session->abandon();
  CHECK(f.session->phase() == session_phase::gone);
  CHECK(f.gone);
  CHECK_FALSE(f.backend->started);
}
