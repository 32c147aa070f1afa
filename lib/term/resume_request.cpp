#include "term/resume_request.hpp"

#include <charconv>

namespace vmterm::term {
namespace {

/// Session ids are the server's own (hex); anything else cannot name a session.
bool valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

}  // namespace

expected<std::optional<resume_request>> parse_resume_query(std::string_view query) {
  std::optional<std::string_view> session;
  std::optional<std::string_view> offset;
  std::optional<std::string_view> replay;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (key == "session") session = value;
    if (key == "offset") offset = value;
    if (key == "replay") replay = value;
  }
  if (!session) {
    if (offset) return fail(std::errc::invalid_argument, "resume: 'offset' needs 'session'");
    if (replay) return fail(std::errc::invalid_argument, "resume: 'replay' needs 'session'");
    return std::optional<resume_request>{};
  }
  if (!valid_id(*session)) {
    return fail(std::errc::invalid_argument, "resume: 'session' is not a session id");
  }
  resume_request r{std::string(*session), 0, false};
  if (replay) {
    if (*replay != "held") {
      return fail(std::errc::invalid_argument, "resume: 'replay' must be 'held'");
    }
    r.replay_held = true;
  }
  if (offset) {
    const char* end = offset->data() + offset->size();
    const auto [p, ec] = std::from_chars(offset->data(), end, r.offset);
    if (offset->empty() || ec != std::errc{} || p != end) {
      return fail(std::errc::invalid_argument, "resume: 'offset' must be a whole number");
    }
  }
  return std::optional<resume_request>{std::move(r)};
}

std::optional<std::string_view> query_parameter(std::string_view query,
                                                std::string_view key) noexcept {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
  }
  return std::nullopt;
}

}  // namespace vmterm::term
