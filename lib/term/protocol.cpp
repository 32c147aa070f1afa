#include "term/protocol.hpp"

#include <nlohmann/json.hpp>

namespace vmterm::term {
namespace {

using json = nlohmann::json;

constexpr std::string_view prefix = "control message: ";

tl::unexpected<error> bad(std::string_view why) {
  return fail(std::errc::invalid_argument, std::string(prefix) + std::string(why));
}

/// A whole number in [lo, hi] under `key`, or an error naming the key.
expected<std::uint64_t> whole(const json& msg, const char* key, std::uint64_t lo,
                              std::uint64_t hi) {
  const auto it = msg.find(key);
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  if (it == msg.end() || !it->is_number_unsigned() || it->get<std::uint64_t>() < lo ||
      it->get<std::uint64_t>() > hi) {
    return bad("'" + std::string(key) + "' must be a whole number from " + range);
  }
  return it->get<std::uint64_t>();
}

}  // namespace

expected<client_message> parse_client_message(std::string_view text) {
  if (text.size() > max_control_size) {
    return bad("longer than " + std::to_string(max_control_size) + " bytes");
  }
  const json msg = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_object()) return bad("not a JSON object");
  const auto type = msg.find("type");
  if (type == msg.end() || !type->is_string()) return bad("missing \"type\"");
  const auto& t = type->get_ref<const std::string&>();
  if (t == "resize") {
    auto cols = whole(msg, "cols", 1, max_cells);
    if (!cols) return tl::unexpected(cols.error());
    auto rows = whole(msg, "rows", 1, max_cells);
    if (!rows) return tl::unexpected(rows.error());
    return resize_message{static_cast<std::uint16_t>(*cols), static_cast<std::uint16_t>(*rows)};
  }
  if (t == "ack") {
    auto bytes = whole(msg, "bytes", 0, UINT64_MAX);
    if (!bytes) return tl::unexpected(bytes.error());
    return ack_message{*bytes};
  }
  if (t == "pause") return pause_message{};
  if (t == "resume") return resume_message{};
  if (t == "end") return end_message{};
  return bad("unknown type '" + t.substr(0, 40) + "'");
}

std::string encode_hello(std::string_view session_id, std::uint64_t resume_grace_ms,
                         std::uint64_t offset, bool readonly, std::uint64_t start) {
  return json{{"type", "hello"},  {"session", session_id}, {"resume_grace_ms", resume_grace_ms},
              {"offset", offset}, {"start", start},        {"readonly", readonly}}
      .dump();
}

std::string encode_exit(int code) { return json{{"type", "exit"}, {"code", code}}.dump(); }

std::string encode_error(std::string_view message) {
  return json{{"type", "error"}, {"message", message}}.dump(-1, ' ', false,
                                                            json::error_handler_t::replace);
}

}  // namespace vmterm::term
