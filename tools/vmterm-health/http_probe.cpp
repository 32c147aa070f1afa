#include "http_probe.hpp"

#include <cstdlib>
#include <ctime>

#include "trace/propagation.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::health_tool {

namespace {

namespace et = health::error_types;
constexpr int max_redirects = 10;

std::string_view classify(const error& e) {
  if (e.code == std::errc::timed_out) return et::timeout;
  if (e.code == std::errc::connection_refused) return et::refused;
  if (e.message.find(": resolve '") != std::string::npos) return et::dns;
  if (e.message.find("TLS handshake") != std::string::npos) return et::tls;
  return et::protocol;
}

/// The client's message without its "GET 'URL': " prefix (the target is on the line already).
std::string reason_of(const error& e, const std::string& url) {
  const std::string prefix = "GET '" + url + "': ";
  if (e.message.starts_with(prefix)) return e.message.substr(prefix.size());
  return e.message;
}

bool status_passes(const options& opt, unsigned status) {
  if (opt.expect_status.empty()) return status >= 200 && status <= 299;
  for (const auto& r : opt.expect_status) {
    if (status >= r.low && status <= r.high) return true;
  }
  return false;
}

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/// Where a Location header points, relative to `from`; nullopt when it cannot be parsed.
std::optional<http::url> resolve_location(const http::url& from, std::string_view location) {
  if (location.starts_with('/') && !location.starts_with("//")) {
    http::url next = from;
    const auto q = location.find('?');
    next.path = std::string(location.substr(0, q));
    next.query = q == std::string_view::npos ? "" : std::string(location.substr(q + 1));
    return next;
  }
  auto parsed = http::parse_url(location);
  if (!parsed) return std::nullopt;
  return *parsed;
}

/// The JSON expectations of this URL: the flags', else .status=ok for /health-check/.
std::vector<health::json_expectation> expectations(const http::url& u, const options& opt) {
  if (!opt.expect_json.empty()) return opt.expect_json;
  if (u.path.ends_with("/health-check/")) {
    if (auto e = health::parse_json_expectation(".status=ok")) return {*e};
  }
  return {};
}

/// Body checks in order: text, regex, JSON. The first mismatch's description, or nullopt.
std::optional<std::string> body_problem(const http::url& u, const options& opt,
                                        const std::string& body, std::string& passed) {
  if (!opt.expect_body.empty() && body.find(opt.expect_body) == std::string::npos) {
    return "body does not contain '" + opt.expect_body + "'";
  }
  if (opt.expect_regex && std::regex_search(body, *opt.expect_regex) == opt.invert_regex) {
    return std::string(opt.invert_regex ? "body matches /" : "body does not match /") +
           opt.expect_regex_text + "/";
  }
  for (const auto& e : expectations(u, opt)) {
    if (auto m = health::match(e, body); !m) return m.error().message;
    passed += ", " + e.path_text + "=" + e.value;
  }
  return std::nullopt;
}

/// The first set variable of these, "" when none is.
std::string env_of(std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (const char* v = std::getenv(n); v != nullptr && *v != '\0') return v;
  }
  return "";
}

/// no_proxy's rule as curl reads it: '*', or a host equal to an item or ending in ".item".
bool excluded(const std::string& host, const std::string& no_proxy) {
  std::size_t pos = 0;
  while (pos <= no_proxy.size()) {
    auto comma = no_proxy.find(',', pos);
    if (comma == std::string::npos) comma = no_proxy.size();
    std::string item = no_proxy.substr(pos, comma - pos);
    pos = comma + 1;
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.starts_with('.')) item.erase(0, 1);
    if (item.empty()) continue;
    if (item == "*" || host == item) return true;
    if (host.size() > item.size() && host.ends_with(item) &&
        host[host.size() - item.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

/// Days from now to `t`, rounded down (negative once expired).
long days_until(std::chrono::system_clock::time_point t) {
  return static_cast<long>(
      std::chrono::floor<std::chrono::days>(t - std::chrono::system_clock::now()).count());
}

std::string utc_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

/// --cert-days against the certificate the server presented for this probe's content: a
/// state worse than the content's takes over the line (error_type cert_expiry), the content's
/// text kept after it; the days go to perfdata.
void judge_certificate(health::check_result& r, const http::client& client, const options& opt,
                       const probe_settings& s) {
  const auto peer = client.last_peer_certificate();
  if (!opt.cert_days || !peer) return;
  const auto [warn, crit] = *opt.cert_days;
  const long days = days_until(peer->not_after);
  r.detail.push_back("certificate '" + peer->subject + "' expires " + utc_date(peer->not_after));
  r.perf.push_back({s.perf_prefix + "_cert_days", static_cast<double>(days), "",
                    std::to_string(warn) + ":", std::to_string(crit) + ":", std::nullopt,
                    std::nullopt});
  health::state st = health::state::ok;
  if (days < crit) {
    st = health::state::critical;
  } else if (days < warn) {
    st = health::state::warning;
  }
  // Only a state worse than the content's takes the line; the content's failure wins a tie.
  if (st == health::state::ok || st == r.status || health::worst(st, r.status) != st) return;
  const std::string what =
      days < 0 ? "certificate '" + peer->subject + "' expired on " + utc_date(peer->not_after)
               : "certificate '" + peer->subject + "' expires in " + std::to_string(days) +
                     (days == 1 ? " day" : " days") + " (" + utc_date(peer->not_after) + ")";
  r.status = st;
  r.error_type = std::string(et::cert_expiry);
  r.output = what + "; " + r.output;
}

}  // namespace

std::string proxy_for(const http::url& u, const options& opt) {
  if (!opt.proxy.empty()) return opt.proxy;
  if (!opt.proxy_from_env) return "";
  if (excluded(u.host, env_of({"no_proxy", "NO_PROXY"}))) return "";
  std::string p = u.tls() ? env_of({"https_proxy", "HTTPS_PROXY"}) : env_of({"http_proxy"});
  if (p.empty()) p = env_of({"all_proxy", "ALL_PROXY"});
  if (!p.empty() && p.find("://") == std::string::npos) p = "http://" + p;  // as curl reads it
  return p;
}

http::client_options client_options_for(const http::url& u, const options& opt) {
  http::client_options co;
  co.verify_tls = !opt.insecure;
  co.ca_file = opt.cacert;
  co.cert_file = opt.cert;
  co.key_file = opt.key;
  co.proxy = proxy_for(u, opt);
  co.family = opt.ipv4   ? http::client_options::ip_family::v4
              : opt.ipv6 ? http::client_options::ip_family::v6
                         : http::client_options::ip_family::any;
  co.user_agent = std::string("vmterm-health/") + VMTERM_VERSION;
  return co;
}

health::check_result probe_http(const http::url& target, const options& opt,
                                const probe_settings& s) {
  health::check_result r;
  r.kind = "http";
  r.target = target.str();
  auto span =
      trace::get_tracer("vmterm-health").start_span("GET", s.parent, trace::span_kind::client);
  span.set_attribute(trace::semconv::http_request_method, "GET");
  span.set_attribute(trace::semconv::url_full, r.target);
  span.set_attribute(trace::semconv::server_address, target.host);
  span.set_attribute(trace::semconv::server_port, static_cast<std::int64_t>(target.port));

  auto co = client_options_for(target, opt);
  co.timeout = remaining(s);
  if (!co.proxy.empty()) r.detail.push_back("through proxy " + redacted_proxy(co.proxy));
  co.body_limit = std::size_t{1} << 20;
  http::client client(co);

  const auto started = clock::now();
  http::url current = target;
  int redirects = 0;
  expected<http::response> res;
  for (;;) {
    http::request req;
    req.url = current.str();
    for (const auto& [name, value] : opt.headers) req.headers.add(name, value);
    if (span.context().valid())
      req.headers.set("traceparent", trace::format_traceparent(span.context()));
    res = client.send(req, remaining(s));
    if (!res || !is_redirect(res->status) || status_passes(opt, res->status)) break;
    const auto location = res->headers.get("Location");
    if (!location) break;
    auto next = resolve_location(current, *location);
    if (!next || next->scheme != current.scheme || next->host != current.host ||
        next->port != current.port) {
      r.detail.push_back("redirect " + std::to_string(res->status) + " to '" +
                         std::string(*location) + "' not followed: another host");
      break;
    }
    if (redirects == max_redirects) break;
    ++redirects;
    r.detail.push_back("redirect " + std::to_string(res->status) + " to " + next->str());
    current = *next;
  }
  r.latency_s = std::chrono::duration<double>(clock::now() - started).count();

  if (!res) {
    r.latency_s.reset();  // nothing was measured, as 'http_time'=U says
    fail(r, s, classify(res.error()), reason_of(res.error(), current.str()));
  } else {
    span.set_attribute(trace::semconv::http_response_status_code,
                       static_cast<std::int64_t>(res->status));
    const std::string status = std::to_string(res->status);
    std::string passed = status;
    if (redirects > 0) {
      passed +=
          " after " + std::to_string(redirects) + (redirects == 1 ? " redirect" : " redirects");
    }
    if (!status_passes(opt, res->status)) {
      const std::string expected =
          opt.expect_status_text.empty() ? std::string("2xx") : opt.expect_status_text;
      fail(r, s, et::http_status,
           "status " + status + (redirects == max_redirects ? " after 10 redirects" : "") +
               ", expected " + expected);
    } else if (auto problem = body_problem(current, opt, res->body, passed)) {
      fail(r, s, et::body_mismatch, status + " but " + *problem);
    } else {
      pass(r, s, *r.latency_s, passed);
      r.perf.push_back({s.perf_prefix + "_size", static_cast<double>(res->body.size()), "B", "", "",
                        0.0, std::nullopt});
    }
    judge_certificate(r, client, opt, s);
  }
  if (const auto address = client.last_remote_address(); !address.empty()) {
    r.detail.push_back("address " + address);
  }
  if (span.context().trace.valid()) r.detail.push_back("trace " + span.context().trace.hex());
  record_result(span, r, s);
  span.end();
  return r;
}

}  // namespace vmterm::health_tool
