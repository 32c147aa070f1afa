#pragma once
/// When to send terminal output as a WebSocket frame, pure (the clock is passed in). Output goes
/// out at once when it answers something: it follows a quiet moment, or input came since the
/// last frame (a keystroke's echo, a full-screen editor's redraw after a key, even when keys come
/// back to back). Input that waits longer than `delay` for its answer needs no rule: by then the
/// quiet moment has come. Only a sustained stream is batched: frames leave
/// at most every `delay` unless `max_frame` bytes are waiting, so a fast producer is sent in few
/// large frames instead of many small ones. The bytes themselves
/// stay in the session's replay buffer: this only decides how many to take and when.
/// Not thread-safe: one session's strand.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace vmterm::term {

class output_coalescer {
 public:
  using clock = std::chrono::steady_clock;

  struct decision {
    enum class kind { idle, send, wait };
    kind what = kind::idle;
    std::size_t bytes = 0;         ///< for send: the frame's size
    clock::time_point until = {};  ///< for wait: ask again then (or when more output comes)
  };

  /// `max_frame` 0 is taken as 1.
  output_coalescer(std::size_t max_frame, std::chrono::microseconds delay) noexcept
      : max_frame_(max_frame == 0 ? 1 : max_frame), delay_(delay) {}

  /// What to do with `pending` unsent bytes at `now`, the writer being idle.
  [[nodiscard]] decision decide(std::uint64_t pending, clock::time_point now) const noexcept;
  /// A frame left at `now`.
  void sent(clock::time_point now) noexcept {
    last_send_ = now;
    answering_ = false;
  }
  /// Input reached the terminal: the next frame answers it and goes at once.
  void input() noexcept { answering_ = true; }

  [[nodiscard]] std::size_t max_frame() const noexcept { return max_frame_; }

 private:
  std::size_t max_frame_;
  std::chrono::microseconds delay_;
  clock::time_point last_send_{};  ///< epoch: the first output goes at once
  bool answering_ = false;         ///< input came since the last frame
};

}  // namespace vmterm::term
