// The SSH backend: each session an ssh::ssh_terminal on the session's strand; readiness from
// ssh::async_check_ready, run on a thread of the backend's own and cached for a moment.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "backend.hpp"
#include "core/log.hpp"
#include "ssh/readiness.hpp"
#include "ssh/ssh_metrics.hpp"
#include "ssh/ssh_terminal.hpp"

namespace vmterm::serve {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

/// A probe's answer stands this long: /readyz polled by many clients costs the target at most
/// one connection per interval.
constexpr auto readiness_ttl = 2s;
/// A probe gives up after this (or --ssh-timeout when shorter): /readyz answers in time for
/// the probes that call it (Kubernetes waits 1 s by default; a blackholed host costs this).
constexpr auto probe_timeout_max = 3s;

/// One probe at a time, on its own io_context and thread. The first probe starts with the
/// server; after it answered, /readyz never waits: an answer older than the TTL starts a new
/// probe and is returned meanwhile (stale while revalidating), so a blackholed host cannot tie
/// up the threads that also run the terminal sessions. Only requests before the very first
/// answer wait for it (at most the probe's timeout and a margin).
class readiness_prober {
 public:
  explicit readiness_prober(ssh::ssh_options options)
      : options_(std::move(options)), work_(net::make_work_guard(ioc_)) {
    options_.timeout = std::min<std::chrono::milliseconds>(options_.timeout, probe_timeout_max);
    thread_ = std::thread([this] { ioc_.run(); });
    const std::lock_guard lock(mu_);
    start_probe();
  }

  ~readiness_prober() {
    work_.reset();
    ioc_.stop();
    thread_.join();
  }

  readiness_prober(const readiness_prober&) = delete;
  readiness_prober& operator=(const readiness_prober&) = delete;

  readiness check() {
    std::unique_lock lock(mu_);
    if (last_ && clock::now() - last_at_ < readiness_ttl) return *last_;
    if (!probing_) start_probe();
    if (last_) return *last_;
    const auto deadline = options_.timeout + 1s;  // the probe's own deadline, and a margin
    if (!answered_.wait_for(lock, deadline, [this] { return !probing_; })) {
      return {false, "the SSH readiness probe did not answer in time"};
    }
    return last_.value_or(readiness{false, "the SSH readiness probe did not answer"});
  }

 private:
  /// Call with mu_ held.
  void start_probe() {
    probing_ = true;
    const auto generation = ++generation_;
    // Started on the probe's thread: a session is used from its executor only.
    net::post(ioc_, [this, generation] {
      ssh::async_check_ready(ioc_.get_executor(), options_,
                             [this, generation](expected<void> r) { on_probed(generation, r); });
    });
  }

  void on_probed(std::uint64_t generation, const expected<void>& r) {
    std::lock_guard lock(mu_);
    if (generation != generation_) return;
    last_ = r ? readiness{} : readiness{false, r.error().message};
    last_at_ = clock::now();
    probing_ = false;
    answered_.notify_all();
  }

  ssh::ssh_options options_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable answered_;
  bool probing_ = false;
  std::uint64_t generation_ = 0;
  std::optional<readiness> last_;
  clock::time_point last_at_{};
};

/// An ssh_terminal whose failures (host key refused, login refused, connection lost, ...) are
/// also logged, so the operator sees what the user saw in the page. The words never hold a
/// secret or terminal data (lib/ssh's contract).
class logged_terminal final : public term::terminal {
 public:
  explicit logged_terminal(std::shared_ptr<term::terminal> inner) : inner_(std::move(inner)) {}

  expected<void> start(term::term_size size, term::terminal_handlers handlers) override {
    auto on_exit = std::move(handlers.on_exit);
    handlers.on_exit = [on_exit = std::move(on_exit)](int code, std::string_view reason) {
      if (code < 0 && !reason.empty()) {
        log::warn("ssh session failed", {{"reason", std::string(reason)}});
      }
      if (on_exit) on_exit(code, reason);
    };
    return inner_->start(size, std::move(handlers));
  }
  void write(std::string_view input) override { inner_->write(input); }
  void resize(term::term_size size) override { inner_->resize(size); }
  void pause() noexcept override { inner_->pause(); }
  void resume() override { inner_->resume(); }
  void close() noexcept override { inner_->close(); }

 private:
  std::shared_ptr<term::terminal> inner_;
};

class ssh_backend final : public backend {
 public:
  explicit ssh_backend(ssh::ssh_options o)
      : options_(std::move(o)), prober_(std::make_unique<readiness_prober>(options_)) {
    // Registered now, so /metrics shows vmterm_ssh_* (at zero) before the first session.
    ssh::ssh_metrics register_families(options_.registry);
  }

  std::string describe() const override {
    const auto& t = options_.target;
    const bool v6 = t.host.find(':') != std::string::npos;
    auto line =
        "ssh " + t.user + "@" + (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
    if (!options_.command.empty()) line += " running the remote command";
    return line;
  }

  readiness check() const override { return prober_->check(); }

  expected<std::shared_ptr<term::terminal>> make_terminal(
      boost::asio::any_io_executor executor) override {
    return std::shared_ptr<term::terminal>(std::make_shared<logged_terminal>(
        ssh::ssh_terminal::create(std::move(executor), options_)));
  }

 private:
  ssh::ssh_options options_;
  std::unique_ptr<readiness_prober> prober_;  // check() is const; the cache is not
};

}  // namespace

std::shared_ptr<backend> make_ssh_backend(ssh::ssh_options options) {
  return std::make_shared<ssh_backend>(std::move(options));
}

}  // namespace vmterm::serve
