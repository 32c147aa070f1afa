#pragma once
/// The two halves of decode_message (message.hpp), apart so that tests and the fuzz target can
/// check one against the other.
///
/// decode_message_fast reads the envelope in one pass without building a JSON tree: it knows
/// the shape Celery and kombu write (plain ASCII strings without escapes, integers, the known
/// headers and properties, scalar unknown ones) and gives up — nullopt, never an error — on
/// anything else (an escape, a float, a non-ASCII byte, a duplicate key, a container where it
/// expects a scalar, anything invalid). decode_message_full is the strict nlohmann decoder.
/// The contract, checked by tests/unit/queue and the celery_message fuzz target: whenever the
/// fast path returns a message, the full decoder returns the same message (same_message).
/// decode_message = the fast path, else the full decoder.

#include <optional>
#include <string_view>

#include "queue/message.hpp"

namespace vmterm::queue::detail {

[[nodiscard]] std::optional<task_message> decode_message_fast(std::string_view envelope);
[[nodiscard]] tl::expected<task_message, poison> decode_message_full(std::string_view envelope);

/// encode_message through a JSON tree: what it does for messages with extra headers or
/// properties; for the others, tests compare it with the direct path byte for byte.
[[nodiscard]] std::string encode_message_tree(const task_message& m);

/// Every field equal, JSON values compared by type and value (an unsigned 5 is not an int 5).
[[nodiscard]] bool same_message(const task_message& a, const task_message& b);

/// The first element of an unacked entry ("[<envelope>, <exchange>, <routing_key>]", as the
/// take script writes it), byte for byte; nullopt when `entry` does not have that shape.
[[nodiscard]] std::optional<std::string_view> unacked_envelope(std::string_view entry);

}  // namespace vmterm::queue::detail
