// Celery protocol v2 messages in kombu's Redis envelope: decode (the fast path checked against
// the full decoder), encode byte for byte as Celery
// 5.2.6 does (the shared fixtures and golden.jsonl from make_golden.py), poison reasons.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "queue/detail/message_decode.hpp"
#include "queue/message.hpp"
#include "queue/producer.hpp"

using namespace vmterm::queue;
using namespace std::chrono_literals;

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

timestamp at(std::string_view iso) {
  auto t = parse_iso8601(iso);
  REQUIRE(t);
  return *t;
}

std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("every captured task message round-trips byte for byte", "[queue][message]") {
  for (const char* name : {"task-message.json", "task-message-eta.json", "task-message-retry.json",
                           "task-message-beat.json"}) {
    INFO(name);
    auto raw = fixture(name);
    auto m = decode_message(raw);
    REQUIRE(m);
    CHECK(encode_message(*m) == raw);
  }
}

TEST_CASE("the unacked entry is [envelope, exchange, routing_key] in Python's JSON",
          "[queue][message]") {
  auto raw = fixture("unacked-entry.json");
  auto j = json::parse(raw);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 3);
  CHECK(python_json(j) == raw);
  auto m = decode_message(python_json(j[0]));
  REQUIRE(m);
  CHECK(m->id == "6a5e6792-c824-4fd8-a7ae-c71dbe03811c");
  CHECK(j[1] == "");
  CHECK(j[2] == "celery");
}

TEST_CASE("the captured messages decode into their fields", "[queue][message]") {
  auto m = decode_message(fixture("task-message.json"));
  REQUIRE(m);
  CHECK(m->task == "app.add");
  CHECK(m->id == "2415e9b4-fc51-42e6-bbd1-881675a996d0");
  CHECK(m->root_id == m->id);
  CHECK_FALSE(m->parent_id);
  CHECK(m->args == json::parse("[2, 3]"));
  CHECK(m->kwargs == json::parse(R"({"z": 4})"));
  CHECK(m->argsrepr == "(2, 3)");
  CHECK(m->kwargsrepr == "{'z': 4}");
  CHECK(m->retries == 0);
  CHECK_FALSE(m->time_limit);
  CHECK_FALSE(m->soft_time_limit);
  CHECK_FALSE(m->eta);
  CHECK(m->origin == "gen9249@vm");
  CHECK(m->routing_key == "celery");
  CHECK(m->exchange.empty());
  CHECK(m->priority == 0);
  CHECK(m->delivery_tag == "1cc7893e-1188-4c28-8c2d-801cc1b47c13");
  CHECK(m->reply_to == "c18161c3-4872-311c-a278-459a6b2e4729");
  CHECK_FALSE(m->redelivered);
  CHECK(encode_body(*m) == fixture("task-message.body.json"));

  auto e = decode_message(fixture("task-message-eta.json"));
  REQUIRE(e);
  CHECK(*e->eta == at("2026-11-21T09:34:23.588312+00:00"));
  CHECK(*e->expires == at("2026-11-21T10:33:23.588312+00:00"));
  CHECK(*e->time_limit == 30);  // timelimit is [hard, soft]
  CHECK(*e->soft_time_limit == 20);
  CHECK(e->priority == 3);
  CHECK(*e->expiration == "3600000");
  CHECK(e->embed["callbacks"][0]["task"] == "app.noop");
  CHECK(encode_body(*e) == fixture("task-message-eta.body.json"));

  auto r = decode_message(fixture("task-message-retry.json"));
  REQUIRE(r);
  CHECK(r->retries == 1);
  CHECK(*r->parent_id == r->id);
  CHECK(r->extra_properties["replaced_task_nesting"] == 0);
  CHECK(r->extra_properties["origin"] == "gen3998@vm");

  auto b = decode_message(fixture("task-message-beat.json"));
  REQUIRE(b);
  CHECK(b->ignore_result);
  CHECK(b->task == "app.noop");
}

TEST_CASE("encode_message's direct path writes what the JSON tree writes, byte for byte",
          "[queue][message][golden]") {
  auto same = [](const task_message& m) {
    INFO(m.task << " " << m.id);
    CHECK(encode_message(m) == detail::encode_message_tree(m));
  };
  // the captured messages, with their extra headers and properties dropped (the direct path
  // takes only messages without them; with them, encode_message is the tree)
  for (const char* name : {"task-message.json", "task-message-eta.json", "task-message-retry.json",
                           "task-message-beat.json"}) {
    INFO(name);
    auto m = decode_message(fixture(name));
    REQUIRE(m);
    same(*m);
    m->extra_headers = json();
    m->extra_properties = json();
    same(*m);
  }
  // every golden.jsonl input
  std::ifstream f(std::string(VMTERM_QUEUE_GOLDEN) + "/golden.jsonl");
  REQUIRE(f.good());
  int golden = 0;
  for (std::string line; std::getline(f, line); ++golden) {
    auto d = decode_message(json::parse(line)["envelope"].get<std::string>());
    REQUIRE(d);
    d->extra_headers = json();
    same(*d);
  }
  CHECK(golden > 0);
  // and the fields one at a time: floats, escapes, non-ASCII, every optional set
  const auto now = at("2026-11-21T09:33:23.588312+00:00");
  send_options o;
  o.task = "app.t\u00e9\"q\\";
  o.id = "5a7c2b4e-6a57-4d6b-b2f5-0f8e1d1f6f11";
  o.args = json::parse(R"([1, -2, 3.25, "\u00fcn\ni", null, true, [1e300], {"k": "\u2603"}])");
  o.kwargs = json::parse(R"({"a": {"b": [0.1, -0.0]}, "c\u00e9": "\ud83d\ude00"})");
  o.queue = "q\u00e9";
  o.priority = 6;
  o.countdown = 90s;
  o.expires_in = 3600s;
  o.time_limit = 1.5;
  o.soft_time_limit = 60;
  o.parent_id = "p";
  o.root_id = "r";
  o.group = "g";
  o.group_index = 3;
  o.shadow = "s";
  o.retries = 2;
  o.ignore_result = true;
  auto m = make_message(o, now, "gen42@h\u00f6st");
  m.reply_to = "c18161c3-4872-311c-a278-459a6b2e4729";
  m.delivery_tag = "d";
  same(m);
  m.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  same(m);
  m.tracestate = "a=b";
  m.baggage = "k=v";
  m.redelivered = true;
  same(m);
  m.time_limit = 1e20;
  m.soft_time_limit.reset();
  m.expiration.reset();
  m.root_id.clear();
  m.correlation_id.clear();
  m.argsrepr.clear();
  m.kwargsrepr.clear();
  m.embed = json::parse(
      R"({"callbacks": [{"task": "x"}], "errbacks": null, "chain": null, "chord": null})");
  same(m);
  // a bare message (reply_to and delivery_tag set: left empty, each path draws a fresh uuid4)
  task_message bare;
  bare.reply_to = "r";
  bare.delivery_tag = "t";
  same(bare);
}

TEST_CASE("encode_message matches Celery 5.2.6 for the same inputs (golden.jsonl)",
          "[queue][message][golden]") {
  std::ifstream f(std::string(VMTERM_QUEUE_GOLDEN) + "/golden.jsonl");
  REQUIRE(f.good());
  const auto now = at("2026-11-21T09:33:23.588312+00:00");
  int cases = 0;
  for (std::string line; std::getline(f, line);) {
    auto g = json::parse(line);
    const auto& in = g["inputs"];
    INFO(g["name"].get<std::string>());
    auto golden = g["envelope"].get<std::string>();
    auto captured = json::parse(golden);

    send_options o;
    o.task = in["task"];
    o.id = in["id"];
    o.args = in["args"];
    o.kwargs = in["kwargs"];
    o.queue = in.value("queue", "celery");
    o.priority = in.value("priority", 0);
    if (in.contains("countdown")) o.countdown = std::chrono::seconds(in["countdown"].get<int>());
    if (in.contains("expires")) o.expires_in = std::chrono::seconds(in["expires"].get<int>());
    if (in.contains("time_limit")) o.time_limit = in["time_limit"].get<double>();
    if (in.contains("soft_time_limit")) o.soft_time_limit = in["soft_time_limit"].get<double>();
    if (in.contains("parent_id")) o.parent_id = in["parent_id"];
    if (in.contains("root_id")) o.root_id = in["root_id"];
    if (in.contains("group_id")) o.group = in["group_id"];
    if (in.contains("group_index")) o.group_index = in["group_index"].get<std::int64_t>();
    if (in.contains("retries")) o.retries = in["retries"];
    if (in.contains("shadow")) o.shadow = in["shadow"];
    o.ignore_result = in.value("ignore_result", false);
    if (in.contains("headers")) o.extra_headers = in["headers"];

    auto m = make_message(o, now, "gen42@vm");
    m.reply_to = "c18161c3-4872-311c-a278-459a6b2e4729";
    m.delivery_tag = captured["properties"]["delivery_tag"];
    CHECK(encode_message(m) == golden);

    // and what Celery wrote decodes back to the same message
    auto d = decode_message(golden);
    REQUIRE(d);
    CHECK(encode_message(*d) == golden);
    ++cases;
  }
  CHECK(cases == 10);
}

TEST_CASE("python_repr ports Celery's saferepr", "[queue][message]") {
  CHECK(python_repr(json::array(), true) == "()");
  CHECK(python_repr(json::parse("[1]"), true) == "(1,)");
  CHECK(python_repr(json::parse("[2, 3]"), true) == "(2, 3)");
  CHECK(python_repr(json::parse("[2, 3]")) == "[2, 3]");
  CHECK(python_repr(json::parse(R"({"z": 4, "s": "it's"})")) == R"({'z': 4, 's': 'it\'s'})");
  CHECK(python_repr(json::parse("[null, true, false, 1.5, 1e16]"), true) ==
        "(None, True, False, 1.5, 1e+16)");
  // three levels deep is shown as [...] (maxlevels=3)
  CHECK(python_repr(json::parse(R"([[{"a": [1]}]])"), true) == "([{'a': [...]}],)");
  // cut at 1024 characters: the string token is truncated, then ", ..." and no closing
  auto long_one = python_repr(json::array({std::string(2000, 'a')}), true);
  CHECK(long_one.size() == 1034);
  CHECK(long_one.substr(long_one.size() - 10) == "a...', ...");
}

TEST_CASE("python_json writes Python's json.dumps", "[queue][message]") {
  CHECK(python_json(json::parse(R"({"a": [1, 2], "b": {"c": null}})")) ==
        R"({"a": [1, 2], "b": {"c": null}})");
  CHECK(python_json(json("é\n\x7f")) == R"("\u00e9\n\u007f")");
  CHECK(python_json(json("𝄞")) == R"("\ud834\udd1e")");
  CHECK(python_json(json(1e16)) == "1e+16");
  CHECK(python_json(json(1e15)) == "1000000000000000.0");
  CHECK(python_json(json(0.0001)) == "0.0001");
  CHECK(python_json(json(1e-05)) == "1e-05");
  CHECK(python_json(json(2.0)) == "2.0");
  CHECK(python_json(json(-0.5)) == "-0.5");
  CHECK(python_json(json(123456789.125)) == "123456789.125");
  CHECK(python_json(json(1.5e300)) == "1.5e+300");
}

TEST_CASE("ISO-8601 times as Celery writes and reads them", "[queue][message]") {
  auto t = at("2026-11-21T09:34:23.588312+00:00");
  CHECK(format_iso8601(t) == "2026-11-21T09:34:23.588312+00:00");
  CHECK(format_iso8601(t, false) == "2026-11-21T09:34:23.588312");
  CHECK(at("2026-11-21T09:34:23.588312") == t);  // naive means UTC
  CHECK(at("2026-11-21T09:34:23.588312Z") == t);
  CHECK(at("2026-11-21T11:34:23.588312+02:00") == t);
  CHECK(format_iso8601(at("2026-11-21T09:34:23+00:00")) == "2026-11-21T09:34:23+00:00");
  CHECK(at("2026-11-21T09:34:23.5") == at("2026-11-21T09:34:23.500000"));
  auto bad = parse_iso8601("tomorrow");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message ==
        "time 'tomorrow' is not ISO-8601 (2026-11-21T09:34:23.588312+00:00)");
  CHECK_FALSE(parse_iso8601("2026-02-30T00:00:00"));
  CHECK_FALSE(parse_iso8601("2026-11-21T09:34:23+0200"));
}

TEST_CASE("priorities map to kombu's buckets, 0 highest", "[queue][message]") {
  CHECK(priority_step(0) == 0);
  CHECK(priority_step(2) == 0);
  CHECK(priority_step(3) == 3);
  CHECK(priority_step(5) == 3);
  CHECK(priority_step(8) == 6);
  CHECK(priority_step(9) == 9);
  CHECK(priority_step(12) == 9);
  CHECK(priority_step(-4) == 0);
  CHECK(bucket_key("celery", 0) == "celery");
  CHECK(bucket_key("celery", 4) == std::string("celery\x06\x16") + "3");
  CHECK(bucket_key("jobs", 9) == std::string("jobs\x06\x16") + "9");
  auto keys = bucket_keys({"a", "b"});
  std::vector<std::string> want = {"a",
                                   "b",
                                   std::string("a\x06\x16") + "3",
                                   std::string("b\x06\x16") + "3",
                                   std::string("a\x06\x16") + "6",
                                   std::string("b\x06\x16") + "6",
                                   std::string("a\x06\x16") + "9",
                                   std::string("b\x06\x16") + "9"};
  CHECK(keys == want);
}

TEST_CASE("mark_redelivered sets both flags as kombu's restore does", "[queue][message]") {
  auto raw = fixture("task-message.json");
  auto r = mark_redelivered(raw);
  REQUIRE(r);
  auto want = replace_once(raw, R"("ignore_result": false})",
                           R"("ignore_result": false, "redelivered": true})");
  want = replace_once(want, R"("routing_key": "celery"})",
                      R"("routing_key": "celery", "redelivered": true})");
  CHECK(*r == want);
  // idempotent: a second restore keeps the keys in place
  CHECK(*mark_redelivered(*r) == want);
  auto m = decode_message(*r);
  REQUIRE(m);
  CHECK(m->redelivered);
  CHECK(encode_message(*m) == want);
  CHECK_FALSE(mark_redelivered("[1]"));
}

TEST_CASE("poison messages are refused with a reason", "[queue][message][poison]") {
  auto raw = fixture("task-message.json");
  auto reason = [](std::string_view text, poison_kind kind) {
    auto m = decode_message(text);
    REQUIRE_FALSE(m);
    CHECK(m.error().kind == kind);
    return m.error().reason;
  };
  CHECK(reason("not json", poison_kind::not_json) ==
        "message is not a JSON object; only kombu's JSON envelope can be consumed (send with "
        "Celery or vmterm-worker call)");
  CHECK(reason("[1, 2]", poison_kind::not_json) ==
        "message is not a JSON object (a JSON array); only kombu's JSON envelope can be consumed "
        "(send with Celery or vmterm-worker call)");
  CHECK(reason(replace_once(raw, "application/json", "application/x-python-serialize"),
               poison_kind::unsupported_content) ==
        "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: content-type "
        "'application/x-python-serialize' (pickle) is not accepted; vmterm-worker accepts JSON "
        "only (set task_serializer='json' in the producer)");
  CHECK(reason(replace_once(raw, "application/json", "application/x-yaml"),
               poison_kind::unsupported_content)
            .find("(yaml) is not accepted") != std::string::npos);
  CHECK(reason(replace_once(raw, "application/json", "application/x-msgpack"),
               poison_kind::unsupported_content)
            .find("(msgpack) is not accepted") != std::string::npos);
  CHECK(reason(replace_once(raw, R"("body": "W1sy)", R"("body": "!!!W1sy)"),
               poison_kind::bad_base64) ==
        "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: body_encoding is base64 but the body is "
        "not valid base64; the producer must base64-encode the JSON body");
  auto not_json_body = replace_once(raw,
                                    "W1syLCAzXSwgeyJ6IjogNH0sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2"
                                    "tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d",
                                    base64_encode("[[2, 3], {"));
  CHECK(reason(not_json_body, poison_kind::bad_body) ==
        "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: the body is not valid JSON; the producer "
        "must serialize [args, kwargs, embed] as JSON");
  // protocol v1: the task name in the body, no 'task' header
  std::string v1 =
      R"({"body": ")" + base64_encode(R"({"task": "app.add", "id": "x1", "args": []})") +
      R"(", "content-encoding": "utf-8", "content-type": "application/json", "headers": {}, "properties": {"body_encoding": "base64", "delivery_tag": "t1", "delivery_info": {"exchange": "", "routing_key": "celery"}}})";
  CHECK(reason(v1, poison_kind::not_v2) ==
        "message (delivery tag t1): Celery message protocol v1 (task name in the body, no 'task' "
        "header); vmterm-worker reads protocol v2, Celery's default since 4.0 (set "
        "task_protocol=2)");
  CHECK(
      reason(replace_once(raw, R"("retries": 0)", R"("retries": "0")"), poison_kind::bad_header) ==
      "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: header 'retries' is not an integer");
  CHECK(reason(replace_once(raw, R"("eta": null)", R"("eta": "soon")"), poison_kind::bad_header) ==
        "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: header 'eta': time 'soon' is not ISO-8601 "
        "(2026-11-21T09:34:23.588312+00:00)");
  CHECK(reason(replace_once(raw, R"("timelimit": [null, null])", R"("timelimit": 5)"),
               poison_kind::bad_header) ==
        "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: header 'timelimit' is not [hard, soft] "
        "(numbers or null)");
  CHECK(reason(replace_once(raw, R"("body": )", R"("nobody": )"), poison_kind::bad_envelope) ==
        "message 2415e9b4-fc51-42e6-bbd1-881675a996d0: the envelope has no string 'body'; not a "
        "kombu message");
  CHECK(to_string(poison_kind::unknown_task) == "unknown_task");
}

TEST_CASE("unknown headers are kept in place", "[queue][message]") {
  auto raw = replace_once(fixture("task-message.json"), R"("ignore_result": false})",
                          R"("ignore_result": false, "stamps": {"a": [1]}, "traceparent": )"
                          R"("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "zz": 1})");
  auto m = decode_message(raw);
  REQUIRE(m);
  CHECK(m->traceparent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  CHECK(m->extra_headers["stamps"]["a"][0] == 1);
  CHECK(encode_message(*m) == raw);
}

TEST_CASE("dead-letter envelopes carry the reason in a header", "[queue][message][poison]") {
  auto t = at("2026-11-21T09:34:23+00:00");
  const std::string garbage("\xff\x00garbage", 9);
  auto d = json::parse(dead_letter_envelope(garbage, "celery", "message is not JSON", "w1@vm", t));
  CHECK(d["content-type"] == "application/x-vmterm-undecodable");
  CHECK(*base64_decode(d["body"].get<std::string>()) == garbage);
  CHECK(d["headers"]["x-vmterm-dead-reason"] == "message is not JSON");
  CHECK(d["headers"]["x-vmterm-dead-at"] == "2026-11-21T09:34:23+00:00");
  CHECK(d["headers"]["x-vmterm-dead-worker"] == "w1@vm");
  CHECK(d["properties"]["delivery_info"]["routing_key"] == "celery");

  auto raw = fixture("task-message.json");
  auto e = json::parse(dead_letter_envelope(raw, "celery", "no task named 'app.add'", "w1@vm", t));
  CHECK(e["headers"]["task"] == "app.add");
  CHECK(e["headers"]["x-vmterm-dead-reason"] == "no task named 'app.add'");
  CHECK(e["body"] == json::parse(raw)["body"]);
}

TEST_CASE("base64 and uuid4", "[queue][message]") {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    CHECK(*base64_decode(base64_encode(s)) == s);
  }
  CHECK(base64_encode("abcd") == "YWJjZA==");
  CHECK_FALSE(base64_decode("YWJjZA="));
  CHECK_FALSE(base64_decode("YW=jZA=="));
  CHECK(*base64_decode("YWJj\nZA==") == "abcd");
  auto u = uuid4();
  CHECK(u.size() == 36);
  CHECK(u[14] == '4');
  CHECK(u != uuid4());
}

// ---- the fast decoder against the full one (detail/message_decode.hpp's contract): on every
// captured and golden message, on hand-made variants of the shapes it reads, and on every
// one-byte change of a captured message, the fast path either gives up or decodes exactly
// what the full decoder decodes; and it does not give up on what Celery and vmterm send.

namespace {

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

TEST_CASE("uuids format and parse in canonical form only", "[queue][message]") {
  const auto id = uuid4();
  auto b = parse_uuid(id);
  REQUIRE(b);
  CHECK(format_uuid(*b) == id);
  CHECK(parse_uuid("1cc7893e-1188-4c28-8c2d-801cc1b47c13"));
  CHECK_FALSE(parse_uuid("1CC7893E-1188-4c28-8c2d-801cc1b47c13"));  // uppercase: not canonical
  CHECK_FALSE(parse_uuid("1cc7893e11884c288c2d801cc1b47c13"));
  CHECK_FALSE(parse_uuid("vmterm-0123456789abcdef0123456789abcdef01234567"));
  CHECK_FALSE(parse_uuid("1cc7893e-1188-4c28-8c2d-801cc1b47c1g"));
}
