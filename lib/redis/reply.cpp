#include "redis/reply.hpp"

#include "redis/errors.hpp"

namespace vmterm::redis {
namespace {

/// "an integer (3)", "a string (5 bytes)", "nil": what a reply is, without its value (a
/// string reply may hold a task's arguments, which never go into a message).
std::string what(const reply& r) {
  switch (r.type()) {
    case reply_type::nil:
      return "nil";
    case reply_type::status:
      return "a status (" + r.text() + ")";
    case reply_type::error:
      return "an error (" + r.text() + ")";
    case reply_type::integer:
      return "an integer (" + std::to_string(r.integer()) + ")";
    case reply_type::string:
      return "a string (" + std::to_string(r.text().size()) + " bytes)";
    case reply_type::array:
      return "an array (" + std::to_string(r.elements().size()) + " elements)";
  }
  return "an unknown reply";
}

tl::unexpected<error> mismatch(std::string_view expected_kind, const reply& r) {
  const auto code = r.is_error() ? errc::server_error : errc::unexpected_reply;
  return fail(make_error_code(code),
              "expected " + std::string(expected_kind) + " reply, got " + what(r));
}

}  // namespace

reply reply::make_status(std::string s) {
  reply r;
  r.type_ = reply_type::status;
  r.text_ = std::move(s);
  return r;
}

reply reply::make_error(std::string s) {
  reply r;
  r.type_ = reply_type::error;
  r.text_ = std::move(s);
  return r;
}

reply reply::make_integer(std::int64_t v) {
  reply r;
  r.type_ = reply_type::integer;
  r.integer_ = v;
  return r;
}

reply reply::make_string(std::string s) {
  reply r;
  r.type_ = reply_type::string;
  r.text_ = std::move(s);
  return r;
}

reply reply::make_array(std::vector<reply> elements) {
  reply r;
  r.type_ = reply_type::array;
  r.elements_ = std::move(elements);
  return r;
}

expected<std::string> reply::as_string() const {
  if (type_ == reply_type::string || type_ == reply_type::status) return text_;
  return mismatch("a string", *this);
}

expected<std::optional<std::string>> reply::as_optional_string() const {
  if (type_ == reply_type::nil) return std::optional<std::string>{};
  if (type_ == reply_type::string || type_ == reply_type::status) {
    return std::optional<std::string>(text_);
  }
  return mismatch("a string or nil", *this);
}

expected<std::int64_t> reply::as_integer() const {
  if (type_ == reply_type::integer) return integer_;
  return mismatch("an integer", *this);
}

expected<std::vector<reply>> reply::as_array() const {
  if (type_ == reply_type::array) return elements_;
  return mismatch("an array", *this);
}

std::string reply::describe() const {
  switch (type_) {
    case reply_type::nil:
      return "(nil)";
    case reply_type::status:
      return "\"" + text_ + "\"";
    case reply_type::error:
      return "(error) " + text_;
    case reply_type::integer:
      return "(integer) " + std::to_string(integer_);
    case reply_type::string:
      return "(string of " + std::to_string(text_.size()) + " bytes)";
    case reply_type::array:
      return "(array of " + std::to_string(elements_.size()) + ")";
  }
  return "(unknown)";
}

}  // namespace vmterm::redis
