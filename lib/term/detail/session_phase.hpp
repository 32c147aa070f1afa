#pragma once
/// The lifecycle of a terminal session (internal to lib/term), as one value and one table of
/// the changes allowed, so that "may the shell still start?", "is the session over?" and "may
/// it be forgotten?" are each read from one place. Pure.
///
///   created ──start──▶ running ──exit──▶ exited ──(exit delivered, or end)──▶ ended ──▶ gone
///      │                  │                                                    ▲       ▲
///      └──end / failed────┼────────────────────────────────────────────────────┘       │
///                         └──end──▶ ending ──(backend reported its exit, or 5 s)──▶ ended
///
/// - created: the backend is made (or failed), the shell waits for the client's first size.
/// - running: the shell runs; output flows.
/// - exited: the shell ended by itself; its exit message waits for the client (resume grace).
/// - ending: the session was ended (client, idle timeout, shutdown) and the backend was told to
///   hang up; it drains until it reports its exit.
/// - ended: nothing runs any more; the session waits only for its connection to leave.
/// - gone: forgotten by the hub (terminal).

#include <string_view>

namespace vmterm::term {

enum class session_phase { created, running, exited, ending, ended, gone };

/// Whether the lifecycle may go from `from` to `to` (the table above; staying is not a change).
[[nodiscard]] constexpr bool phase_change_allowed(session_phase from, session_phase to) noexcept {
  using p = session_phase;
  switch (from) {
    case p::created:
      return to == p::running || to == p::ended;
    case p::running:
      return to == p::exited || to == p::ending;
    case p::exited:
      return to == p::ended;
    case p::ending:
      return to == p::ended;
    case p::ended:
      return to == p::gone;
    case p::gone:
      return false;
  }
  return false;
}

/// The session is over: no input is taken, no new connection is served, the shell cannot start.
[[nodiscard]] constexpr bool phase_is_over(session_phase p) noexcept {
  return p == session_phase::ending || p == session_phase::ended || p == session_phase::gone;
}

/// The backend runs (or drains) and reports output and its exit.
[[nodiscard]] constexpr bool phase_backend_live(session_phase p) noexcept {
  return p == session_phase::running || p == session_phase::ending;
}

[[nodiscard]] constexpr std::string_view phase_name(session_phase p) noexcept {
  switch (p) {
    case session_phase::created:
      return "created";
    case session_phase::running:
      return "running";
    case session_phase::exited:
      return "exited";
    case session_phase::ending:
      return "ending";
    case session_phase::ended:
      return "ended";
    case session_phase::gone:
      return "gone";
  }
  return "?";
}

}  // namespace vmterm::term
