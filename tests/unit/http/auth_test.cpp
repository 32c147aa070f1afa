#include "http/auth.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>

using namespace vmterm::http;
using namespace std::chrono_literals;

namespace {

const std::string token = "tok-0123456789abcdefghijklmnopqrstuvwxyzABCDE";

/// A clock the test moves by hand.
struct fake_clock {
  std::shared_ptr<std::chrono::steady_clock::time_point> t =
      std::make_shared<std::chrono::steady_clock::time_point>();
  [[nodiscard]] std::function<std::chrono::steady_clock::time_point()> fn() const {
    return [t = t] { return *t; };
  }
  void advance(std::chrono::seconds s) const { *t += s; }
};

auth_options options_with(const fake_clock& clock) {
  auth_options o;
  o.token = token;
  o.clock = clock.fn();
  return o;
}

request get(std::string url, headers h = {}) {
  request r;
  r.method = "GET";
  r.url = std::move(url);
  r.headers = std::move(h);
  return r;
}

request_context ctx_for(const std::string& target) {
  request_context c;
  const auto q = target.find('?');
  c.path = target.substr(0, q);
  if (q != std::string::npos) c.query = target.substr(q + 1);
  return c;
}

/// Logs in with the token and returns the session id from the Set-Cookie header.
std::string login_session(authenticator& a) {
  const auto res = a.login(get("/?token=" + token), ctx_for("/?token=" + token));
  REQUIRE(res.has_value());
  REQUIRE(res->status == 303);
  const auto cookie = res->headers.get("Set-Cookie");
  REQUIRE(cookie.has_value());
  const auto id = cookie_value(cookie->substr(0, cookie->find(';')), "vmterm_session");
  REQUIRE(id.has_value());
  return std::string(*id);
}

request with_cookie(const std::string& id) {
  return get("/", {{"Cookie", "theme=dark; vmterm_session=" + id}});
}

}  // namespace

TEST_CASE("generate_token gives 43 characters of base64url, different every time", "[http]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = generate_token();
    REQUIRE(t.size() == 43);
    for (const char c : t) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      REQUIRE(ok);
    }
    seen.insert(t);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("constant_time_equal compares contents and lengths", "[http]") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("ab", "abc"));
  CHECK_FALSE(constant_time_equal("", "a"));
  CHECK_FALSE(constant_time_equal("a", ""));
  CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  // A prefix padded with what the comparison might use internally must still differ.
  CHECK_FALSE(constant_time_equal(std::string("a\xff", 2), "a"));
}

TEST_CASE("cookie_value finds a cookie among others", "[http]") {
  CHECK(cookie_value("vmterm_session=abc", "vmterm_session") == "abc");
  CHECK(cookie_value("a=1; vmterm_session=xyz; b=2", "vmterm_session") == "xyz");
  CHECK(cookie_value("a=1;vmterm_session=xyz", "vmterm_session") == "xyz");
  CHECK(cookie_value("  vmterm_session = \"q\" ", "vmterm_session") == "q");
  CHECK(cookie_value("x_vmterm_session=1; vmterm_session_x=2", "vmterm_session") == std::nullopt);
  CHECK(cookie_value("VMTERM_SESSION=1", "vmterm_session") == std::nullopt);
  CHECK(cookie_value("", "vmterm_session") == std::nullopt);
  CHECK(cookie_value("novalue; vmterm_session=", "vmterm_session") == "");
}

TEST_CASE("bearer_token reads the Bearer scheme only", "[http]") {
  CHECK(bearer_token(headers{{"Authorization", "Bearer abc"}}) == "abc");
  CHECK(bearer_token(headers{{"authorization", "bearer  abc "}}) == "abc");
  CHECK(bearer_token(headers{{"Authorization", "Basic YTpi"}}) == std::nullopt);
  CHECK(bearer_token(headers{{"Authorization", "Bearer"}}) == std::nullopt);
  CHECK(bearer_token(headers{{"Authorization", "Bearer   "}}) == std::nullopt);
  CHECK(bearer_token(headers{}) == std::nullopt);
}

TEST_CASE("origin_allowed accepts the request's own host and the listed origins", "[http]") {
  const std::vector<std::string> none;
  CHECK(origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000", none));
  CHECK(origin_allowed("https://Example.com", "example.com", none));
  CHECK_FALSE(origin_allowed("http://127.0.0.1:8001", "127.0.0.1:8000", none));
  CHECK_FALSE(origin_allowed("http://evil.example", "127.0.0.1:8000", none));
  CHECK_FALSE(origin_allowed("http://127.0.0.1:8000.evil.example", "127.0.0.1:8000", none));
  CHECK_FALSE(origin_allowed("null", "127.0.0.1:8000", none));
  CHECK_FALSE(origin_allowed("", "127.0.0.1:8000", none));
  CHECK_FALSE(origin_allowed("http://127.0.0.1:8000", "", none));

  const std::vector<std::string> listed{"https://term.example.com", "proxy.local:8443"};
  CHECK(origin_allowed("https://term.example.com", "127.0.0.1:8000", listed));
  CHECK(origin_allowed("https://term.example.com/", "127.0.0.1:8000", listed));
  CHECK_FALSE(origin_allowed("http://term.example.com", "127.0.0.1:8000", listed));
  CHECK(origin_allowed("http://proxy.local:8443", "127.0.0.1:8000", listed));
  CHECK(origin_allowed("https://proxy.local:8443", "127.0.0.1:8000", listed));
  CHECK_FALSE(origin_allowed("https://proxy.local", "127.0.0.1:8000", listed));
  CHECK(origin_allowed("http://anything", "127.0.0.1:8000", {"*"}));
}

TEST_CASE("an authenticator needs a token unless auth is disabled", "[http]") {
  CHECK_THROWS_WITH(
      authenticator(auth_options{}),
      "authenticator: an empty token is allowed only when authentication is disabled");
  auth_options o;
  o.disabled = true;
  const authenticator a(o);
  CHECK(a.disabled());
  CHECK(a.check(get("/")) == authenticator::verdict::ok);
  CHECK(a.check_bearer(get("/metrics")) == authenticator::verdict::ok);
}

TEST_CASE("login swaps the token for a session cookie and redirects without it", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  const std::string target = "/sub/?a=1&token=" + token + "&b=two%20words";
  const auto res = a.login(get(target), ctx_for(target));
  REQUIRE(res.has_value());
  CHECK(res->status == 303);
  CHECK(res->headers.get("Location") == "/sub/?a=1&b=two%20words");
  CHECK(res->headers.get("Cache-Control") == "no-store");
  const std::string cookie(res->headers.get("Set-Cookie").value_or(""));
  INFO(cookie);
  CHECK(cookie.starts_with("vmterm_session="));
  CHECK(cookie.ends_with("; Path=/; HttpOnly; SameSite=Strict"));
  CHECK(cookie.find(token) == std::string::npos);
  const std::string pair = cookie.substr(0, cookie.find(';'));
  const auto id = cookie_value(pair, "vmterm_session");
  REQUIRE(id.has_value());
  CHECK(id->size() == 43);
  CHECK(a.sessions() == 1);
  CHECK(a.check(with_cookie(std::string(*id))) == authenticator::verdict::ok);
}

TEST_CASE("login with only the token redirects to the bare path", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  const auto res = a.login(get("/?token=" + token), ctx_for("/?token=" + token));
  REQUIRE(res.has_value());
  CHECK(res->headers.get("Location") == "/");
}

TEST_CASE("login never redirects off the site", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  const std::string target = "//evil.example/x?token=" + token;
  const auto res = a.login(get(target), ctx_for(target));
  REQUIRE(res.has_value());
  CHECK(res->headers.get("Location") == "/evil.example/x");
}

TEST_CASE("login decodes a percent-encoded token", "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.token = "a+b/c=";
  authenticator a(o);
  const std::string target = "/?token=a%2Bb%2Fc%3D";
  const auto res = a.login(get(target), ctx_for(target));
  REQUIRE(res.has_value());
  CHECK(res->status == 303);
}

TEST_CASE("login uses the cookie path and Secure when asked", "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.cookie_path = "/vmterm/";
  o.secure_cookie = true;
  authenticator a(o);
  const auto res = a.login(get("/vmterm/?token=" + token), ctx_for("/vmterm/?token=" + token));
  REQUIRE(res.has_value());
  const std::string cookie(res->headers.get("Set-Cookie").value_or(""));
  CHECK(cookie.ends_with("; Path=/vmterm/; HttpOnly; SameSite=Strict; Secure"));
}

TEST_CASE("login with a wrong token is a 401 that says so", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  const auto res = a.login(get("/?token=nope"), ctx_for("/?token=nope"));
  REQUIRE(res.has_value());
  CHECK(res->status == 401);
  CHECK(res->body ==
        "401 Unauthorized: the token in this URL is not the server's token; open the login URL "
        "that the server printed when it started\n");
  CHECK_FALSE(res->headers.contains("Set-Cookie"));
  CHECK(a.sessions() == 0);
  // A tool names itself.
  auth_options o = options_with(clock);
  o.server_name = "vmterm-serve";
  authenticator named(o);
  CHECK(named.login(get("/?token=nope"), ctx_for("/?token=nope"))
            ->body.starts_with(
                "401 Unauthorized: the token in this URL is not vmterm-serve's token; "));
}

TEST_CASE("login without a token in the query does nothing", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  CHECK_FALSE(a.login(get("/"), ctx_for("/")).has_value());
  CHECK_FALSE(a.login(get("/?tokens=x&a=token"), ctx_for("/?tokens=x&a=token")).has_value());
  auth_options off;
  off.disabled = true;
  authenticator open(off);
  CHECK_FALSE(open.login(get("/?token=x"), ctx_for("/?token=x")).has_value());
}

TEST_CASE("check tells a missing credential from an invalid one", "[http]") {
  const fake_clock clock;
  const authenticator a(options_with(clock));
  using v = authenticator::verdict;
  CHECK(a.check(get("/")) == v::missing);
  CHECK(a.check(get("/", {{"Cookie", "theme=dark"}})) == v::missing);
  CHECK(a.check(get("/", {{"Authorization", "Basic YTpi"}})) == v::missing);
  CHECK(a.check(get("/", {{"Authorization", "Bearer " + token}})) == v::ok);
  CHECK(a.check(get("/", {{"Authorization", "Bearer " + token + "x"}})) == v::invalid);
  CHECK(a.check(get("/", {{"Cookie", "vmterm_session=made-up"}})) == v::invalid);
}

TEST_CASE("the token itself is not accepted as a session cookie", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  (void)login_session(a);
  CHECK(a.check(with_cookie(token)) == authenticator::verdict::invalid);
}

TEST_CASE("a valid session in a second Cookie header is found", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  const std::string id = login_session(a);
  request r = get("/");
  r.headers.add("Cookie", "vmterm_session=stale");
  r.headers.add("Cookie", "vmterm_session=" + id);
  CHECK(a.check(r) == authenticator::verdict::ok);
}

TEST_CASE("check_bearer ignores the session cookie", "[http]") {
  const fake_clock clock;
  authenticator a(options_with(clock));
  const std::string id = login_session(a);
  using v = authenticator::verdict;
  CHECK(a.check_bearer(with_cookie(id)) == v::missing);
  CHECK(a.check_bearer(get("/metrics", {{"Authorization", "Bearer " + token}})) == v::ok);
  CHECK(a.check_bearer(get("/metrics", {{"Authorization", "Bearer x"}})) == v::invalid);
}

TEST_CASE("a session expires after its lifetime without use, and use extends it", "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.session_lifetime = 100s;
  authenticator a(o);
  const std::string id = login_session(a);
  clock.advance(90s);
  CHECK(a.check(with_cookie(id)) == authenticator::verdict::ok);
  clock.advance(90s);  // 180 s after login, 90 s after the last use
  CHECK(a.check(with_cookie(id)) == authenticator::verdict::ok);
  clock.advance(100s);
  CHECK(a.check(with_cookie(id)) == authenticator::verdict::invalid);
  CHECK(a.sessions() == 0);
}

TEST_CASE("the session table drops the least recently used session at its cap", "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.max_sessions = 3;
  authenticator a(o);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(login_session(a));
    clock.advance(1s);
  }
  CHECK(a.check(with_cookie(ids[0])) == authenticator::verdict::ok);  // 0 is now the freshest
  clock.advance(1s);
  ids.push_back(login_session(a));
  CHECK(a.sessions() == 3);
  CHECK(a.check(with_cookie(ids[1])) == authenticator::verdict::invalid);
  CHECK(a.check(with_cookie(ids[0])) == authenticator::verdict::ok);
  CHECK(a.check(with_cookie(ids[2])) == authenticator::verdict::ok);
  CHECK(a.check(with_cookie(ids[3])) == authenticator::verdict::ok);
}

TEST_CASE("expired sessions make room before live ones are dropped", "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.max_sessions = 2;
  o.session_lifetime = 10s;
  authenticator a(o);
  const std::string old = login_session(a);
  clock.advance(5s);
  const std::string live = login_session(a);
  clock.advance(6s);  // `old` expired, `live` has 4 s left
  const std::string fresh = login_session(a);
  CHECK(a.check(with_cookie(live)) == authenticator::verdict::ok);
  CHECK(a.check(with_cookie(fresh)) == authenticator::verdict::ok);
  CHECK(a.check(with_cookie(old)) == authenticator::verdict::invalid);
}

TEST_CASE("the 401 bodies name what was wrong and where the login URL is", "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.login_hint = "the login URL is on vmterm-serve's standard error";
  o.server_name = "vmterm-serve";
  const authenticator a(o);
  const response missing = a.unauthorized(authenticator::verdict::missing);
  CHECK(missing.status == 401);
  CHECK(missing.body ==
        "401 Unauthorized: this needs a login; the login URL is on vmterm-serve's standard error "
        "(programs send the token in 'Authorization: Bearer TOKEN')\n");
  CHECK(missing.headers.get("WWW-Authenticate") == "Bearer realm=\"vmterm\"");
  CHECK(missing.headers.get("Content-Type") == "text/plain; charset=utf-8");
  const response invalid = a.unauthorized(authenticator::verdict::invalid);
  CHECK(invalid.status == 401);
  CHECK(invalid.body ==
        "401 Unauthorized: the session or token is not valid (a session ends when vmterm-serve "
        "restarts or after 12 hours unused); the login URL is on vmterm-serve's standard error\n");
  CHECK(invalid.headers.get("WWW-Authenticate") ==
        "Bearer realm=\"vmterm\", error=\"invalid_token\"");
  CHECK(invalid.body.find(token) == std::string::npos);
}

TEST_CASE("the 403 body names the origin and the fix, in the tool's words when it gives them",
          "[http]") {
  const fake_clock clock;
  const authenticator a(options_with(clock));
  const response res = a.forbidden_origin("https://evil.example");
  CHECK(res.status == 403);
  CHECK(res.body ==
        "403 Forbidden: WebSocket connection from origin 'https://evil.example' refused: it is "
        "not this server's host; to allow it, add it to the server's allowed origins: "
        "https://evil.example\n");
  auth_options o = options_with(clock);
  o.allow_origin_advice = "start vmterm-serve with --allow-origin";
  CHECK(authenticator(o).forbidden_origin("https://evil.example").body ==
        "403 Forbidden: WebSocket connection from origin 'https://evil.example' refused: it is "
        "not this server's host; to allow it, start vmterm-serve with --allow-origin "
        "https://evil.example\n");
  CHECK(a.forbidden_origin("").body ==
        "403 Forbidden: WebSocket upgrade without an Origin header; browsers send one, other "
        "clients must send 'Authorization: Bearer TOKEN'\n");
  const response odd = a.forbidden_origin(std::string("http://a\x01") + std::string(300, 'x'));
  CHECK(odd.body.find('\x01') == std::string::npos);
  CHECK(odd.body.size() < 600);
}

TEST_CASE("origin_ok: the request's own host, the allowed list, or a bearer without Origin",
          "[http]") {
  const fake_clock clock;
  auth_options o = options_with(clock);
  o.allowed_origins = {"https://term.example.com"};
  const authenticator a(o);
  CHECK(
      a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Origin", "http://127.0.0.1:8000"}})));
  CHECK(a.origin_ok(
      get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Origin", "https://term.example.com"}})));
  CHECK_FALSE(
      a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Origin", "http://evil.example"}})));
  // A foreign Origin is refused even with the right bearer token.
  CHECK_FALSE(a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"},
                                       {"Origin", "http://evil.example"},
                                       {"Authorization", "Bearer " + token}})));
  CHECK_FALSE(a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}})));
  CHECK(
      a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Authorization", "Bearer " + token}})));
  CHECK_FALSE(
      a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Authorization", "Bearer nope"}})));
}

TEST_CASE("origin_ok still refuses foreign origins with auth disabled", "[http]") {
  auth_options o;
  o.disabled = true;
  const authenticator a(o);
  CHECK_FALSE(
      a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Origin", "http://evil.example"}})));
  CHECK(
      a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}, {"Origin", "http://127.0.0.1:8000"}})));
  CHECK(a.origin_ok(get("/ws/", {{"Host", "127.0.0.1:8000"}})));
}
