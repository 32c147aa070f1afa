#include "trace/sampler.hpp"

#include <catch2/catch.hpp>

#include "fixture.hpp"

using namespace vmterm::trace;

namespace {

trace_id id_with_low(std::uint64_t low) {
  trace_id id;
  id.bytes[0] = 0xff;  // upper bytes must not matter
  for (int i = 0; i < 8; ++i)
    id.bytes[15 - static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(low >> (8 * i));
  return id;
}

span_context parent(bool sampled, bool remote) {
  span_context p;
  p.trace = id_with_low(1);
  p.span.bytes[7] = 1;
  p.flags = sampled ? flag_sampled : 0;
  p.remote = remote;
  return p;
}

constexpr auto yes = sampling_decision::record_and_sample;
constexpr auto no = sampling_decision::drop;

}  // namespace

TEST_CASE("always_on and always_off ignore everything", "[trace][sampler]") {
  always_on_sampler on;
  always_off_sampler off;
  CHECK(on.should_sample(parent(false, true), id_with_low(0), "x", span_kind::server) == yes);
  CHECK(off.should_sample(parent(true, true), id_with_low(0), "x", span_kind::server) == no);
  CHECK(on.description() == "AlwaysOnSampler");
  CHECK(off.description() == "AlwaysOffSampler");
}

TEST_CASE("traceidratio compares the lower 8 bytes with ratio * 2^64", "[trace][sampler]") {
  trace_id_ratio_sampler half(0.5);
  const span_context none;
  CHECK(half.should_sample(none, id_with_low(0), "x", span_kind::internal) == yes);
  CHECK(half.should_sample(none, id_with_low(0x7fffffffffffffffULL), "x", span_kind::internal) ==
        yes);
  CHECK(half.should_sample(none, id_with_low(0x8000000000000000ULL), "x", span_kind::internal) ==
        no);
  CHECK(half.should_sample(none, id_with_low(~0ULL), "x", span_kind::internal) == no);
  CHECK(half.description() == "TraceIdRatioBased{0.5}");

  trace_id_ratio_sampler zero(0.0);
  trace_id_ratio_sampler one(1.0);
  trace_id_ratio_sampler above(2.0);
  trace_id_ratio_sampler below(-1.0);
  CHECK(zero.should_sample(none, id_with_low(0), "x", span_kind::internal) == no);
  CHECK(below.should_sample(none, id_with_low(0), "x", span_kind::internal) == no);
  CHECK(one.should_sample(none, id_with_low(~0ULL), "x", span_kind::internal) == yes);
  CHECK(above.should_sample(none, id_with_low(~0ULL), "x", span_kind::internal) == yes);
  CHECK(above.ratio() == 1.0);
}

TEST_CASE("traceidratio samples about the requested fraction of random ids", "[trace][sampler]") {
  trace_id_ratio_sampler quarter(0.25);
  int sampled = 0;
  for (int i = 0; i < 20000; ++i) {
    trace_id id;
    for (auto& b : id.bytes) b = static_cast<std::uint8_t>(std::rand());
    if (quarter.should_sample({}, id, "x", span_kind::internal) == yes) ++sampled;
  }
  CHECK(sampled > 4500);
  CHECK(sampled < 5500);
}

TEST_CASE("parent-based sampling follows the parent and asks the root sampler otherwise",
          "[trace][sampler]") {
  parent_based_sampler pb(std::make_unique<always_off_sampler>());
  CHECK(pb.should_sample({}, id_with_low(1), "x", span_kind::internal) == no);  // root: off
  CHECK(pb.should_sample(parent(true, true), id_with_low(1), "x", span_kind::internal) == yes);
  CHECK(pb.should_sample(parent(true, false), id_with_low(1), "x", span_kind::internal) == yes);
  CHECK(pb.should_sample(parent(false, true), id_with_low(1), "x", span_kind::internal) == no);
  CHECK(pb.should_sample(parent(false, false), id_with_low(1), "x", span_kind::internal) == no);
  parent_based_sampler def(nullptr);
  CHECK(def.should_sample({}, id_with_low(1), "x", span_kind::internal) == yes);
  CHECK(def.description() == "ParentBased{root:AlwaysOnSampler}");
}

TEST_CASE("the rate limiter allows N traces per second from a full bucket", "[trace][sampler]") {
  test::fake_clock clock;
  rate_limiting_sampler rl(2.0, clock.fn());
  auto ask = [&] { return rl.should_sample({}, id_with_low(1), "x", span_kind::internal); };
  CHECK(ask() == yes);
  CHECK(ask() == yes);
  CHECK(ask() == no);
  clock.advance_ns(250'000'000);  // 0.5 token
  CHECK(ask() == no);
  clock.advance_ns(250'000'000);  // 1 token
  CHECK(ask() == yes);
  CHECK(ask() == no);
  clock.advance_ns(10'000'000'000ULL);  // refills to the cap (2), not 20
  CHECK(ask() == yes);
  CHECK(ask() == yes);
  CHECK(ask() == no);
  CHECK(rl.description() == "RateLimitingSampler{2}");
}

TEST_CASE("a rate below one per second still samples one trace per interval", "[trace][sampler]") {
  test::fake_clock clock;
  rate_limiting_sampler rl(0.5, clock.fn());
  auto ask = [&] { return rl.should_sample({}, id_with_low(1), "x", span_kind::internal); };
  CHECK(ask() == yes);
  CHECK(ask() == no);
  clock.advance_ns(1'000'000'000);
  CHECK(ask() == no);
  clock.advance_ns(1'000'000'000);
  CHECK(ask() == yes);
}

TEST_CASE("OTEL_TRACES_SAMPLER selects samplers; empty means unset", "[trace][sampler]") {
  test::warnings w;
  auto make = [&](std::map<std::string, std::string> vars) {
    return sampler_from_env(test::fake_env(std::move(vars)), w.fn())->description();
  };
  CHECK(make({}) == "ParentBased{root:AlwaysOnSampler}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", ""}}) == "ParentBased{root:AlwaysOnSampler}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "always_on"}}) == "AlwaysOnSampler");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "ALWAYS_OFF"}}) == "AlwaysOffSampler");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "0.25"}}) ==
        "TraceIdRatioBased{0.25}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "traceidratio"}}) == "TraceIdRatioBased{1}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "parentbased_always_off"}}) ==
        "ParentBased{root:AlwaysOffSampler}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
              {"OTEL_TRACES_SAMPLER_ARG", "0.1"}}) == "ParentBased{root:TraceIdRatioBased{0.1}}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "vmterm_ratelimiting"}, {"OTEL_TRACES_SAMPLER_ARG", "5"}}) ==
        "RateLimitingSampler{5}");
  CHECK(make({{"OTEL_TRACES_SAMPLER", "parentbased_vmterm_ratelimiting"}}) ==
        "ParentBased{root:RateLimitingSampler{1}}");
  CHECK(w.lines->empty());
}

TEST_CASE("bad sampler settings warn with the exact text and fall back", "[trace][sampler]") {
  test::warnings w;
  auto s = sampler_from_env(test::fake_env({{"OTEL_TRACES_SAMPLER", "sometimes"}}), w.fn());
  CHECK(s->description() == "ParentBased{root:AlwaysOnSampler}");
  REQUIRE(w.lines->size() == 1);
  CHECK(w.lines->at(0) ==
        "OTEL_TRACES_SAMPLER='sometimes': unknown sampler; use always_on, always_off, "
        "traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio "
        "or vmterm_ratelimiting; using the default parentbased_always_on");

  w.lines->clear();
  auto r = sampler_from_env(
      test::fake_env({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"}}),
      w.fn());
  CHECK(r->description() == "TraceIdRatioBased{1}");
  REQUIRE(w.lines->size() == 1);
  CHECK(w.lines->at(0) ==
        "OTEL_TRACES_SAMPLER_ARG='1.5': expected a sampling ratio between 0 and 1; using the "
        "default 1.0");

  w.lines->clear();
  auto q = sampler_from_env(test::fake_env({{"OTEL_TRACES_SAMPLER", "vmterm_ratelimiting"},
                                            {"OTEL_TRACES_SAMPLER_ARG", "fast"}}),
                            w.fn());
  CHECK(q->description() == "RateLimitingSampler{1}");
  REQUIRE(w.lines->size() == 1);
  CHECK(w.lines->at(0) ==
        "OTEL_TRACES_SAMPLER_ARG='fast': expected a positive number of traces per second; using "
        "the default 1");
}
