#include "trace/propagation.hpp"

#include <catch2/catch.hpp>

#include "fixture.hpp"

using namespace vmterm::trace;

namespace {
constexpr const char* valid_tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}

TEST_CASE("a version-00 traceparent parses into ids and flags", "[trace][propagation]") {
  auto ctx = parse_traceparent(valid_tp);
  REQUIRE(ctx);
  CHECK(ctx->trace.hex() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(ctx->span.hex() == "00f067aa0ba902b7");
  CHECK(ctx->sampled());
  CHECK(ctx->remote);
  CHECK(format_traceparent(*ctx) == valid_tp);
}

TEST_CASE("traceparent cases from the W3C test suite are rejected", "[trace][propagation]") {
  const char* invalid[] = {
      "",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",  // uppercase parent id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",  // uppercase flags
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
      "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // short version
      "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      ".0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // trace id too short
      "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",  // trace id too long
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",    // flags too short
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",   // flags not hex
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.",  // v00 with trailing junk
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 x",
  };
  for (const char* tp : invalid) {
    INFO(tp);
    CHECK_FALSE(parse_traceparent(tp));
  }
}

TEST_CASE("future traceparent versions are read by their version-00 prefix",
          "[trace][propagation]") {
  auto ctx =
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future");
  REQUIRE(ctx);
  CHECK(ctx->span.hex() == "00f067aa0ba902b7");
  CHECK(ctx->flags == 0x01);                    // unknown bit 0x08 is not passed on
  CHECK(format_traceparent(*ctx) == valid_tp);  // re-emitted as version 00
  CHECK(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST_CASE("traceparent surrounded by spaces or tabs is accepted", "[trace][propagation]") {
  CHECK(parse_traceparent(std::string(" ") + valid_tp + "\t"));
  CHECK(parse_traceparent(std::string("\t ") + valid_tp));
}

TEST_CASE("format_traceparent writes 55 chars and keeps only defined flags",
          "[trace][propagation]") {
  span_context ctx;
  ctx.trace = *trace_id::from_hex("0af7651916cd43dd8448eb211c80319c");
  ctx.span = *span_id::from_hex("b7ad6b7169203331");
  ctx.flags = 0xff;
  std::array<char, traceparent_size> buf{};
  format_traceparent(ctx, buf);
  CHECK(std::string(buf.data(), buf.size()) ==
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");
  CHECK(format_traceparent(span_context{}).empty());
}

TEST_CASE("tracestate validation follows the W3C grammar", "[trace][propagation]") {
  CHECK(valid_tracestate("foo=1"));
  CHECK(valid_tracestate("foo=1,bar=2"));
  CHECK(valid_tracestate("foo=1 , bar=2,,"));
  CHECK(valid_tracestate(""));
  CHECK(valid_tracestate("tenant@system=x"));
  CHECK(valid_tracestate("0foo=1"));
  CHECK(valid_tracestate("a_-*/=1"));
  CHECK_FALSE(valid_tracestate("FOO=1"));
  CHECK_FALSE(valid_tracestate("foo.bar=1"));
  CHECK_FALSE(valid_tracestate("foo =1"));
  CHECK_FALSE(valid_tracestate("@foo=1"));
  CHECK_FALSE(valid_tracestate("foo"));
  CHECK_FALSE(valid_tracestate("foo="));
  CHECK_FALSE(valid_tracestate("foo=a=b"));
  CHECK_FALSE(valid_tracestate("foo=" + std::string(257, 'x')));
  CHECK(valid_tracestate("foo=" + std::string(256, 'x')));
  std::string members;
  for (int i = 0; i < 32; ++i) members += "k" + std::to_string(i) + "=v,";
  CHECK(valid_tracestate(members));
  CHECK_FALSE(valid_tracestate(members + "k32=v"));
}

TEST_CASE("an invalid tracestate is dropped as a whole, the traceparent kept",
          "[trace][propagation]") {
  auto ctx = extract_context(valid_tp, "foo=1,BAD=2", std::nullopt);
  CHECK(ctx.span.valid());
  CHECK(ctx.span.trace_state.empty());
  auto ok = extract_context(valid_tp, "foo=1,bar=2", std::nullopt);
  CHECK(ok.span.trace_state == "foo=1,bar=2");
}

TEST_CASE("an invalid traceparent drops the tracestate too", "[trace][propagation]") {
  auto ctx = extract_context("garbage", "foo=1", "k=v");
  CHECK_FALSE(ctx.span.valid());
  CHECK(ctx.span.trace_state.empty());
  CHECK(ctx.baggage == "k=v");
}

TEST_CASE("headers are found case-insensitively and injected in lowercase",
          "[trace][propagation]") {
  header_list in{{"TraceParent", valid_tp},
                 {"TRACESTATE", "a=1"},
                 {"tracestate", "b=2"},
                 {"Baggage", "user=alice;p=1, x = y"}};
  CHECK(get_header(in, "traceparent") == valid_tp);
  auto ctx = extract(in);
  REQUIRE(ctx.span.valid());
  CHECK(ctx.span.trace_state == "a=1,b=2");
  CHECK(ctx.baggage == "user=alice;p=1, x = y");

  header_list out{{"Traceparent", "old"}, {"host", "x"}};
  inject(ctx, out);
  REQUIRE(out.size() == 4);
  CHECK(out[0] == std::pair<std::string, std::string>{"host", "x"});
  CHECK(out[1] == std::pair<std::string, std::string>{"traceparent", valid_tp});
  CHECK(out[2] == std::pair<std::string, std::string>{"tracestate", "a=1,b=2"});
  CHECK(out[3] == std::pair<std::string, std::string>{"baggage", "user=alice;p=1, x = y"});
}

TEST_CASE("two traceparent headers make the traceparent invalid", "[trace][propagation]") {
  header_list in{{"traceparent", valid_tp},
                 {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b8-01"}};
  CHECK_FALSE(extract(in).span.valid());
}

TEST_CASE("baggage is passed on unchanged and dropped when over the limits",
          "[trace][propagation]") {
  string_map celery{{"traceparent", valid_tp}, {"baggage", "a=1,b=2;prop"}};
  auto ctx = extract(celery);
  CHECK(ctx.baggage == "a=1,b=2;prop");
  string_map out;
  inject(ctx, out);
  CHECK(out.at("traceparent") == valid_tp);
  CHECK(out.at("baggage") == "a=1,b=2;prop");
  CHECK(out.count("tracestate") == 0);

  std::string many;
  for (int i = 0; i < 65; ++i) many += "k" + std::to_string(i) + "=v,";
  CHECK_FALSE(valid_baggage(many));
  CHECK_FALSE(valid_baggage("k=" + std::string(8200, 'v')));
  CHECK_FALSE(valid_baggage("=v"));
  CHECK(extract_context(std::nullopt, std::nullopt, many).baggage.empty());
}

TEST_CASE("the environment carrier reads TRACEPARENT and writes child entries",
          "[trace][propagation]") {
  auto ctx = extract_env(
      test::fake_env({{"TRACEPARENT", valid_tp}, {"TRACESTATE", "v=1"}, {"BAGGAGE", ""}}));
  REQUIRE(ctx.span.valid());
  CHECK(ctx.span.remote);
  CHECK(ctx.span.trace_state == "v=1");
  CHECK(ctx.baggage.empty());
  auto entries = child_env(ctx);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0] == std::pair<std::string, std::string>{"TRACEPARENT", valid_tp});
  CHECK(entries[1] == std::pair<std::string, std::string>{"TRACESTATE", "v=1"});
  CHECK(child_env(context{}).empty());
  CHECK_FALSE(extract_env(test::fake_env({{"TRACEPARENT", "junk"}})).span.valid());
}
