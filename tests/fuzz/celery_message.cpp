// lib/queue's Celery message decoder (kombu's Redis envelope, protocol v2), fed whatever a
// Redis list may hold. Never crash; a message that decodes encodes back to one that decodes
// again to the same task, id and arguments; mark_redelivered keeps a decodable envelope so.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "queue/detail/message_decode.hpp"
#include "queue/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vmterm::queue;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_iso8601(text);
  // The fast path may give up, never disagree: whatever it decodes, the full decoder decodes
  // to the same message.
  if (const auto fast = detail::decode_message_fast(text)) {
    const auto full = detail::decode_message_full(text);
    if (!full || !detail::same_message(*fast, *full)) {
      std::fprintf(stderr, "the fast decoder disagrees with the full one\n");
      std::abort();
    }
  }
  if (const auto env = detail::unacked_envelope(text)) (void)decode_message(*env);
  const auto m = decode_message(text);
  if (!m) return 0;
  const auto again = decode_message(encode_message(*m));
  if (!again || again->task != m->task || again->id != m->id || again->args != m->args ||
      again->kwargs != m->kwargs) {
    std::fprintf(stderr, "a decoded message does not survive encode + decode\n");
    std::abort();
  }
  if (auto marked = mark_redelivered(text); marked && !decode_message(*marked)) {
    std::fprintf(stderr, "mark_redelivered made a decodable envelope undecodable\n");
    std::abort();
  }
  return 0;
}
