// B3 and Jaeger propagation and OTEL_PROPAGATORS: the test vectors of the B3 specification
// (openzipkin/b3-propagation README: single header, multiple headers, sampling states, 64-bit
// trace ids, debug) and of Jaeger's client docs (uber-trace-id with leading zeros omitted,
// flags, `0` parent, URL-encoding, uberctx- baggage), and a round trip through each carrier.
#include <catch2/catch.hpp>

#include "trace/propagation.hpp"
#include "trace/propagators.hpp"
#include "with_propagators.hpp"

using namespace vmterm::trace;
using vmterm::test::with_propagators;

TEST_CASE("OTEL_PROPAGATORS: names in order, none, and an exact error for an unknown one",
          "[trace][propagators]") {
  auto l = parse_propagators(" b3multi , jaeger,tracecontext,b3multi");
  REQUIRE(l.has_value());
  CHECK(*l == std::vector{propagator::b3multi, propagator::jaeger, propagator::tracecontext});
  auto none = parse_propagators("none");
  REQUIRE(none.has_value());
  CHECK(none->empty());
  auto bad = parse_propagators("tracecontext,xray");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message ==
        "OTEL_PROPAGATORS 'tracecontext,xray': unknown propagator 'xray'; use tracecontext, "
        "baggage, b3, b3multi, jaeger or none, separated by commas");
  CHECK_FALSE(parse_propagators("none,b3").has_value());
  CHECK(default_propagators());
}

TEST_CASE("B3 single header: the specification's examples", "[trace][propagators]") {
  auto c = parse_b3_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90");
  REQUIRE(c.has_value());
  CHECK(c->trace.hex() == "80f198ee56343ba864fe8b2a57d3eff7");
  CHECK(c->span.hex() == "e457b5a2e4d86bd1");
  CHECK(c->sampled());
  CHECK(c->remote);
  // 64-bit trace id: left-padded; debug 'd' means sampled; no sampling state: not sampled.
  c = parse_b3_single("64fe8b2a57d3eff7-e457b5a2e4d86bd1-d");
  REQUIRE(c.has_value());
  CHECK(c->trace.hex() == "000000000000000064fe8b2a57d3eff7");
  CHECK(c->sampled());
  c = parse_b3_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1");
  REQUIRE(c.has_value());
  CHECK_FALSE(c->sampled());
  c = parse_b3_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0");
  REQUIRE(c.has_value());
  CHECK_FALSE(c->sampled());
  // A sampling decision alone, bad lengths, uppercase, a bad state, all-zero ids: no context.
  for (const char* bad : {"0", "1", "d", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd",
                          "80F198EE56343BA864FE8B2A57D3EFF7-e457b5a2e4d86bd1-1",
                          "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-x",
                          "00000000000000000000000000000000-e457b5a2e4d86bd1-1",
                          "80f198ee56343ba864fe8b2a57d3eff7-0000000000000000-1",
                          "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b9"}) {
    INFO(bad);
    CHECK_FALSE(parse_b3_single(bad).has_value());
  }
  CHECK(format_b3_single(*parse_b3_single("64fe8b2a57d3eff7-e457b5a2e4d86bd1-1")) ==
        "000000000000000064fe8b2a57d3eff7-e457b5a2e4d86bd1-1");
}

TEST_CASE("B3 multiple headers: sampled, legacy true/false, debug flag", "[trace][propagators]") {
  const std::string_view t = "463ac35c9f6413ad48485a3953bb6124", s = "a2fb4a1d1a96d312";
  auto c = parse_b3_multi(t, s, "1", std::nullopt);
  REQUIRE(c.has_value());
  CHECK(c->trace.hex() == t);
  CHECK(c->span.hex() == s);
  CHECK(c->sampled());
  CHECK(parse_b3_multi(t, s, "true", std::nullopt)->sampled());
  CHECK_FALSE(parse_b3_multi(t, s, "0", std::nullopt)->sampled());
  CHECK_FALSE(parse_b3_multi(t, s, "false", std::nullopt)->sampled());
  CHECK(parse_b3_multi(t, s, std::nullopt, "1")->sampled());  // debug implies sampled
  CHECK_FALSE(parse_b3_multi(t, s, std::nullopt, std::nullopt)->sampled());
  CHECK_FALSE(parse_b3_multi(t, s, "yes", std::nullopt).has_value());
  CHECK_FALSE(parse_b3_multi(t, std::nullopt, "1", std::nullopt).has_value());
  CHECK(parse_b3_multi("48485a3953bb6124", s, "1", std::nullopt)->trace.hex() ==
        "000000000000000048485a3953bb6124");
}

TEST_CASE("Jaeger uber-trace-id: leading zeros omitted, flags, parent 0, URL-encoded",
          "[trace][propagators]") {
  auto c = parse_uber_trace_id("3e3c1bfe1f5c4b5d6a4f9f1a2b3c4d5e:7f8e9d0c1b2a3948:0:1");
  REQUIRE(c.has_value());
  CHECK(c->trace.hex() == "3e3c1bfe1f5c4b5d6a4f9f1a2b3c4d5e");
  CHECK(c->span.hex() == "7f8e9d0c1b2a3948");
  CHECK(c->sampled());
  // A 64-bit id written without its leading zeros, uppercase, a non-zero parent, debug flag 3.
  c = parse_uber_trace_id("ABC123:1F:5:3");
  REQUIRE(c.has_value());
  CHECK(c->trace.hex() == "00000000000000000000000000abc123");
  CHECK(c->span.hex() == "000000000000001f");
  CHECK(c->sampled());
  CHECK_FALSE(parse_uber_trace_id("abc123:1f:0:0")->sampled());
  CHECK(parse_uber_trace_id("abc123%3A1f%3A0%3A1")->sampled());
  for (const char* bad :
       {"abc123:1f:0", "abc123:1f:0:1:9", "xyz:1f:0:1", "0:1f:0:1", "abc:0:0:1", "abc123:1f:0:100",
        "abc123%2F1f:0:1", "123456789012345678901234567890123:1f:0:1"}) {
    INFO(bad);
    CHECK_FALSE(parse_uber_trace_id(bad).has_value());
  }
  CHECK(format_uber_trace_id(*c) == "00000000000000000000000000abc123:000000000000001f:0:1");
}

TEST_CASE("configured propagators: HTTP headers and message headers round-trip each format",
          "[trace][propagators]") {
  context ctx;
  ctx.span = *parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ctx.baggage = "user=alice";
  for (const char* name : {"b3", "b3multi", "jaeger", "tracecontext"}) {
    with_propagators p(name);
    INFO(name);
    header_list h{{"X-Other", "1"}};
    inject(ctx, h);
    const auto back = extract(h);
    CHECK(back.span.trace == ctx.span.trace);
    CHECK(back.span.span == ctx.span.span);
    CHECK(back.span.sampled());
    string_map m;
    inject(ctx, m);
    CHECK(extract(m).span.span == ctx.span.span);
    // Only the configured format is written.
    CHECK(get_header(h, "traceparent").has_value() == (std::string_view(name) == "tracecontext"));
  }
  {
    with_propagators p("b3multi");
    header_list h;
    inject(ctx, h);
    CHECK(h == header_list{{"x-b3-traceid", "0af7651916cd43dd8448eb211c80319c"},
                           {"x-b3-spanid", "b7ad6b7169203331"},
                           {"x-b3-sampled", "1"}});
  }
  {
    with_propagators p("jaeger");
    header_list h;
    inject(ctx, h);
    CHECK(h ==
          header_list{{"uber-trace-id", "0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:1"}});
  }
}

TEST_CASE("extract tries each configured propagator; a later one that finds headers wins",
          "[trace][propagators]") {
  const header_list h{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                      {"Uber-Trace-Id", "abc:def:0:1"},
                      {"uberctx-tenant", "acme corp"},
                      {"baggage", "user=alice"}};
  {
    with_propagators p("tracecontext,baggage,jaeger");
    const auto c = extract(h);
    CHECK(c.span.span.hex() == "0000000000000def");
    CHECK(c.baggage == "user=alice,tenant=acme%20corp");
  }
  {
    with_propagators p("jaeger,tracecontext");
    const auto c = extract(h);
    CHECK(c.span.span.hex() == "b7ad6b7169203331");
    CHECK(c.baggage == "tenant=acme%20corp");  // W3C baggage is not configured
  }
  {
    with_propagators p("b3");  // none of its headers: no context
    CHECK_FALSE(extract(h).span.valid());
  }
  {
    with_propagators p("none");
    CHECK_FALSE(extract(h).span.valid());
    header_list out;
    context ctx;
    ctx.span = *parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    inject(ctx, out);
    CHECK(out.empty());
  }
  // Back to the default: W3C only, uber-trace-id ignored.
  CHECK(extract(h).span.span.hex() == "b7ad6b7169203331");
}
