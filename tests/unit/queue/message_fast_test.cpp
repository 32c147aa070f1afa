// The fast decoder against the full one (detail/message_decode.hpp's contract): on every
// captured and golden message, on hand-made variants of the shapes it reads, and on every
// one-byte mutation of a captured message, the fast path either gives up or decodes exactly
// what the full decoder decodes. And it does not give up on what Celery and vmterm send.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "queue/detail/message_decode.hpp"
#include "queue/message.hpp"

using namespace vmterm::queue;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string fixture(const std::string& name) {
  return read_file(std::string(VMTERM_SHARED_DIR) + "/fixtures/celery/" + name);
}

std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

/// The contract: when the fast path decodes, the full decoder decodes the same message.
/// Returns whether the fast path decoded.
bool agrees(std::string_view text) {
  auto fast = detail::decode_message_fast(text);
  if (!fast) return false;
  auto full = detail::decode_message_full(text);
  INFO(std::string(text));
  REQUIRE(full);
  CHECK(detail::same_message(*fast, *full));
  return true;
}

std::vector<std::string> captured() {
  std::vector<std::string> out;
  for (const char* name : {"task-message.json", "task-message-eta.json", "task-message-retry.json",
                           "task-message-beat.json"}) {
    out.push_back(fixture(name));
  }
  return out;
}

}  // namespace

TEST_CASE("the fast decoder reads every captured and golden message as the full one does",
          "[queue][message][fast]") {
  for (const auto& raw : captured()) CHECK(agrees(raw));
  std::ifstream golden(std::string(VMTERM_QUEUE_GOLDEN) + "/golden.jsonl");
  REQUIRE(golden.good());
  std::string line;
  int n = 0;
  while (std::getline(golden, line)) {
    auto j = json::parse(line);
    // each golden line carries the message Celery wrote under one of these keys
    for (const char* k : {"message", "envelope", "expected"}) {
      if (j.contains(k) && j[k].is_string()) {
        agrees(j[k].get<std::string>());
        ++n;
      }
    }
  }
  CHECK(n > 0);
  // what vmterm itself sends decodes on the fast path too
  task_message m;
  m.task = "noop";
  m.id = uuid4();
  m.args = json::array({1, "two", nullptr, true, -3});
  m.kwargs = json::object({{"k", json::object({{"n", json::array()}})}});
  m.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  m.eta = parse_iso8601("2026-11-21T09:34:23.588312+00:00").value();
  m.time_limit = 30;
  CHECK(agrees(encode_message(m)));
  m.args = json::array({1.5});  // a float in the body: the body goes through nlohmann, still fast
  CHECK(agrees(encode_message(m)));
  auto marked = mark_redelivered(encode_message(m));
  REQUIRE(marked);
  CHECK(agrees(*marked));
  CHECK(detail::decode_message_fast(*marked)->redelivered);
}

TEST_CASE("the fast decoder gives up rather than guess", "[queue][message][fast]") {
  const auto raw = fixture("task-message.json");
  auto gives_up = [](const std::string& text) {
    INFO(text);
    CHECK_FALSE(detail::decode_message_fast(text));
  };
  gives_up(replace_once(raw, R"("retries": 0)", R"("retries": 0.0)"));                  // float
  gives_up(replace_once(raw, R"("origin": "gen9249@vm")", R"("origin": "g\u00e9n")"));  // escape
  gives_up(replace_once(raw, R"("lang": "py", )", R"("lang": "py", "lang": "js", )"));  // dup
  gives_up(replace_once(raw, R"("ignore_result": false})",
                        R"("ignore_result": false, "stamps": {"a": 1}})"));  // container header
  gives_up(replace_once(raw, R"("priority": 0)", R"("priority": 99999999999)"));
  gives_up(raw + "x");
  gives_up(raw.substr(0, raw.size() - 1));
  // ... and what it gives up on, the full decoder still decides, with its exact reasons
  CHECK(decode_message(replace_once(raw, R"("retries": 0)", R"("retries": 0.5)")).error().kind ==
        poison_kind::bad_header);
  CHECK(decode_message(replace_once(raw, R"("lang": "py", )", R"("lang": "py", "lang": "js", )"))
            ->lang == "js");
  // unknown scalar headers and properties are kept, typed as nlohmann types them
  auto extra = replace_once(raw, R"("ignore_result": false})",
                            R"("ignore_result": false, "n": 5, "neg": -5, "s": "x", "z": null})");
  extra = replace_once(extra, R"("priority": 0, )", R"("priority": 0, "x-p": true, )");
  REQUIRE(agrees(extra));
  auto m = detail::decode_message_fast(extra);
  CHECK(m->extra_headers["n"].is_number_unsigned());
  CHECK(m->extra_headers["neg"].is_number_integer());
  CHECK(m->extra_properties["x-p"] == true);
  CHECK(encode_message(*m) == encode_message(*detail::decode_message_full(extra)));
}

TEST_CASE("every one-byte change of a captured message: the fast path never disagrees",
          "[queue][message][fast]") {
  const char replacements[] = {'"', '\\', '{', '}', '[', ']', ',', ':',    ' ',    '0',   '9',
                               '-', 'e',  '.', 'n', 't', 'f', 'a', '\x01', '\x7f', '\xc3'};
  std::size_t fast = 0, total = 0;
  for (const auto& raw : captured()) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      std::string cut = raw;
      cut.erase(i, 1);
      if (agrees(cut)) ++fast;
      for (char c : replacements) {
        if (raw[i] == c) continue;
        std::string changed = raw;
        changed[i] = c;
        if (agrees(changed)) ++fast;
        ++total;
      }
    }
  }
  // Many variants are still plain messages (a changed letter in an id, a digit in a number):
  // the fast path must take those, not give up on everything.
  CHECK(fast > total / 10);
}

TEST_CASE("random splices of captured messages: the fast path never disagrees",
          "[queue][message][fast]") {
  const auto all = captured();
  std::mt19937 rng(20261206);
  for (int n = 0; n < 20000; ++n) {
    const auto& a = all[rng() % all.size()];
    const auto& b = all[rng() % all.size()];
    const auto i = rng() % a.size();
    const auto j = rng() % b.size();
    const auto len = rng() % 40;
    std::string text =
        a.substr(0, i) + b.substr(j, len) + a.substr(std::min(a.size(), i + rng() % 40));
    agrees(text);
  }
}

TEST_CASE("an unacked entry gives back its envelope byte for byte", "[queue][message][fast]") {
  const auto raw = fixture("task-message.json");
  const std::string entry = "[" + raw + R"(, "", "celery"])";
  auto env = detail::unacked_envelope(entry);
  REQUIRE(env);
  CHECK(*env == raw);
  const auto captured_entry = fixture("unacked-entry.json");
  auto e = detail::unacked_envelope(captured_entry);
  REQUIRE(e);
  CHECK(python_json(json::parse(captured_entry)[0]) == *e);
  CHECK_FALSE(detail::unacked_envelope(raw));
  CHECK_FALSE(detail::unacked_envelope("[" + raw + "]"));
  CHECK_FALSE(detail::unacked_envelope("[" + raw + R"(, "", "celery"] x)"));
}
