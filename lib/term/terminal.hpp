#pragma once
/// What a terminal backend (local PTY, SSH channel) offers the WebSocket bridge, and nothing of
/// WebSockets: output and exit callbacks in, input, size and read gating out.

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::term {

struct term_size {
  std::uint16_t cols = 80;
  std::uint16_t rows = 24;
  friend bool operator==(const term_size&, const term_size&) = default;
};

struct terminal_handlers {
  /// Output bytes, on the terminal's executor. The backend issues its next read after this
  /// returns, unless pause() was called: one chunk in flight, so a slow consumer that pauses
  /// stops the source.
  std::function<void(std::string_view bytes)> on_output;
  /// Called once, after the last output: the exit status (128+N when killed by signal N), or
  /// -1 when the backend failed (with `reason` in words, empty otherwise).
  std::function<void(int code, std::string_view reason)> on_exit;
};

/// A running terminal session. Implementations are used from one executor (strand) only;
/// every method returns at once and never throws.
class terminal {
 public:
  virtual ~terminal() = default;
  /// Starts the shell or channel at `size`. An error says what could not be started.
  [[nodiscard]] virtual expected<void> start(term_size size, terminal_handlers handlers) = 0;
  /// Queues input (keystrokes, paste); written in order.
  virtual void write(std::string_view input) = 0;
  virtual void resize(term_size size) = 0;
  /// Stops reading output (at most one chunk already read may still arrive).
  virtual void pause() noexcept = 0;
  virtual void resume() = 0;
  /// Hangs up. on_exit still follows, with the final status.
  virtual void close() noexcept = 0;
};

}  // namespace vmterm::term
