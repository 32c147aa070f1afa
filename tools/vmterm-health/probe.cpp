#include "probe.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstdio>
#include <memory>

#include "trace/semconv.hpp"

namespace vmterm::health_tool {

std::chrono::milliseconds remaining(const probe_settings& s) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(s.deadline - clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

std::string format_latency(double seconds) {
  char buf[32];
  if (seconds < 0.01) {
    std::snprintf(buf, sizeof buf, "%.1f ms", seconds * 1000);
  } else if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0f ms", seconds * 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
  }
  return buf;
}

std::string format_limit(std::chrono::milliseconds limit) {
  char buf[32];
  if (limit < std::chrono::seconds(1)) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(limit.count()));
  } else {
    std::snprintf(buf, sizeof buf, "%g s", std::chrono::duration<double>(limit).count());
  }
  return buf;
}

health::perfdata time_perfdata(const probe_settings& s, std::optional<double> seconds) {
  return {s.perf_prefix + "_time",
          seconds,
          "s",
          s.warning ? health::to_string(*s.warning) : "",
          s.critical ? health::to_string(*s.critical) : "",
          0.0,
          std::chrono::duration<double>(s.timeout).count()};
}

void judge_latency(health::check_result& r, const probe_settings& s) {
  const double t = r.latency_s.value_or(0);
  auto judge = [&](const std::optional<health::range>& range, health::state st, const char* name) {
    if (!range || !health::alerts(*range, t)) return false;
    r.status = st;
    r.output += std::string("; latency ") + (range->inside ? "inside" : "outside") + " the " +
                name + " range " + health::to_string(*range) + " s";
    return true;
  };
  if (!judge(s.critical, health::state::critical, "critical")) {
    judge(s.warning, health::state::warning, "warning");
  }
  r.perf.insert(r.perf.begin(), time_perfdata(s, r.latency_s));
}

void pass(health::check_result& r, const probe_settings& s, double seconds, const std::string& text,
          const std::string& suffix) {
  r.latency_s = seconds;
  r.status = health::state::ok;
  r.output = text + " in " + format_latency(seconds) + suffix;
  judge_latency(r, s);
}

void fail(health::check_result& r, const probe_settings& s, std::string_view error_type,
          std::string output) {
  r.status = error_type == health::error_types::timeout ? s.timeout_state : health::state::critical;
  r.error_type = std::string(error_type);
  r.output = std::move(output);
  r.perf.clear();
  r.perf.push_back(time_perfdata(s, r.latency_s));
}

expected<std::string> address_for(const std::string& host, const probe_settings& s) {
  if (s.family == AF_UNSPEC || host.empty()) return host;
  const char* flag = s.family == AF_INET ? "IPv4 (-4)" : "IPv6 (-6)";
  ::addrinfo hints{};
  hints.ai_family = s.family;
  hints.ai_socktype = SOCK_STREAM;
  ::addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return vmterm::fail(std::errc::host_unreachable,
                        "cannot resolve host '" + host + "' over " + flag + ": " +
                            (rc != 0 ? ::gai_strerror(rc) : "no address"));
  }
  std::unique_ptr<::addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
  char text[INET6_ADDRSTRLEN] = {};
  const void* where =
      found->ai_family == AF_INET
          ? static_cast<const void*>(
                &reinterpret_cast<const ::sockaddr_in*>(found->ai_addr)->sin_addr)
          : static_cast<const void*>(
                &reinterpret_cast<const ::sockaddr_in6*>(found->ai_addr)->sin6_addr);
  if (::inet_ntop(found->ai_family, where, text, sizeof text) == nullptr) {
    return vmterm::fail(std::errc::host_unreachable,
                        "cannot resolve host '" + host + "' over " + flag);
  }
  return std::string(text);
}

void record_result(trace::span& span, const health::check_result& r, const probe_settings& s) {
  span.set_attribute("test.case.name", r.kind + " " + r.target);
  if (s.attempt > 1)
    span.set_attribute("vmterm.health.attempt", static_cast<std::int64_t>(s.attempt));
  span.set_attribute("test.case.result.status", r.status == health::state::ok ? "pass" : "fail");
  span.set_attribute("vmterm.health.state", health::state_name(r.status));
  if (!r.error_type.empty()) {
    span.set_attribute(trace::semconv::error_type, r.error_type);
    span.set_status(trace::status_code::error, r.output);
  }
}

}  // namespace vmterm::health_tool
