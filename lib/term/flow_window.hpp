#pragma once
/// Output flow control for one terminal session, pure. The server counts the output bytes it
/// sends; the client acknowledges the total it has written to the screen. Reading from the
/// terminal stops when unacknowledged bytes reach the high mark and starts again only when
/// they fall to the low mark (hysteresis, so a busy stream is not toggled on every ack), and an
/// explicit client pause stops it whatever the count. Not thread-safe: one session's strand.

#include <cstdint>

namespace vmterm::term {

class flow_window {
 public:
  static constexpr std::uint64_t default_high = 1 << 20;   ///< 1 MiB in flight
  static constexpr std::uint64_t default_low = 256 << 10;  ///< resume below 256 KiB

  explicit flow_window(std::uint64_t high = default_high, std::uint64_t low = default_low) noexcept
      : high_(high), low_(low < high ? low : high / 2) {}

  /// Starts counting at `offset` bytes already sent and acknowledged (a resumed session).
  void reset(std::uint64_t sent, std::uint64_t acked) noexcept {
    sent_ = sent;
    acked_ = acked <= sent ? acked : sent;
    throttled_ = in_flight() >= high_;
  }

  void on_sent(std::uint64_t n) noexcept {
    sent_ += n;
    if (in_flight() >= high_) throttled_ = true;
  }

  /// `total` is the client's running count. Returns false when it claims more than was sent
  /// (a broken or hostile client); an ack that goes backwards is ignored.
  [[nodiscard]] bool on_ack(std::uint64_t total) noexcept {
    if (total > sent_) return false;
    if (total > acked_) acked_ = total;
    if (throttled_ && in_flight() <= low_) throttled_ = false;
    return true;
  }

  void pause() noexcept { paused_ = true; }
  void resume() noexcept { paused_ = false; }

  /// May the session read more output from the terminal?
  [[nodiscard]] bool may_read() const noexcept { return !paused_ && !throttled_; }
  [[nodiscard]] bool paused() const noexcept { return paused_; }
  [[nodiscard]] bool throttled() const noexcept { return throttled_; }
  [[nodiscard]] std::uint64_t sent() const noexcept { return sent_; }
  [[nodiscard]] std::uint64_t acked() const noexcept { return acked_; }
  [[nodiscard]] std::uint64_t in_flight() const noexcept { return sent_ - acked_; }

 private:
  std::uint64_t high_;
  std::uint64_t low_;
  std::uint64_t sent_ = 0;
  std::uint64_t acked_ = 0;
  bool throttled_ = false;
  bool paused_ = false;
};

}  // namespace vmterm::term
