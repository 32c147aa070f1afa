#include "app.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "backend.hpp"
#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "http/auth.hpp"
#include "http/server.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "routes.hpp"
#include "term/session_hub.hpp"

namespace vmterm::serve {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

/// Each session holds about three descriptors (socket, PTY or SSH socket, pidfd): raise the
/// soft open-file limit to the hard one, so the usual soft 1024 does not stop the server near
/// 340 sessions. Failure only means the old limit stays.
void raise_open_file_limit() noexcept {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
      log::warn("could not raise the open-file limit", {{"error", std::strerror(errno)}});
    }
  }
}

/// How long sessions get to close after SIGTERM before the process stops anyway.
constexpr auto shutdown_deadline = 10s;

/// The flag that gave a server input, for its configuration errors.
std::string_view flag_of(http::server_input input) {
  switch (input) {
    case http::server_input::listen:
      return "--listen";
    case http::server_input::tls_certificate:
      return "--tls-cert";
    case http::server_input::tls_key:
      return "--tls-key";
  }
  return "--listen";
}

std::string login_hint(const settings& s) {
  switch (s.token_from) {
    case token_source::generated:
      return "open the login URL that vmterm-serve printed on its standard error when it started";
    case token_source::file:
      return "open " + s.base_path +
             "?token=TOKEN with the token from --token-file, or send Authorization: Bearer TOKEN";
    case token_source::environment:
      return "open " + s.base_path +
             "?token=TOKEN with the token from VMTERM_TOKEN, or send Authorization: Bearer TOKEN";
    case token_source::none:
      break;
  }
  return {};
}

http::auth_options auth_options_for(const settings& s) {
  http::auth_options a;
  a.token = s.token;
  a.disabled = s.token_from == token_source::none;
  a.cookie_path = s.base_path;
  a.secure_cookie = s.tls_cert.has_value();
  a.allowed_origins = s.allowed_origins;
  a.allow_origin_advice = "start vmterm-serve with --allow-origin";
  a.server_name = "vmterm-serve";
  a.hosts = http::host_allow_list(s.listen, s.allowed_hosts);
  a.login_hint = login_hint(s);
  return a;
}

term::hub_options hub_options_for(const settings& s, const std::shared_ptr<backend>& terminals,
                                  metrics::registry& registry) {
  term::hub_options h;
  h.make_terminal = [terminals](net::any_io_executor executor) {
    return terminals->make_terminal(std::move(executor));
  };
  h.max_sessions = s.max_sessions;
  h.resume_grace = s.resume_grace;
  h.idle_timeout = s.idle_timeout;
  h.max_message = s.max_message;
  h.readonly = s.readonly;
  h.compression = s.compression;
  h.registry = &registry;
  return h;
}

http::server_options server_options_for(const settings& s, metrics::registry& registry) {
  http::server_options o;
  o.listen = s.listen.str();
  o.registry = &registry;
  o.tls_cert = s.tls_cert.value_or("");
  o.tls_key = s.tls_key.value_or("");
  o.allowed_hosts = s.allowed_hosts;  // the DNS-rebinding defence, on every request
  o.allow_host_advice = "start it with --allow-host";
  o.tracing = s.request_tracing;
  return o;
}

/// The one line people read at start (the token appears nowhere else).
std::string start_line(const settings& s, const http::endpoint& bound) {
  const auto url = login_url(s, bound);
  switch (s.token_from) {
    case token_source::generated:
      return "vmterm-serve: open " + url;
    case token_source::file:
      return "vmterm-serve: open " + url + " (log in with ?token= and the token from --token-file)";
    case token_source::environment:
      return "vmterm-serve: open " + url + " (log in with ?token= and the token from VMTERM_TOKEN)";
    case token_source::none:
      break;
  }
  return "vmterm-serve: open " + url + " (no token: --no-auth)";
}

/// One io_context per I/O thread, each run by exactly one thread: the main one (signals, the
/// acceptor, the readiness probes, and its share of connections) and up to three more. The
/// server pins each connection to one of them, so a session's socket, WebSocket, PTY and writer
/// share a thread and a chunk of output never crosses to another (waking an idle vCPU costs
/// more than the work on these VMs).
class io_threads {
 public:
  explicit io_threads(net::io_context& main) {
    const auto n = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    all_.push_back(&main);
    for (unsigned i = 1; i < n; ++i) {
      extra_.push_back(std::make_unique<net::io_context>(1));
      guards_.emplace_back(net::make_work_guard(*extra_.back()));
      all_.push_back(extra_.back().get());
    }
  }

  [[nodiscard]] const std::vector<net::io_context*>& all() const noexcept { return all_; }

  /// Stops every thread's loop at once (a second signal, or the shutdown deadline).
  void stop() noexcept {
    for (auto* c : all_) c->stop();
  }

  /// Runs them all; returns when the main loop has run out of work (the shutdown finished) and
  /// the others have finished theirs.
  void run() {
    std::vector<std::thread> threads;
    threads.reserve(extra_.size());
    for (auto& c : extra_) threads.emplace_back([ctx = c.get()] { ctx->run(); });
    all_.front()->run();
    guards_.clear();
    for (auto& t : threads) t.join();
  }

 private:
  std::vector<net::io_context*> all_;
  std::vector<std::unique_ptr<net::io_context>> extra_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
};

/// SIGINT/SIGTERM: stop accepting, close every session (1001), then let run() return. A second
/// signal, or sessions that do not close in time, stop the io_context at once.
class shutdown_on_signal {
 public:
  shutdown_on_signal(net::io_context& ioc, io_threads& threads, http::server& server,
                     app_state& app)
      : threads_(threads),
        server_(server),
        app_(app),
        strand_(net::make_strand(ioc)),
        signals_(strand_, SIGINT, SIGTERM),
        deadline_(strand_) {
    signals_.async_wait([this](boost::system::error_code ec, int sig) { on_signal(ec, sig); });
  }

 private:
  void on_signal(boost::system::error_code ec, int sig) {
    if (ec) return;
    if (app_.stopping.exchange(true)) {
      log::warn("second signal: stopping at once", {{"signal", ::strsignal(sig)}});
      threads_.stop();
      return;
    }
    log::info("stopping: closing sessions",
              {{"signal", ::strsignal(sig)}, {"sessions", app_.hub->sessions()}});
    server_.stop();
    deadline_.expires_after(shutdown_deadline);
    deadline_.async_wait([this](boost::system::error_code e) {
      if (e) return;
      log::warn("sessions did not close in time; stopping anyway");
      threads_.stop();
    });
    signals_.async_wait([this](boost::system::error_code e, int s) { on_signal(e, s); });
    app_.hub->shutdown([this] {
      // From a session's strand: back to ours, where the timer and the signal set live.
      net::post(strand_, [this] {
        deadline_.cancel();
        signals_.cancel();
        log::info("stopped");
      });
    });
  }

  io_threads& threads_;
  http::server& server_;
  app_state& app_;
  net::strand<net::io_context::executor_type> strand_;
  net::signal_set signals_;
  net::steady_timer deadline_;
};

}  // namespace

std::string login_url(const settings& s, const http::endpoint& bound) {
  http::endpoint shown = bound;
  if (shown.address == "0.0.0.0") shown.address = "127.0.0.1";
  if (shown.address == "::") shown.address = "::1";
  std::string url = (s.tls_cert ? "https://" : "http://") + shown.str() + s.base_path;
  if (s.token_from == token_source::generated) url += "?token=" + s.token;
  return url;
}

int run(const settings& s, std::ostream& err) {
  raise_open_file_limit();
  net::io_context ioc;
  io_threads threads(ioc);
  metrics::registry registry;
  metrics::add_process_metrics(registry);
  http::authenticator auth(auth_options_for(s));
  auto terminals = make_backend({.command = s.command, .ssh = s.ssh, .registry = &registry});
  auto hub = term::session_hub::create(ioc.get_executor(), hub_options_for(s, terminals, registry));
  app_state app{s, auth, registry, terminals, hub};
  if (s.redis) app.redis = std::make_shared<redis_health>(*s.redis, &registry);
  std::optional<http::server> server;
  try {
    auto options = server_options_for(s, registry);
    options.workers = threads.all();
    server.emplace(ioc, std::move(options), make_router(app));
  } catch (const http::server_config_error& e) {  // a TLS file that is not what it should be
    err << "vmterm-serve: " << flag_of(e.input()) << ": " << e.what() << '\n';
    return to_int(exit_code::usage);
  }

  auto bound = server->listen();
  if (!bound) {
    err << "vmterm-serve: --listen: " << bound.error().message << '\n';
    return to_int(exit_code::failure);
  }
  // Known now that the port is: one cookie per instance, so that two on a host coexist.
  auth.set_cookie_name(http::cookie_name_for(bound->port, s.tls_cert.has_value(), s.base_path));
  if (s.token_from == token_source::none) {
    err << "vmterm-serve: warning: --no-auth: anyone who can connect to " << bound->str()
        << " gets a terminal without a token\n";
  }
  err << start_line(s, *bound) << std::endl;
  log::info("listening", {{"address", bound->str()},
                          {"base_path", s.base_path},
                          {"backend", terminals->describe()},
                          {"readonly", s.readonly},
                          {"max_sessions", s.max_sessions}});
  if (const auto r = terminals->check(); !r.ready) {
    log::warn("the terminal backend is not ready; /readyz answers 503", {{"reason", r.reason}});
  }

  shutdown_on_signal signals(ioc, threads, *server, app);
  threads.run();
  return to_int(exit_code::ok);
}

}  // namespace vmterm::serve
