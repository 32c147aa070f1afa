#pragma once
/// One terminal session of the hub (internal to lib/term): a backend, its output stream (replay
/// buffer, flow window, coalescer) and at most one attached WebSocket connection, which it
/// knows only as a session_link. No Beast here: the connection pulls what to write with next()
/// and hands in what it reads, so the session can be driven by a test without a socket.
///
/// Threading: every member runs on the session's strand (the executor given at creation); the
/// backend is made on it too. Lifetime: shared; the hub's map holds it until `on_gone`, an
/// attached connection holds it while attached, pending timers hold it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "term/detail/session_phase.hpp"
#include "term/flow_window.hpp"
#include "term/output_coalescer.hpp"
#include "term/protocol.hpp"
#include "term/replay_buffer.hpp"
#include "term/session_hub.hpp"
#include "term/terminal.hpp"
#include "trace/span.hpp"

namespace vmterm::metrics {
class counter;
class gauge;
}  // namespace vmterm::metrics

namespace vmterm::term {

/// The hub's metrics; any pointer may be null.
struct hub_metrics {
  metrics::gauge* sessions = nullptr;
  metrics::counter* sessions_total = nullptr;
  metrics::counter* output_bytes = nullptr;
  metrics::counter* input_bytes = nullptr;
  metrics::counter* resumes = nullptr;
};

/// What the attached connection's writer is to do next.
struct outgoing {
  enum class kind { none, text, binary, wait, close };
  kind type = kind::none;
  std::string data{};                             ///< the payload, or the close reason
  std::uint16_t code = 0;                         ///< for close
  std::chrono::steady_clock::time_point until{};  ///< for wait: call next() again then
};

/// The attached WebSocket as the session sees it. Called on the session's strand.
class session_link {
 public:
  virtual ~session_link() = default;
  /// Something may be ready to write: the writer, when idle, calls next(). Never calls back
  /// into the session before returning (the session calls it mid-method, with its state half
  /// changed): an implementation posts the pull to the session's strand, as ws_connection does.
  virtual void wake() = 0;
  /// Like wake(), but the session has finished with its state (it calls this last, from the
  /// backend's own handler): an idle writer may pull at once. By default, a wake().
  virtual void ready() { wake(); }
  /// Drops the connection without a close handshake (another connection took the session over).
  virtual void abort() noexcept = 0;
};

/// Close codes the session uses (RFC 6455 §7.4.1).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
/// Never sent: what a span records for a connection that ended without a close frame.
inline constexpr std::uint16_t abnormal = 1006;
inline constexpr std::uint16_t policy = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t internal = 1011;
inline constexpr std::uint16_t try_later = 1013;
}  // namespace close_code

class terminal_session : public std::enable_shared_from_this<terminal_session> {
 public:
  using clock = std::chrono::steady_clock;

  /// `id` is the resume credential (never in telemetry); `first_span` the span of the
  /// connection that creates the session, which resumed connections' spans link to.
  terminal_session(boost::asio::any_io_executor strand, std::string id,
                   std::shared_ptr<const hub_options> options, hub_metrics metrics,
                   std::function<void(const std::string& id)> on_gone,
                   trace::span_context first_span = {});
  ~terminal_session();
  terminal_session(const terminal_session&) = delete;
  terminal_session& operator=(const terminal_session&) = delete;

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] const boost::asio::any_io_executor& executor() const noexcept { return strand_; }
  /// A name for the session in spans and logs (`session.id`): random, and not the resume
  /// credential. Immutable: any thread.
  [[nodiscard]] const std::string& public_id() const noexcept { return public_id_; }
  /// The first connection's span (see the constructor). Immutable: any thread.
  [[nodiscard]] const trace::span_context& first_span() const noexcept { return first_span_; }

  /// Attaches a connection whose handshake is done: a new session when `offset` is empty, else
  /// a resume from `offset` (from the oldest byte held when `replay_held`, if `offset` is not
  /// beyond the end). A connection already attached is dropped (taken over). The span is the
  /// connection's; the session adds its events and ends it when the connection leaves.
  void attach(std::shared_ptr<session_link> link, std::optional<std::uint64_t> offset,
              trace::span span, bool replay_held = false);
  /// The connection is gone (closed, failed or dropped): wait `resume_grace` for a resume.
  /// `why` and the close `code` (the client's close frame's; 0: none came, recorded as 1006)
  /// go on the span unless the session closed the connection itself, whose reason stands.
  void detach(const session_link* link, std::string_view why, std::uint16_t code = 0);
  /// A new session whose connection never completed its handshake.
  void abandon();

  void on_binary(const session_link* link, std::string_view bytes);
  void on_text(const session_link* link, std::string_view text);
  /// What the attached writer should do now (it is idle). `frame` is storage for an output
  /// frame (the previous frame's, so that a stream does not allocate per frame): handed back
  /// in the binary frame, or in a wait's `data`; dropped when there is nothing to write (an
  /// idle connection holds no frame).
  [[nodiscard]] outgoing next(const session_link* link, clock::time_point now,
                              std::string frame = {});

  /// Server shutdown: close 1001, backend closed; gone once the backend has exited.
  void shutdown();

  /// Where the session is in its lifecycle (see session_phase.hpp).
  [[nodiscard]] session_phase phase() const noexcept { return phase_; }

 private:
  struct queued {
    std::uint64_t after;  ///< send once the output up to this offset has been sent
    outgoing item;
  };
  struct attachment {
    std::shared_ptr<session_link> link;
    trace::span span;
    std::uint64_t sent = 0;  ///< absolute output offset written to this connection
    std::uint64_t bytes_out = 0;
    std::uint64_t bytes_in = 0;
    /// Control messages to write, in order (≤ queue_max). A vector, released when it empties:
    /// an idle session holds none (a deque keeps a 512-byte block even when empty).
    std::vector<queued> queue;
    bool closing = false;          ///< a close was handed out: nothing more to write
    std::uint16_t close_code = 0;  ///< the close the session handed out (0: none)
  };

  /// The one place the lifecycle changes: false (and logged, nothing changed) for a change the
  /// table does not allow, which would be a bug here.
  bool enter(session_phase to);
  void make_backend();
  void start_backend(term_size size);
  void on_output(std::string_view bytes);
  void on_exit(int code, std::string_view reason);
  void on_control(const client_message& msg);
  void apply_gate(std::string_view why);
  void enqueue(std::uint64_t after, outgoing item);
  void close_connection(std::uint16_t code, std::string reason, std::string message);
  /// Ends the session: tells the client (message, then close `code`), closes the backend.
  void end(std::uint16_t code, std::string reason, std::string message);
  void maybe_gone();
  void arm_idle();
  void arm_grace();
  [[nodiscard]] outgoing output_frame(std::size_t max_bytes, clock::time_point now,
                                      std::string frame);

  /// backend_ for one call: output the backend hands in during the call finds
  /// `backend_calls_` above 0 (the session is mid-method) and is only woken for, never pulled.
  class backend_ref {
   public:
    explicit backend_ref(terminal_session& s) noexcept : s_(s) { ++s_.backend_calls_; }
    ~backend_ref() { --s_.backend_calls_; }
    backend_ref(const backend_ref&) = delete;
    backend_ref& operator=(const backend_ref&) = delete;
    terminal* operator->() const noexcept { return s_.backend_.get(); }

   private:
    terminal_session& s_;
  };
  backend_ref backend() noexcept { return backend_ref(*this); }

  boost::asio::any_io_executor strand_;
  std::string id_;
  std::string public_id_;
  trace::span_context first_span_;
  std::shared_ptr<const hub_options> options_;
  hub_metrics metrics_;
  std::function<void(const std::string&)> on_gone_;

  std::shared_ptr<terminal> backend_;
  replay_buffer replay_;
  flow_window flow_;
  output_coalescer coalescer_;
  std::optional<attachment> att_;
  std::string early_input_;  ///< typed before the shell started

  boost::asio::steady_timer start_timer_;
  boost::asio::steady_timer grace_timer_;
  boost::asio::steady_timer idle_timer_;
  clock::time_point last_input_;

  session_phase phase_ = session_phase::created;
  bool backend_paused_ = false;  ///< the flow gate, not the lifecycle
  int backend_calls_ = 0;        ///< calls into the backend under way (backend_ref)
  bool exit_queued_ = false;     ///< the exit message and close are queued to the connection
  /// The exit (or backend error) message, kept for a client that resumes after the exit.
  std::optional<std::string> final_message_;
};

}  // namespace vmterm::term
