// The WebSocket bridge end to end: a real HTTP server, the hub, local PTYs, a WebSocket client.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <future>

#include "hub_fixture.hpp"
#include "ports.hpp"
#include "temp_dir.hpp"

using namespace vmterm;
using namespace std::chrono_literals;

namespace {

term::pty_options run(std::string script) {
  term::pty_options p;
  p.command = {"/bin/sh", "-c", std::move(script)};
  return p;
}

/// The producer's step count; the shell truncates the file before writing it, so an empty
/// read is retried.
long read_number(const std::filesystem::path& file) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::ifstream in(file);
    long n = -1;
    if (in >> n) return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace

TEST_CASE("typed input reaches the shell and its output comes back", "[integration][term]") {
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port));
  const auto hello = c.read_control("hello");
  REQUIRE(hello.is_object());
  CHECK(hello["offset"] == 0);
  CHECK(hello["readonly"] == false);
  CHECK(hello["session"].get<std::string>().size() == 32);
  REQUIRE(c.resize(100, 30));
  REQUIRE(c.type("echo vmterm-$((6*7))\r"));
  CHECK(c.read_until("vmterm-42"));
  CHECK(f.metric("vmterm_terminal_sessions") == 1);
  CHECK(f.metric("vmterm_terminal_input_bytes_total") == 21);
  CHECK(f.metric("vmterm_terminal_output_bytes_total") >= 9);
}

TEST_CASE("the shell starts at the client's first size and follows resizes",
          "[integration][term]") {
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(123, 45));
  REQUIRE(c.type("stty size\r"));
  CHECK(c.read_until("45 123\r\n"));
  const auto mark = c.output.size();
  REQUIRE(c.resize(77, 19));
  REQUIRE(c.type("stty size\r"));
  CHECK(c.read_until("19 77\r\n", 10s, mark));
}

TEST_CASE("the shell's exit code arrives, then a normal close", "[integration][term]") {
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.type("exit 3\r"));
  REQUIRE(c.read_until_closed());
  REQUIRE(c.controls.size() >= 2);
  CHECK(c.controls.back() == nlohmann::json{{"type", "exit"}, {"code", 3}});
  CHECK(c.ws.close_code() == 1000);
  // The session is gone once its shell has exited and its client has been told.
  for (int i = 0; i < 100 && f.hub->sessions() > 0; ++i) std::this_thread::sleep_for(20ms);
  CHECK(f.hub->sessions() == 0);
}

TEST_CASE("a frame above the message limit closes with 1009", "[integration][term]") {
  term::hub_options o;
  o.max_message = 4096;
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.type(std::string(4096, 'a')));  // at the limit: fine
  REQUIRE(c.type(std::string(4097, 'a')));
  REQUIRE(c.read_until_closed());
  CHECK(c.ws.close_code() == 1009);
  CHECK(c.ws.close_reason() == "message larger than 4096 bytes, the server's message limit");
}

TEST_CASE("a client that never acks stalls the producer within the window", "[integration][term]") {
  test::temp_dir dir;
  const auto counter = dir / "count";
  // 64 KiB per step; the step count is written after each, so the test sees the producer.
  const auto script = "i=0; while :; do head -c 65536 /dev/zero; i=$((i+1)); echo $i > '" +
                      counter.string() + "'; done";
  term::hub_options o;
  o.window_high = 256 << 10;
  o.window_low = 64 << 10;
  test::hub_fixture f(o, run(script));
  test::term_client c;
  c.auto_ack = false;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  // Reading without acking: output stops at the window (plus the one chunk read before the
  // pause took effect).
  while (c.pump(1500ms)) {
  }
  const auto received = c.received;
  CHECK(received >= (256u << 10));
  CHECK(received <= (256u << 10) + (64u << 10));
  const long steps = read_number(counter);
  std::this_thread::sleep_for(1s);
  CHECK(read_number(counter) == steps);  // the producer is blocked on the PTY
  // What it wrote: what the server read (≤ window + chunk) plus the kernel's PTY buffer.
  CHECK(steps * 65536 <= static_cast<long>(received) + (512 << 10));
  CHECK(f.metric("vmterm_terminal_output_bytes_total") == static_cast<double>(received));
  // Acks restart it.
  c.auto_ack = true;
  c.ack();
  const auto before = c.received;
  for (int i = 0; i < 50 && c.received < before + (1u << 20); ++i) c.pump(1s);
  CHECK(c.received >= before + (1u << 20));
  CHECK(read_number(counter) > steps);
}

TEST_CASE("a client that stops reading stalls the producer with bounded server memory",
          "[integration][term]") {
  test::temp_dir dir;
  const auto counter = dir / "count";
  const auto script = "i=0; while :; do head -c 65536 /dev/zero; i=$((i+1)); echo $i > '" +
                      counter.string() + "'; done";
  test::hub_fixture f({}, run(script));
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  std::this_thread::sleep_for(2s);  // reading nothing at all, not even the hello
  const long steps = read_number(counter);
  std::this_thread::sleep_for(1s);
  CHECK(read_number(counter) == steps);
  // 1 MiB window + one chunk + kernel PTY buffer; without flow control this would be hundreds.
  CHECK(steps > 0);
  CHECK(steps <= 16 + 8);
}

TEST_CASE("a dropped client resumes with no byte lost or repeated", "[integration][term]") {
  term::hub_options o;
  o.window_high = 128 << 10;
  o.window_low = 32 << 10;
  test::hub_fixture f(o, run("seq 1 200000; sleep 30"));
  std::string expected;
  for (int i = 1; i <= 200000; ++i) expected += std::to_string(i) + "\r\n";
  test::term_client first;
  REQUIRE(first.connect(f.port));
  const auto id = first.read_control("hello")["session"].get<std::string>();
  REQUIRE(first.resize(80, 24));
  while (first.received < 300000) REQUIRE(first.pump(5s));
  first.ws.drop();  // mid-stream, without a close
  std::this_thread::sleep_for(200ms);
  CHECK(f.hub->sessions() == 1);
  test::term_client second;
  second.received = first.received;  // acks count the whole stream, as the page's do
  REQUIRE(second.connect(f.port, "session=" + id + "&offset=" + std::to_string(first.received)));
  const auto hello = second.read_control("hello");
  CHECK(hello["offset"] == first.received);
  CHECK(hello["session"] == id);
  const bool complete = second.read_until("\r\n200000\r\n", 30s);
  INFO("first " << first.received << ", then " << second.output.size() << ", tail '"
                << second.output.substr(second.output.size() -
                                        std::min<std::size_t>(40, second.output.size()))
                << "'");
  REQUIRE(complete);
  const std::string all = first.output + second.output;
  CHECK(all.size() == expected.size());
  CHECK(all == expected);
  CHECK(f.metric("vmterm_terminal_resumes_total") == 1);
}

TEST_CASE("a reloaded page (replay=held) gets everything the replay buffer still holds",
          "[integration][term]") {
  term::hub_options o;
  o.replay_bytes = 64 << 10;
  o.window_high = 16 << 10;
  o.window_low = 4 << 10;
  // 100,000 lines of output, more than the buffer holds (the buffer keeps window + 256 KiB).
  test::hub_fixture f(o, run("echo first-line; seq 1 100000; echo last-line; sleep 30"));
  test::term_client first;
  REQUIRE(first.connect(f.port));
  const auto id = first.read_control("hello")["session"].get<std::string>();
  REQUIRE(first.resize(80, 24));
  REQUIRE(first.read_until("last-line\r\n", 30s));
  first.ws.drop();
  std::this_thread::sleep_for(200ms);

  // The page had everything (offset = all of it), but its screen is empty after the reload.
  test::term_client second;
  REQUIRE(second.connect(
      f.port, "session=" + id + "&offset=" + std::to_string(first.received) + "&replay=held"));
  const auto hello = second.read_control("hello");
  REQUIRE(hello.is_object());
  CHECK(hello["session"] == id);
  const auto start = hello["start"].get<std::uint64_t>();
  // The stream restarts at the oldest byte held, which hello names twice.
  CHECK(hello["offset"] == start);
  CHECK(start > 0);  // the first lines are gone
  second.received = start;
  REQUIRE(second.read_until("last-line\r\n", 30s));
  CHECK(second.output.size() == first.received - start);
  CHECK(second.output == first.output.substr(start));
  CHECK(second.output.find("first-line") == std::string::npos);

  // A short session: everything is still held, from byte 0.
  test::hub_fixture g(term::hub_options{}, run("echo only-$((6*7)); sleep 30"));
  test::term_client a;
  REQUIRE(a.connect(g.port));
  const auto gid = a.read_control("hello")["session"].get<std::string>();
  REQUIRE(a.resize(80, 24));
  REQUIRE(a.read_until("only-42"));
  a.ws.drop();
  std::this_thread::sleep_for(200ms);
  test::term_client b;
  REQUIRE(b.connect(g.port,
                    "session=" + gid + "&offset=" + std::to_string(a.received) + "&replay=held"));
  const auto h = b.read_control("hello");
  CHECK(h["start"] == 0);
  CHECK(h["offset"] == 0);
  CHECK(b.read_until("only-42"));
  CHECK(g.metric("vmterm_terminal_resumes_total") == 1);
}

TEST_CASE("resuming an unknown session is refused in words", "[integration][term]") {
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port, "session=00ff&offset=3"));
  REQUIRE(c.read_until_closed());
  REQUIRE(c.controls.size() == 1);
  CHECK(c.controls[0]["message"] ==
        "cannot resume: the session has ended (or the server restarted); reload the page to "
        "start a new one");
  CHECK(c.ws.close_code() == 1008);
}

TEST_CASE("beyond max sessions the next client is refused naming the flag", "[integration][term]") {
  term::hub_options o;
  o.max_sessions = 1;
  test::hub_fixture f(o);
  test::term_client a;
  REQUIRE(a.connect(f.port));
  REQUIRE(a.read_control("hello").is_object());
  CHECK(f.hub->full());
  test::term_client b;
  REQUIRE(b.connect(f.port));
  REQUIRE(b.read_until_closed());
  REQUIRE(b.controls.size() == 1);
  CHECK(b.controls[0] == nlohmann::json{{"type", "error"},
                                        {"message",
                                         "too many sessions: 1 is open, the server's "
                                         "limit; close one, or raise the server's session "
                                         "limit"}});
  CHECK(b.ws.close_code() == 1013);
  CHECK(b.ws.close_reason() == "too many sessions (limit 1)");
}

TEST_CASE("the refusal beyond max sessions counts in the plural from two", "[integration][term]") {
  term::hub_options o;
  o.max_sessions = 2;
  test::hub_fixture f(o);
  test::term_client a;
  test::term_client b;
  REQUIRE(a.connect(f.port));
  REQUIRE(a.read_control("hello").is_object());
  REQUIRE(b.connect(f.port));
  REQUIRE(b.read_control("hello").is_object());
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.read_until_closed());
  REQUIRE(c.controls.size() == 1);
  CHECK(c.controls[0]["message"] ==
        "too many sessions: 2 are open, the server's limit; close one, or raise the server's "
        "session limit");
}

TEST_CASE("an end message hangs up the shell at once, freeing its place", "[integration][term]") {
  term::hub_options o;
  o.max_sessions = 1;
  test::hub_fixture f(o);
  test::term_client a;
  REQUIRE(a.connect(f.port));
  REQUIRE(a.read_control("hello").is_object());
  REQUIRE(a.resize(80, 24));
  REQUIRE(a.ws.send_text(R"({"type":"end"})"));
  REQUIRE(a.read_until_closed());
  CHECK(a.ws.close_code() == 1000);
  CHECK(a.ws.close_reason() == "ended by the client");
  // Not kept for --resume-grace: a new session fits at once.
  REQUIRE(test::wait_until([&] { return f.hub->sessions() == 0; }, 5s));
  test::term_client b;
  REQUIRE(b.connect(f.port));
  CHECK(b.read_control("hello").is_object());
}

TEST_CASE("a session without input for the idle timeout is closed", "[integration][term]") {
  term::hub_options o;
  o.idle_timeout = 700ms;
  test::hub_fixture f(o);
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  std::this_thread::sleep_for(400ms);
  REQUIRE(c.type("\r"));  // input resets the clock
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(c.read_until_closed(5s));
  CHECK(std::chrono::steady_clock::now() - t0 >= 500ms);
  REQUIRE_FALSE(c.controls.empty());
  CHECK(c.controls.back()["message"] ==
        "the session was closed after 700 ms without input (the idle timeout)");
  CHECK(c.ws.close_code() == 1000);
}

TEST_CASE("a read-only session drops input", "[integration][term]") {
  term::hub_options o;
  o.readonly = true;
  test::hub_fixture f(o, run("echo ready; read x; echo got-$x"));
  test::term_client c;
  REQUIRE(c.connect(f.port));
  CHECK(c.read_control("hello")["readonly"] == true);
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.read_until("ready"));
  REQUIRE(c.type("secret\r"));
  CHECK_FALSE(c.read_until("secret", 700ms));
  CHECK(c.output.find("got-") == std::string::npos);
}

TEST_CASE("shutdown closes every session with 1001", "[integration][term]") {
  test::hub_fixture f;
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.type("echo up\r"));
  REQUIRE(c.read_until("up\r\n"));
  std::promise<void> done;
  auto gone = done.get_future();
  f.hub->shutdown([&done] { done.set_value(); });
  REQUIRE(c.read_until_closed());
  CHECK(c.ws.close_code() == 1001);
  CHECK(gone.wait_for(10s) == std::future_status::ready);
  CHECK(f.hub->sessions() == 0);
  test::term_client late;
  REQUIRE(late.connect(f.port));
  REQUIRE(late.read_until_closed());
  CHECK(late.ws.close_code() == 1001);
}

TEST_CASE("output streams through the bridge at speed", "[integration][term]") {
  // VMTERM_TERM_THROUGHPUT=1 for the 100 MB figure; 10 MB otherwise (and under sanitizers).
  const std::size_t total = std::getenv("VMTERM_TERM_THROUGHPUT") ? 100000000 : 10000000;
  test::hub_fixture f({}, run("head -c " + std::to_string(total) + " /dev/zero | tr '\\0' a"));
  test::term_client c;
  REQUIRE(c.connect(f.port));
  REQUIRE(c.resize(80, 24));
  REQUIRE(c.pump(10s));
  std::size_t frames = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (c.received < total) {
    REQUIRE(c.pump(10s));
    ++frames;
    if (c.received > 0 && frames == 1) t0 = std::chrono::steady_clock::now();
  }
  const auto s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double mb = static_cast<double>(total) / 1e6;
  WARN(mb << " MB in " << s << " s: " << mb / s << " MB/s, " << frames << " frames");
  CHECK(c.received == total);
  CHECK(c.output.find_first_not_of('a') == std::string::npos);
}
