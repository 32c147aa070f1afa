#include "ssh/readiness.hpp"

#include "ssh/detail/session.hpp"

namespace vmterm::ssh {

void async_check_ready(boost::asio::any_io_executor executor, ssh_options options,
                       std::function<void(expected<void>)> done) {
  const auto policy =
      options.accept_new_host_key ? new_key_policy::accept_dry : new_key_policy::refuse;
  options.registry = nullptr;
  options.tracer = trace::tracer{};  // no-op
  auto s = session::create(std::move(executor), std::move(options));
  s->async_connect({}, policy, [s, done = std::move(done)](expected<void> r) {
    s->cancel_deadline();
    s->disconnect();
    done(std::move(r));
  });
}

}  // namespace vmterm::ssh
