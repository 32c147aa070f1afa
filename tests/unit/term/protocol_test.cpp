#include "term/protocol.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace vmterm::term;

TEST_CASE("client control messages decode to their types", "[term][protocol]") {
  CHECK(std::get<resize_message>(*parse_client_message(
            R"({"type":"resize","cols":120,"rows":40})")) == resize_message{120, 40});
  CHECK(std::get<ack_message>(*parse_client_message(R"({"type":"ack","bytes":1048576})")) ==
        ack_message{1048576});
  CHECK(std::holds_alternative<pause_message>(*parse_client_message(R"({"type":"pause"})")));
  CHECK(std::holds_alternative<resume_message>(*parse_client_message(R"({"type":"resume"})")));
  CHECK(std::holds_alternative<end_message>(*parse_client_message(R"({"type":"end"})")));
  // Unknown fields are tolerated, so newer pages work with older servers.
  CHECK(parse_client_message(R"({"type":"ack","bytes":5,"extra":true})").has_value());
}

TEST_CASE("bad control messages are errors that say what is wrong", "[term][protocol]") {
  const auto msg = [](std::string_view text) { return parse_client_message(text).error().message; };
  CHECK(msg("hello") == "control message: not a JSON object");
  CHECK(msg("[1,2]") == "control message: not a JSON object");
  CHECK(msg(R"({"cols":1})") == "control message: missing \"type\"");
  CHECK(msg(R"({"type":"launch"})") == "control message: unknown type 'launch'");
  CHECK(msg(R"({"type":"resize","cols":0,"rows":40})") ==
        "control message: 'cols' must be a whole number from 1 to 1000");
  CHECK(msg(R"({"type":"resize","cols":80,"rows":1001})") ==
        "control message: 'rows' must be a whole number from 1 to 1000");
  CHECK(msg(R"({"type":"resize","cols":"80","rows":24})") ==
        "control message: 'cols' must be a whole number from 1 to 1000");
  CHECK(msg(R"({"type":"ack","bytes":-1})") ==
        "control message: 'bytes' must be a whole number from 0 to 18446744073709551615");
  CHECK(msg(std::string(2000, ' ')) == "control message: longer than 1024 bytes");
}

TEST_CASE("server messages encode as documented", "[term][protocol]") {
  CHECK(encode_hello("abc", 60000, 42) ==
        R"({"offset":42,"readonly":false,"resume_grace_ms":60000,"session":"abc","start":0,)"
        R"("type":"hello"})");
  CHECK(encode_hello("abc", 0, 0, true) ==
        R"({"offset":0,"readonly":true,"resume_grace_ms":0,"session":"abc","start":0,)"
        R"("type":"hello"})");
  CHECK(encode_hello("abc", 0, 5000, false, 1200) ==
        R"({"offset":5000,"readonly":false,"resume_grace_ms":0,"session":"abc","start":1200,)"
        R"("type":"hello"})");
  CHECK(encode_exit(3) == R"({"code":3,"type":"exit"})");
  CHECK(encode_error("connection refused") == R"({"message":"connection refused","type":"error"})");
  // Invalid UTF-8 from a backend's message never makes encoding throw.
  const auto bad = encode_error(std::string("bad \xff byte"));
  CHECK(nlohmann::json::parse(bad)["type"] == "error");
}
