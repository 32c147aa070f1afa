#include "redis_probe.hpp"

#include <boost/asio/io_context.hpp>

#include "redis/connection.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::health_tool {

namespace {

namespace et = health::error_types;

/// Redis's own error words after lib/redis's "redis 'URL': " and "PING: " prefixes.
std::string reason_of(const error& e, const redis::url& u) {
  std::string m = e.message;
  const std::string prefix = "redis '" + u.redacted() + "': ";
  if (m.starts_with(prefix)) m.erase(0, prefix.size());
  if (m.starts_with("PING: ")) m.erase(0, 6);
  // lib/redis's advice to people ("; start redis-server or fix the URL") is not the probe's.
  if (auto advice = m.find("; "); advice != std::string::npos) m.erase(advice);
  return m;
}

std::string_view classify(const error& e, const std::string& reason) {
  if (e.code == std::errc::timed_out) return et::timeout;
  if (e.code == std::errc::connection_refused) return et::refused;
  if (e.code == std::errc::permission_denied) return et::auth;
  if (reason.find("NOAUTH") != std::string::npos || reason.find("WRONGPASS") != std::string::npos ||
      reason.find("NOPERM") != std::string::npos) {
    return et::auth;
  }
  if (reason.find("resolve") != std::string::npos ||
      reason.find("Name or service") != std::string::npos) {
    return et::dns;
  }
  return et::protocol;
}

/// ROLE's first element ("master", "slave", "sentinel"), "" when it could not be read.
std::string role_of(const expected<redis::reply>& role) {
  if (!role || role->elements().empty()) return "";
  auto first = role->elements().front().as_string();
  return first ? *first : "";
}

}  // namespace

redis_failure describe_redis_error(const error& e, const redis::url& u) {
  auto reason = reason_of(e, u);
  const auto type = classify(e, reason);
  return {std::move(reason), type};
}

health::check_result probe_redis(const redis::url& target, const probe_settings& s) {
  health::check_result r;
  r.kind = "redis";
  r.target = target.address();
  auto span = trace::get_tracer("vmterm-health").start_span("health.redis", s.parent);
  span.set_attribute(trace::semconv::db_system_name, trace::semconv::db_system_name_redis);
  span.set_attribute(trace::semconv::server_address, target.host);
  span.set_attribute(trace::semconv::server_port, static_cast<std::int64_t>(target.port));
  trace::context_scope scope(trace::context{span.context(), s.parent.baggage});

  const auto address = address_for(target.host, s);
  if (!address) {
    fail(r, s, et::dns, address.error().message);
    record_result(span, r, s);
    span.end();
    return r;
  }
  boost::asio::io_context ioc{1};
  redis::connection_options co;
  co.url = target;
  co.url.host = *address;  // -4/-6: the address of that family hiredis is to connect to
  co.connect_timeout = remaining(s);
  co.command_timeout = remaining(s);
  co.reconnect = false;
  auto conn = redis::connection::create(ioc.get_executor(), co);

  std::optional<expected<void>> outcome;
  std::string role;
  const auto started = clock::now();
  std::optional<clock::time_point> ponged;
  conn->async_connect([&](expected<void> connected) {
    if (!connected) {
      outcome = tl::unexpected(connected.error());
      return;
    }
    conn->exec({"PING"}, [&](expected<redis::reply> pong) {
      if (!pong) {
        outcome = tl::unexpected(pong.error());
        return;
      }
      ponged = clock::now();
      conn->exec({"ROLE"}, [&](expected<redis::reply> reply) {
        role = role_of(reply);
        outcome = expected<void>{};
      });
    });
  });
  while (!outcome && clock::now() < s.deadline) ioc.run_one_until(s.deadline);
  conn->close();
  ioc.restart();
  ioc.poll();

  if (!outcome) {
    fail(r, s, et::timeout,
         "timeout after " + format_latency(std::chrono::duration<double>(s.timeout).count()) +
             (ponged ? " (ROLE)" : " (connect or PING)"));
  } else if (!*outcome && !ponged) {
    auto why = describe_redis_error(outcome->error(), co.url);
    fail(r, s, why.error_type, std::move(why.reason));
  } else {
    pass(r, s, std::chrono::duration<double>(*ponged - started).count(), "PONG",
         role.empty() ? "" : ", role " + role);
  }
  record_result(span, r, s);
  span.end();
  return r;
}

}  // namespace vmterm::health_tool
