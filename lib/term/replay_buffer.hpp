#pragma once
/// The last `capacity` bytes of a session's output, addressed by absolute stream offset, so a
/// client that reconnects saying "I have N bytes" gets exactly the bytes after N. Pure; one
/// session's strand only. Memory grows with the output up to `capacity` (an idle session holds
/// only its few bytes of prompt), then stays there.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmterm::term {

class replay_buffer {
 public:
  explicit replay_buffer(std::size_t capacity);

  void append(std::string_view bytes);

  /// Offset one past the last byte ever appended (= total output so far).
  [[nodiscard]] std::uint64_t end_offset() const noexcept { return end_; }
  /// Offset of the oldest byte still held.
  [[nodiscard]] std::uint64_t begin_offset() const noexcept { return end_ - size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }
  /// Bytes of memory held for the ring (≤ capacity).
  [[nodiscard]] std::size_t allocated() const noexcept { return ring_.capacity(); }

  /// The bytes from `offset` to the end; nullopt when `offset` is older than the buffer holds
  /// (those bytes are gone) or beyond the end (the client claims bytes never sent).
  [[nodiscard]] std::optional<std::string> since(std::uint64_t offset) const;

  /// Replaces `out` with at most `max_bytes` bytes from `offset` on (fewer near the end). False,
  /// with `out` empty, when `offset` is not held (see since()).
  bool copy(std::uint64_t offset, std::size_t max_bytes, std::string& out) const;

 private:
  std::size_t cap_;
  std::vector<char> ring_;  ///< grows linearly up to cap_, then wraps
  bool wrapped_ = false;    ///< ring_ has reached cap_ and is used as a ring
  std::size_t head_ = 0;    ///< where the next byte goes (ring_.size() while linear)
  std::size_t size_ = 0;    ///< bytes held, ≤ capacity
  std::uint64_t end_ = 0;
};

}  // namespace vmterm::term
