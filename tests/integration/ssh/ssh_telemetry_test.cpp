#include <catch2/catch.hpp>

#include "metrics/registry.hpp"
#include "ssh_harness.hpp"
#include "temp_dir.hpp"
#include "trace/context.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/provider.hpp"
#include "trace/tracer.hpp"

using namespace vmterm;
using namespace vmterm::test;

namespace {

struct telemetry {
  telemetry() {
    trace::tracer_provider_options popt;
    popt.processor = std::make_unique<trace::simple_processor>(
        std::make_unique<trace::in_memory_exporter>(store));
    provider = std::make_unique<trace::tracer_provider>(std::move(popt));
  }
  std::shared_ptr<trace::span_store> store = std::make_shared<trace::span_store>();
  std::unique_ptr<trace::tracer_provider> provider;
  metrics::registry registry;
};

const trace::span_data* find(const std::vector<trace::span_data>& spans, std::string_view name) {
  for (const auto& s : spans) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string attr(const trace::span_data& s, std::string_view key) {
  const auto* v = trace::find_attribute(s.attrs, key);
  if (v == nullptr) return "<none>";
  if (const auto* str = std::get_if<std::string>(v)) return *str;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return "<other>";
}

}  // namespace

TEST_CASE("connect, handshake, auth and channel are CLIENT spans under the caller's span",
          "[integration][ssh]") {
  sshd_server sshd;
  telemetry t;
  auto o = ssh_options_for(sshd);
  o.command = "exit 0";
  o.tracer = t.provider->get_tracer("vmterm.ssh");
  o.registry = &t.registry;
  ssh_harness h(o);
  auto parent = t.provider->get_tracer("test").start_span("WS /ws/terminal/");
  {
    trace::context_scope scope(trace::context{parent.context(), {}});
    h.start();
  }
  REQUIRE(h.wait_exit());
  parent.end();
  const auto spans = t.store->spans();
  for (const auto name : {"ssh.connect", "ssh.handshake", "ssh.auth", "ssh.channel"}) {
    INFO(name);
    const auto* s = find(spans, name);
    REQUIRE(s != nullptr);
    CHECK(s->kind == trace::span_kind::client);
    CHECK(s->parent == parent.context().span);
    CHECK(s->trace == parent.context().trace);
    CHECK(attr(*s, "server.address") == "127.0.0.1");
    CHECK(attr(*s, "server.port") == std::to_string(sshd.port()));
    CHECK(attr(*s, "network.peer.address") == "127.0.0.1");
    CHECK(s->status.code != trace::status_code::error);
  }
  CHECK(attr(*find(spans, "ssh.auth"), "ssh.auth.method") == "publickey");
  CHECK(attr(*find(spans, "ssh.handshake"), "ssh.host_key.type") == "ssh-ed25519");
  const auto text = t.registry.expose();
  CHECK_THAT(text, Catch::Contains("vmterm_ssh_connects_total 1"));
  CHECK_THAT(text, Catch::Contains("vmterm_ssh_sessions 0"));
  CHECK_THAT(text, Catch::Contains("vmterm_ssh_connect_duration_seconds_count 1"));
  CHECK_THAT(text, !Catch::Contains("vmterm_ssh_failures_total{"));
}

TEST_CASE("a refused host key is an error span with error.type, counted by reason",
          "[integration][ssh]") {
  sshd_server sshd;
  telemetry t;
  temp_dir dir{"vmterm-ssh"};
  auto o = ssh_options_for(sshd);
  o.known_hosts = dir / "known_hosts";
  o.tracer = t.provider->get_tracer("vmterm.ssh");
  o.registry = &t.registry;
  ssh_harness h(o);
  h.start();
  REQUIRE(h.wait_exit());
  CHECK(h.code == -1);
  const auto spans = t.store->spans();
  const auto* s = find(spans, "ssh.handshake");
  REQUIRE(s != nullptr);
  CHECK(s->status.code == trace::status_code::error);
  CHECK(attr(*s, "error.type") == "host_key_unknown");
  CHECK(find(spans, "ssh.auth") == nullptr);
  const auto text = t.registry.expose();
  CHECK_THAT(text, Catch::Contains("vmterm_ssh_failures_total{reason=\"host_key_unknown\"} 1"));
  CHECK_THAT(text, Catch::Contains("vmterm_ssh_sessions 0"));
}

TEST_CASE("a session's sessions gauge is 1 while the channel is open", "[integration][ssh]") {
  sshd_server sshd;
  telemetry t;
  auto o = ssh_options_for(sshd);
  o.command = "sleep 30";
  o.registry = &t.registry;
  ssh_harness h(o);
  h.start();
  REQUIRE(h.run_until([&] { return h.ready || h.code.has_value(); }));
  CHECK_THAT(t.registry.expose(), Catch::Contains("vmterm_ssh_sessions 1"));
  h.term->close();
  REQUIRE(h.wait_exit());
  CHECK_THAT(t.registry.expose(), Catch::Contains("vmterm_ssh_sessions 0"));
}
