#include "ssh_probe.hpp"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>

#include "ssh/errors.hpp"
#include "ssh/known_hosts.hpp"
#include "ssh/readiness.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::health_tool {

namespace {

namespace et = health::error_types;

std::string_view classify(const std::error_code& code) {
  if (code == ssh::errc::dns) return et::dns;
  if (code == ssh::errc::refused) return et::refused;
  if (code == ssh::errc::timeout) return et::timeout;
  if (code == ssh::errc::host_key_unknown) return et::hostkey_unknown;
  if (code == ssh::errc::host_key_changed || code == ssh::errc::host_key_revoked) {
    return et::hostkey_mismatch;
  }
  return et::protocol;
}

/// "FILE line N" → N; 0 when the text does not end so.
std::size_t line_number(const std::string& where) {
  const auto at = where.rfind(" line ");
  if (at == std::string::npos) return 0;
  try {
    return static_cast<std::size_t>(std::stoul(where.substr(at + 6)));
  } catch (const std::exception&) {
    return 0;
  }
}

/// The fingerprint known_hosts expects at `where` ("FILE line N"), "" when it cannot be read.
std::string expected_fingerprint(const std::filesystem::path& known_hosts,
                                 const std::string& where) {
  auto text = ssh::read_known_hosts(known_hosts);
  if (!text) return "";
  auto key = ssh::key_at_line(*text, line_number(where));
  return key ? ssh::fingerprint_sha256(key->blob) : "";
}

/// lib/ssh's message, cut to what a status line needs; the whole message goes to -v detail. A
/// changed key names the presented and the expected fingerprints and the known_hosts line.
std::string short_reason(const std::string& message, const ssh::target& t,
                         const std::filesystem::path& known_hosts) {
  std::string m = message;
  const std::string who = "ssh '" + ssh::to_string(t) + "': ";
  if (m.starts_with(who)) m.erase(0, who.size());
  const std::string sent = "the server sent the ", mismatch = ", which does not match ";
  if (const auto a = m.find(sent), b = m.find(mismatch);
      m.starts_with("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED") && a != std::string::npos &&
      b != std::string::npos && b > a) {
    const auto c = m.find(';', b);
    const std::string where = m.substr(b + mismatch.size(), c - b - mismatch.size());
    const std::string expected = expected_fingerprint(known_hosts, where);
    return "host key changed: " + m.substr(a + sent.size(), b - a - sent.size()) +
           (expected.empty() ? " does not match " + where
                             : ", expected " + expected + " (" + where + ")");
  }
  if (const auto advice = m.find("; "); advice != std::string::npos) m.erase(advice);
  return m;
}

}  // namespace

health::check_result probe_ssh(const ssh::target& target, const std::filesystem::path& known_hosts,
                               const probe_settings& s) {
  health::check_result r;
  r.kind = "ssh";
  r.target = target.host + ":" + std::to_string(target.port);
  auto span = trace::get_tracer("vmterm-health").start_span("health.ssh", s.parent);
  span.set_attribute(trace::semconv::server_address, target.host);
  span.set_attribute(trace::semconv::server_port, static_cast<std::int64_t>(target.port));

  ssh::ssh_options so;
  so.target = target;
  so.known_hosts = known_hosts;
  so.timeout = remaining(s);
  so.advice.timeout = "raise --timeout";  // lib/ssh's fix in this tool's flag
  so.family = s.family == AF_INET    ? ssh::ssh_options::ip_family::v4
              : s.family == AF_INET6 ? ssh::ssh_options::ip_family::v6
                                     : ssh::ssh_options::ip_family::any;
  boost::asio::io_context ioc{1};
  std::optional<expected<void>> outcome;
  const auto started = clock::now();
  ssh::async_check_ready(ioc.get_executor(), so,
                         [&outcome](expected<void> result) { outcome = std::move(result); });
  while (!outcome && clock::now() < s.deadline) ioc.run_one_until(s.deadline);
  ioc.stop();
  const double took = std::chrono::duration<double>(clock::now() - started).count();

  if (!outcome) {
    fail(r, s, et::timeout, "timeout after " + format_latency(took));
  } else if (!*outcome) {
    const auto& e = outcome->error();
    const auto type = classify(e.code);
    fail(r, s, type, short_reason(e.message, target, known_hosts));
    r.detail.push_back(e.message);
    // vmterm-health cannot judge a host it does not know: UNKNOWN, not a target failure.
    if (type == et::hostkey_unknown) r.status = health::state::unknown;
  } else {
    pass(r, s, took, "host key known,");
  }
  record_result(span, r, s);
  span.end();
  return r;
}

}  // namespace vmterm::health_tool
