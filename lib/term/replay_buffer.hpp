#pragma once
/// The last `capacity` bytes of a session's output, addressed by absolute stream offset, so a
/// client that reconnects saying "I have N bytes" gets exactly the bytes after N. Pure; one
/// session's strand only. Memory is fixed at construction.

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
  [[nodiscard]] std::size_t capacity() const noexcept { return ring_.size(); }

  /// The bytes from `offset` to the end; nullopt when `offset` is older than the buffer holds
  /// (those bytes are gone) or beyond the end (the client claims bytes never sent).
  [[nodiscard]] std::optional<std::string> since(std::uint64_t offset) const;

 private:
  std::vector<char> ring_;
  std::size_t head_ = 0;  ///< where the next byte goes
  std::size_t size_ = 0;  ///< bytes held, ≤ capacity
  std::uint64_t end_ = 0;
};

}  // namespace vmterm::term
