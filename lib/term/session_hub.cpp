#include "term/session_hub.hpp"

#include <sys/random.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/log.hpp"
#include "term/detail/session_id.hpp"
#include "term/detail/terminal_session.hpp"
#include "term/detail/ws_connection.hpp"
#include "term/resume_request.hpp"
#include "trace/propagation.hpp"
#include "trace/provider.hpp"

namespace vmterm::term {
namespace net = boost::asio;

namespace detail {

expected<std::string> new_session_id(random_source source) {
  std::array<unsigned char, 16> bytes{};
  std::size_t got = 0;
  int err = 0;
  for (int i = 0; i < random_attempts && got < bytes.size(); ++i) {
    const ssize_t n = source(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
    if (n < 0) err = errno;
  }
  if (got < bytes.size()) {
    return fail(std::errc::io_error, std::string("cannot make a session id: getrandom: ") +
                                         (err != 0 ? std::strerror(err) : "too few random bytes"));
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  id.reserve(32);
  for (const unsigned char b : bytes) {
    id.push_back(hex[b >> 4]);
    id.push_back(hex[b & 15]);
  }
  return id;
}

}  // namespace detail

namespace {

hub_metrics register_metrics(metrics::registry* r) {
  hub_metrics m;
  if (r == nullptr) return m;
  m.sessions = &r->add_gauge("vmterm_terminal_sessions",
                             "Terminal sessions alive (connected or waiting for a resume).")
                    .labels();
  m.sessions_total =
      &r->add_counter("vmterm_terminal_sessions_total", "Terminal sessions started.").labels();
  m.output_bytes = &r->add_counter("vmterm_terminal_output_bytes_total",
                                   "Terminal output bytes sent to WebSocket clients.")
                        .labels();
  m.input_bytes = &r->add_counter("vmterm_terminal_input_bytes_total",
                                  "Terminal input bytes received from WebSocket clients.")
                       .labels();
  m.resumes = &r->add_counter("vmterm_terminal_resumes_total",
                              "Terminal sessions resumed by a reconnecting client.")
                   .labels();
  return m;
}

}  // namespace

struct session_hub::impl {
  net::any_io_executor executor;
  std::shared_ptr<const hub_options> options;
  hub_metrics metrics;
  trace::tracer tracer;

  mutable std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<terminal_session>> sessions;
  bool stopping = false;
  std::function<void()> done;
};

std::shared_ptr<session_hub> session_hub::create(net::any_io_executor executor,
                                                 hub_options options) {
  auto p = std::make_unique<impl>();
  p->executor = std::move(executor);
  p->metrics = register_metrics(options.registry);
  p->options = std::make_shared<const hub_options>(std::move(options));
  p->tracer = trace::get_tracer("vmterm.term");
  return std::shared_ptr<session_hub>(new session_hub(std::move(p)));
}

session_hub::session_hub(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

session_hub::~session_hub() = default;

void session_hub::accept(http::upgraded_connection conn, const http::request&,
                         const http::request_context& ctx) {
  auto& d = *impl_;
  connection_setup setup;
  setup.options = d.options;
  // The upgrade request's SERVER span is current here (the router's gate makes it so). The
  // page passes on the trace of the GET that served it (`traceparent` in the query): the
  // session joins that trace, linked to the upgrade request's span; a malformed one is ignored.
  const trace::context& upgrade = trace::current_context();
  std::optional<trace::context> page;
  if (const auto tp = query_parameter(ctx.query, "traceparent")) {
    if (auto sc = trace::parse_traceparent(*tp)) page = trace::context{std::move(*sc), {}};
  }
  setup.span =
      d.tracer.start_span("WS /ws/terminal/", page ? *page : upgrade, trace::span_kind::server);
  if (page && upgrade.span.valid()) setup.span.add_link(upgrade.span);
  setup.span.set_attribute("http.route", ctx.route);
  setup.span.set_attribute("client.address", ctx.peer_address);
  const auto refuse = [&](std::string message, std::uint16_t code, std::string reason) {
    setup.refusal_message = std::move(message);
    setup.refusal_code = code;
    setup.refusal_reason = std::move(reason);
  };
  const auto resume = parse_resume_query(ctx.query);
  // A new session lives on its first connection's strand: the thread that reads the socket
  // also reads the PTY and writes the frames (see http::server_options::workers).
  net::any_io_executor strand = connection_executor(conn);
  bool created = false;
  // Made outside the hub's lock (a system call); used only for a new session.
  const auto new_id = resume && !resume->has_value() ? detail::new_session_id(&::getrandom)
                                                     : expected<std::string>{};
  {
    std::lock_guard lock(d.mu);
    if (!resume) {
      refuse(resume.error().message, close_code::policy, "bad resume request");
    } else if (d.stopping) {
      refuse("the server is shutting down", close_code::going_away, "server shutting down");
    } else if (resume->has_value()) {
      const auto it = d.sessions.find((*resume)->session);
      if (it == d.sessions.end()) {
        refuse(
            "cannot resume: the session has ended (or the server restarted); reload the page "
            "to start a new one",
            close_code::policy, "session not found");
      } else {
        setup.session = it->second;
        setup.resume_offset = (*resume)->offset;
        setup.replay_held = (*resume)->replay_held;
        // Tied to the session's first connection by a link (another trace, usually) and by
        // the session's public id: never by the resume credential.
        setup.span.add_link(setup.session->first_span());
        strand = setup.session->executor();
      }
    } else if (d.sessions.size() >= d.options->max_sessions) {
      const auto n = std::to_string(d.options->max_sessions);
      // The limit in numbers, not one tool's flag: the tool's documentation names its setting.
      refuse("too many sessions: " + n + (d.options->max_sessions == 1 ? " is" : " are") +
                 " open, the server's limit; close one, or raise the server's session limit",
             close_code::try_later, "too many sessions (limit " + n + ")");
    } else if (!new_id) {
      refuse(new_id.error().message + "; the server cannot start a session (try again later)",
             close_code::internal, "no session id");
    } else {
      std::weak_ptr<session_hub> weak = weak_from_this();
      auto s = std::make_shared<terminal_session>(
          strand, *new_id, d.options, d.metrics,
          [weak](const std::string& id) {
            if (auto hub = weak.lock()) hub->forget(id);
          },
          setup.span.context());
      d.sessions.emplace(s->id(), s);
      setup.session = std::move(s);
      created = true;
    }
  }
  if (!setup.session) {
    log::info("terminal session refused", {{"reason", setup.refusal_reason}});
  }
  setup.span.set_attribute("vmterm.session.new", created);
  if (setup.session) setup.span.set_attribute("session.id", setup.session->public_id());
  start_ws_connection(std::move(conn), std::move(strand), std::move(setup));
}

void session_hub::forget(const std::string& id) {
  std::function<void()> done;
  {
    std::lock_guard lock(impl_->mu);
    impl_->sessions.erase(id);
    if (impl_->stopping && impl_->sessions.empty()) done = std::move(impl_->done);
  }
  if (done) done();
}

void session_hub::shutdown(std::function<void()> done) {
  std::vector<std::shared_ptr<terminal_session>> all;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    if (!impl_->sessions.empty()) {
      impl_->done = std::move(done);
      done = nullptr;
    }
    for (const auto& [id, s] : impl_->sessions) all.push_back(s);
  }
  if (done) done();
  for (auto& s : all) {
    net::post(s->executor(), [s] { s->shutdown(); });
  }
}

std::size_t session_hub::sessions() const noexcept {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

bool session_hub::full() const noexcept {
  std::lock_guard lock(impl_->mu);
  return impl_->stopping || impl_->sessions.size() >= impl_->options->max_sessions;
}

}  // namespace vmterm::term
