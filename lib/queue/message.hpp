#pragma once
/// Celery task messages (protocol v2) in kombu's Redis envelope: decode, encode, and the small
/// pure helpers around them (Python-style JSON and repr, ISO-8601 times, priority buckets).
/// Pure: no I/O, thread-safe, no exceptions escape (errors are vmterm::expected).
///
/// The envelope (celery.md §1.1) is a JSON object
///   {"body": <base64 of the JSON [args, kwargs, embed]>, "content-encoding": "utf-8",
///    "content-type": "application/json", "headers": {...v2 headers...},
///    "properties": {correlation_id, reply_to, delivery_mode, [expiration], delivery_info,
///                   priority, body_encoding, delivery_tag}}
/// encode_message() writes it byte for byte as Celery 5.2.6 + kombu 5.2.4 do for the same
/// inputs (Python json.dumps: ", " and ": " separators, ensure_ascii, keys in kombu's order).

#include <array>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vmterm::queue {

/// JSON with insertion order kept (Python dicts keep it; byte compatibility needs it).
using json = nlohmann::ordered_json;

/// A UTC instant with microsecond precision (Python datetime's resolution).
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// Python's json.dumps(value) with its defaults: separators ", " and ": ", ensure_ascii
/// (non-ASCII as lowercase \uXXXX, surrogate pairs above U+FFFF), floats as Python's repr.
[[nodiscard]] std::string python_json(const json& value);

/// Python's repr() of a JSON value as Celery's saferepr writes argsrepr/kwargsrepr: None/True/
/// False, 'single-quoted' strings, [lists], {'dicts': ...}; `as_tuple` writes an array as a
/// tuple ("()", "(1,)", "(2, 3)"), which is what Task.delay/apply_async send. Output longer
/// than `max_size` is cut to max_size and "..." appended (Celery's argsrepr_maxsize is 1024).
/// Differences from saferepr on exotic values (nested empty containers) are documented in
/// the tests; argsrepr is for display only, no consumer parses it.
[[nodiscard]] std::string python_repr(const json& value, bool as_tuple = false,
                                      std::size_t max_size = 1024);

/// ISO-8601 as Celery writes and reads it: "2026-11-21T09:34:23.588312+00:00"; a naive time
/// (no offset) is UTC; "Z" and other offsets ("+02:00") are accepted; 0-6 fraction digits.
/// Error: "time '<text>' is not ISO-8601 (2026-11-21T09:34:23.588312+00:00)".
[[nodiscard]] expected<timestamp> parse_iso8601(std::string_view text);
/// Python's aware isoformat(): microseconds omitted when zero, "+00:00" when `offset` is true,
/// naive (Celery 5.2.6's result date_done) otherwise.
[[nodiscard]] std::string format_iso8601(timestamp t, bool offset = true);

/// kombu's priority steps on Redis; 0 is the HIGHEST priority (served first).
inline constexpr int priority_steps[] = {0, 3, 6, 9};
/// kombu's separator between a queue name and its priority step.
inline constexpr std::string_view priority_separator = "\x06\x16";
/// The step a priority falls into: clamped to 0..9, then the largest step <= p (1 -> 0,
/// 5 -> 3, 8 -> 6, 9 -> 9, -4 -> 0, 12 -> 9), as kombu's _get_message_priority + _q_for_pri.
[[nodiscard]] int priority_step(int priority) noexcept;
/// The list a message of `priority` goes to: "celery" for step 0, "celery\x06\x163" etc.
[[nodiscard]] std::string bucket_key(std::string_view queue, int priority);
/// The four bucket lists of each queue in the order kombu's BRPOP serves them (priority-major:
/// a\x06\x160.., b, a\x06\x163, b\x06\x163, ...): all step-0 lists first.
[[nodiscard]] std::vector<std::string> bucket_keys(const std::vector<std::string>& queues);

/// One Celery task message, decoded. Typed fields for everything a worker uses; unknown
/// headers and properties are kept in order (extra_*) and written back by encode_message.
struct task_message {
  // ---- headers (protocol v2; celery.md §1.2), in the order Celery writes them
  std::string lang = "py";
  std::string task;  ///< registered task name ("app.add"); required
  std::string id;    ///< task id (uuid); required
  std::optional<std::string> shadow;
  std::optional<timestamp> eta;      ///< run not before (countdown is sent as an eta)
  std::optional<timestamp> expires;  ///< revoke (REVOKED) when received after it
  std::optional<std::string> group;
  std::optional<std::int64_t> group_index;
  std::int64_t retries = 0;
  std::optional<double> time_limit;       ///< timelimit[0]: hard, seconds
  std::optional<double> soft_time_limit;  ///< timelimit[1]: soft, seconds
  std::string root_id;                    ///< "" -> written as id by encode_message
  std::optional<std::string> parent_id;
  std::string argsrepr;    ///< "" -> python_repr(args, true) by encode_message
  std::string kwargsrepr;  ///< "" -> python_repr(kwargs) by encode_message
  std::string origin;      ///< "gen<pid>@<host>"
  bool ignore_result = false;
  /// W3C context, top-level headers exactly where opentelemetry-instrumentation-celery
  /// injects them. Empty = absent.
  std::string traceparent, tracestate, baggage;
  /// headers.redelivered (kombu sets it, with properties.delivery_info.redelivered, when it
  /// puts a message back).
  bool redelivered = false;
  /// Headers this struct has no field for (stamps, custom apply_async(headers=...)), in
  /// order; written after ignore_result (traceparent etc. are written after these, as the
  /// instrumentation's inject() adds them last). A JSON object (null = none).
  json extra_headers;

  // ---- body: [args, kwargs, embed]
  json args = json::array();
  json kwargs = json::object();
  /// {"callbacks","errbacks","chain","chord"}; null -> all four null.
  json embed;

  // ---- properties (celery.md §1.3)
  std::string correlation_id;  ///< "" -> id
  std::string reply_to;        ///< any uuid string ("" -> a fresh uuid4 by encode)
  int delivery_mode = 2;
  std::string exchange;                   ///< delivery_info.exchange ("" = direct to the queue)
  std::string routing_key = "celery";     ///< delivery_info.routing_key = the queue
  int priority = 0;                       ///< 0..9 as sent (0 highest on Redis)
  std::optional<std::string> expiration;  ///< ms as a string ("3600000"), when expires was given
  std::string delivery_tag;               ///< uuid4 per publish ("" -> fresh by encode)
  /// Properties with no field (e.g. replaced_task_nesting), in order; written after reply_to.
  json extra_properties;

  // ---- envelope
  std::string content_type = "application/json";
  std::string content_encoding = "utf-8";
};

/// Why a list element is not a runnable message. Every reason's text names the message and
/// says what was wrong; the worker moves it to the dead-letter list with that text.
enum class poison_kind : std::uint8_t {
  not_json,             ///< the element is not a JSON object
  bad_envelope,         ///< a required envelope key is missing or has the wrong type
  unsupported_content,  ///< content-type other than application/json (pickle, yaml, msgpack)
  bad_base64,           ///< body_encoding base64 but the body is not base64
  bad_body,             ///< the body is not JSON [args(list), kwargs(object), embed]
  not_v2,               ///< protocol v1 (no 'task' header) or another language's format
  bad_header,           ///< a v2 header with the wrong type (retries not an int, bad eta ...)
  unknown_task,         ///< decoded fine, but no task of that name here (set by the worker)
};
[[nodiscard]] std::string_view to_string(poison_kind k) noexcept;  ///< "not_json", ...

/// A decode failure: which kind, and a message of the form
/// "message <id or delivery tag or 'in queue celery'>: content-type
/// 'application/x-python-serialize' (pickle) is not accepted; send JSON (task_serializer='json')".
struct poison {
  poison_kind kind;
  std::string reason;
};

/// Decodes an envelope (a list element / unacked entry's first item). Never throws.
[[nodiscard]] tl::expected<task_message, poison> decode_message(std::string_view envelope);

/// Writes the envelope JSON (celery.md §1.1) from `m`, filling "" defaults: correlation_id
/// and root_id = id, argsrepr/kwargsrepr from args/kwargs, delivery_tag and reply_to fresh
/// uuid4s. Byte-identical to Celery 5.2.6 for the same field values (golden tests).
[[nodiscard]] std::string encode_message(const task_message& m);

/// The body text alone: python_json([args, kwargs, embed]) (before base64).
[[nodiscard]] std::string encode_body(const task_message& m);

/// kombu's restore of a message: headers.redelivered = true and
/// properties.delivery_info.redelivered = true, everything else byte-preserved in order
/// (Python dict semantics: an existing key keeps its place, a new one is appended).
/// Fails only when `envelope` is not a JSON object.
[[nodiscard]] expected<std::string> mark_redelivered(std::string_view envelope);

/// A message that is decodable enough to be dead-lettered with a reason: the envelope with
/// headers["x-vmterm-dead-reason"] = reason (and x-vmterm-dead-at, x-vmterm-dead-worker). An
/// element that is not a JSON object is wrapped: {"body": base64(raw bytes),
/// "content-encoding": "binary", "content-type": "application/x-vmterm-undecodable",
/// "headers": {...reason...}, "properties": {"body_encoding": "base64", "delivery_info":
/// {"exchange": "", "routing_key": <queue>}}}. See consumer.hpp for the list's name.
[[nodiscard]] std::string dead_letter_envelope(std::string_view raw, std::string_view queue,
                                               std::string_view reason, std::string_view worker,
                                               timestamp at);

/// A random uuid4 in its canonical text form (task ids, delivery tags).
[[nodiscard]] std::string uuid4();
/// A uuid's 16 bytes in canonical text form (lowercase 8-4-4-4-12 hex).
[[nodiscard]] std::string format_uuid(const std::array<std::uint8_t, 16>& bytes);
/// The 16 bytes of a uuid in canonical lowercase text form; nullopt for any other text (so
/// format_uuid(*parse_uuid(t)) == t whenever it parses).
[[nodiscard]] std::optional<std::array<std::uint8_t, 16>> parse_uuid(std::string_view text);

/// Base64 (standard alphabet, '=' padding), as kombu's body_encoding "base64".
[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// Strict decode (Python's b64decode accepts no stray characters either). nullopt when bad.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace vmterm::queue
