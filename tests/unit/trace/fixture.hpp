#pragma once
// Shared helpers for the trace unit tests: a provider wired to an in-memory exporter through
// the simple processor, a fake clock and a fake environment.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/tracer.hpp"

namespace vmterm::trace::test {

struct fake_clock {
  std::shared_ptr<std::atomic<std::uint64_t>> now =
      std::make_shared<std::atomic<std::uint64_t>>(1'700'000'000'000'000'000ULL);
  clock_fn fn() const {
    return [n = now] { return n->load(); };
  }
  void advance_ns(std::uint64_t ns) const { now->fetch_add(ns); }
};

inline config::env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;  // may be "": the code under test must treat it as unset
  };
}

struct recording {
  std::shared_ptr<span_store> store = std::make_shared<span_store>();
  fake_clock clock;
  std::shared_ptr<tracer_provider> provider;

  explicit recording(span_limits limits = {}, std::unique_ptr<sampler> s = nullptr) {
    tracer_provider_options o;
    o.processor = std::make_unique<simple_processor>(std::make_unique<in_memory_exporter>(store));
    o.sampler = std::move(s);
    o.limits = limits;
    o.clock = clock.fn();
    provider = std::make_shared<tracer_provider>(std::move(o));
  }
  tracer get() { return provider->get_tracer("test", "1.0"); }
};

struct warnings {
  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
  warn_fn fn() const {
    return [l = lines](const std::string& m) { l->push_back(m); };
  }
};

}  // namespace vmterm::trace::test
