// Celery's stored results: every fixture round-trips byte for byte; FAILURE in Celery's
// exception shape; naive and +00:00 date_done.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "queue/result.hpp"

using namespace vmterm::queue;

namespace {
std::string fixture(const std::string& name) {
  std::ifstream f(std::string(VMTERM_SHARED_DIR) + "/fixtures/celery/" + name, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("every captured result round-trips byte for byte", "[queue][result]") {
  for (const char* name : {"result-meta.json", "result-meta-failure.json", "result-meta-retry.json",
                           "result-meta-retry-then-success.json"}) {
    INFO(name);
    auto raw = fixture(name);
    auto m = decode_result(raw);
    REQUIRE(m);
    CHECK(encode_result(*m) == raw);
  }
}

TEST_CASE("results decode into their fields", "[queue][result]") {
  auto ok = decode_result(fixture("result-meta.json"));
  REQUIRE(ok);
  CHECK(ok->status == task_state::success);
  CHECK(ok->result == 9);
  CHECK(ok->task_id == "2415e9b4-fc51-42e6-bbd1-881675a996d0");
  CHECK(format_iso8601(*ok->date_done, false) == "2026-11-21T09:33:18.432991");
  CHECK_FALSE(ok->date_done_offset);

  auto failed = decode_result(fixture("result-meta-failure.json"));
  REQUIRE(failed);
  CHECK(failed->status == task_state::failure);
  REQUIRE(failed->exception);
  CHECK(failed->exception->type == "ValueError");
  CHECK(failed->exception->module == "builtins");
  CHECK(failed->exception->message == json::array({"boom"}));
  CHECK(failed->traceback->find("ValueError: boom") != std::string::npos);

  auto retry = decode_result(fixture("result-meta-retry.json"));
  REQUIRE(retry);
  CHECK(retry->status == task_state::retry);
  CHECK_FALSE(retry->date_done);
  CHECK(retry->children[0][0][0] == "0be9b625-63ea-4ecf-986f-cb060771449f");

  auto then = decode_result(fixture("result-meta-retry-then-success.json"));
  REQUIRE(then);
  CHECK(*then->parent_id == "0be9b625-63ea-4ecf-986f-cb060771449f");
}

TEST_CASE("date_done with +00:00 (Celery >= 5.5) is read and written back", "[queue][result]") {
  std::string raw =
      R"({"status": "SUCCESS", "result": null, "traceback": null, "children": [], "date_done": "2026-11-21T09:33:18.432991+00:00", "task_id": "t1"})";
  auto m = decode_result(raw);
  REQUIRE(m);
  CHECK(m->date_done_offset);
  CHECK(encode_result(*m) == raw);
}

TEST_CASE("encode_result writes Celery's order, exception shape and extended fields",
          "[queue][result]") {
  result_meta m;
  m.status = task_state::failure;
  m.exception = task_exception{"CalledProcessError", "vmterm", json("exit status 3")};
  m.traceback = "stderr tail";
  m.date_done = *parse_iso8601("2026-11-21T09:33:18.432991");
  m.task_id = "t1";
  m.parent_id = "p1";
  m.extended = true;
  m.name = "app.add";
  m.args = json::array({1, 2});
  m.kwargs = json::object();
  m.worker = "w1@vm";
  m.retries = 0;
  m.queue = "celery";
  CHECK(
      encode_result(m) ==
      R"({"status": "FAILURE", "result": {"exc_type": "CalledProcessError", "exc_message": ["exit status 3"], "exc_module": "vmterm"}, "traceback": "stderr tail", "children": [], "date_done": "2026-11-21T09:33:18.432991", "parent_id": "p1", "name": "app.add", "args": [1, 2], "kwargs": {}, "worker": "w1@vm", "retries": 0, "queue": "celery", "task_id": "t1"})");
}

TEST_CASE("states and keys", "[queue][result]") {
  CHECK(to_string(task_state::revoked) == "REVOKED");
  CHECK(parse_task_state("RETRY") == task_state::retry);
  CHECK_FALSE(parse_task_state("DONE"));
  CHECK(is_ready(task_state::success));
  CHECK(is_ready(task_state::failure));
  CHECK(is_ready(task_state::revoked));
  CHECK_FALSE(is_ready(task_state::retry));
  CHECK_FALSE(is_ready(task_state::started));
  CHECK(result_key("abc") == "celery-task-meta-abc");
}

TEST_CASE("bad results are refused with what is wrong", "[queue][result]") {
  auto e = decode_result("nope");
  REQUIRE_FALSE(e);
  CHECK(e.error().message ==
        "result: not valid JSON; expected Celery's result JSON {\"status\", \"result\", ...}");
  auto s = decode_result(R"({"status": "DONE", "task_id": "t9"})");
  REQUIRE_FALSE(s);
  CHECK(s.error().message ==
        "result 'celery-task-meta-t9': unknown status 'DONE'; expected Celery's result JSON "
        "{\"status\", \"result\", ...}");
  auto d = decode_result(R"({"status": "SUCCESS", "date_done": "yesterday", "task_id": "t9"})");
  REQUIRE_FALSE(d);
  CHECK(d.error().message ==
        "result 'celery-task-meta-t9': 'date_done': time 'yesterday' is not ISO-8601 "
        "(2026-11-21T09:34:23.588312+00:00); expected Celery's result JSON {\"status\", "
        "\"result\", ...}");
}
