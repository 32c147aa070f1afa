// The install rules and the Debian package, as a VM's administrator meets them: what
// `cmake --install` puts where, the systemd units through `systemd-analyze verify` (in a scratch
// root that holds the installed tree and the system's own units), and `cpack -G DEB`'s package:
// its contents, its control data, and its tools running from a scratch root it was unpacked
// into (dpkg-deb -x: dpkg --root would run the postinst chrooted, which needs a whole system).
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;
namespace fs = std::filesystem;

namespace {

fs::path build_dir() { return bin_dir().parent_path(); }

std::vector<std::string> built_tools() {
  std::vector<std::string> out;
  for (const auto* t :
       {"vmterm-serve", "vmterm-worker", "vmterm-beat", "vmterm-health", "vmterm-trace"}) {
    if (fs::exists(bin_dir() / t)) out.emplace_back(t);
  }
  return out;
}

const std::vector<std::string> units{"vmterm-serve.service", "vmterm-worker@.service",
                                     "vmterm-beat.service", "vmterm-health.service",
                                     "vmterm-health.timer"};

}  // namespace

TEST_CASE(
    "cmake --install puts the tools, man pages, units and settings in Debian's places, and "
    "systemd-analyze verify accepts the units",
    "[e2e][package]") {
  temp_dir root;
  const auto r =
      run({"cmake", "--install", build_dir().string(), "--prefix", "/usr"},
          {.env = {{"DESTDIR", root.path().string()}}, .timeout = std::chrono::seconds(60)});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  for (const auto& t : built_tools()) {
    INFO(t);
    CHECK(fs::exists(root / "usr/bin" / t));
    CHECK(fs::exists(root / "usr/share/man/man1" / (t + ".1")));
    const auto v = run({(root / "usr/bin" / t).string(), "--version"});
    CHECK(v.exit_code == 0);
    CHECK_THAT(v.out, Catch::StartsWith(t + " " + VMTERM_TEST_PROJECT_VERSION));
  }
  CHECK(fs::exists(root / "usr/share/man/man7/vmterm.7"));
  CHECK(fs::exists(root / "etc/vmterm/vmterm.env"));
  CHECK(fs::exists(root / "etc/vmterm/beat-schedule.toml"));
  for (const auto& u : units) CHECK(fs::exists(root / "lib/systemd/system" / u));

  // Every unit: a dedicated user, the env file, the sandbox.
  for (const auto& u : units) {
    if (u.find(".timer") != std::string::npos) continue;
    const auto text = read_file(root / "lib/systemd/system" / u);
    INFO(u);
    for (const auto* line :
         {"User=vmterm\n", "EnvironmentFile=/etc/vmterm/vmterm.env\n", "NoNewPrivileges=yes\n",
          "ProtectSystem=strict\n", "ProtectHome=yes\n", "PrivateTmp=yes\n",
          "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service\n"}) {
      CHECK_THAT(text, Catch::Contains(line));
    }
  }

  // systemd-analyze verify in the scratch root: the system's units (targets) beside ours; the
  // health unit's binary may not be built yet, so a stand-in executable takes its place.
  const auto analyze = require_program("systemd-analyze", "systemd");
  fs::copy("/lib/systemd/system", root / "lib/systemd/system",
           fs::copy_options::recursive | fs::copy_options::skip_existing |
               fs::copy_options::copy_symlinks);
  for (const auto* t : {"vmterm-serve", "vmterm-worker", "vmterm-beat", "vmterm-health"}) {
    if (!fs::exists(root / "usr/bin" / t)) {
      write_file(root / "usr/bin" / t, "#!/bin/sh\n");
      fs::permissions(root / "usr/bin" / t, fs::perms::owner_all);
    }
  }
  std::vector<std::string> argv{analyze.string(), "verify", "--root=" + root.path().string(),
                                "--man=no"};
  for (auto u : units) {
    if (u == "vmterm-worker@.service") u = "vmterm-worker@1.service";
    argv.push_back(u);
  }
  const auto v = run(argv, {.cwd = root.path()});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.err.empty());  // unknown keys are only warnings: none allowed
  // The check can fail: a unit whose binary is missing is refused.
  fs::remove(root / "usr/bin/vmterm-beat");
  CHECK(run({analyze.string(), "verify", "--root=" + root.path().string(), "--man=no",
             "vmterm-beat.service"},
            {.cwd = root.path()})
            .exit_code != 0);
}

TEST_CASE("cpack -G DEB builds a package whose tools run from a scratch root", "[e2e][package]") {
  temp_dir out;
  const auto r = run({"cpack", "-G", "DEB", "--config",
                      (build_dir() / "CPackConfig.cmake").string(), "-B", out.path().string()},
                     {.timeout = std::chrono::seconds(180)});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  fs::path deb;
  for (const auto& e : fs::directory_iterator(out.path())) {
    if (e.path().extension() == ".deb") deb = e.path();
  }
  REQUIRE_FALSE(deb.empty());
  CHECK(std::regex_match(deb.filename().string(), std::regex(R"(vmterm_0\.1\.0_amd64\.deb)")));

  const auto contents = run({"dpkg-deb", "-c", deb.string()});
  REQUIRE(contents.exit_code == 0);
  for (const auto& t : built_tools()) {
    CHECK_THAT(contents.out, Catch::Contains("./usr/bin/" + t + "\n"));
  }
  for (const auto& u : units)
    CHECK_THAT(contents.out, Catch::Contains("./lib/systemd/system/" + u));
  CHECK_THAT(contents.out, Catch::Contains("./etc/vmterm/vmterm.env\n"));
  CHECK_THAT(contents.out, Catch::Contains("./usr/share/man/man7/vmterm.7"));
  // The OTLP/gRPC module, where the tools look for it (../lib/vmterm from /usr/bin).
  CHECK_THAT(contents.out, Catch::Contains("./usr/lib/vmterm/libvmterm_otlp_grpc.so\n"));
  CHECK_THAT(contents.out, Catch::Contains("./usr/lib/vmterm/libvmterm_health_tls.so\n"));
  // Nothing from the build or the tests.
  CHECK(contents.out.find("test") == std::string::npos);

  const auto info = run({"dpkg-deb", "-I", deb.string()});
  CHECK_THAT(info.out, Catch::Contains("Package: vmterm\n"));
  CHECK_THAT(info.out, Catch::Contains("libhiredis0.14"));
  CHECK_THAT(info.out, Catch::Contains("adduser"));
  const auto control = run({"dpkg-deb", "--ctrl-tarfile", deb.string()});
  REQUIRE(control.exit_code == 0);
  CHECK(control.out.find("conffiles") != std::string::npos);
  CHECK(control.out.find("postinst") != std::string::npos);

  temp_dir root;
  REQUIRE(run({"dpkg-deb", "-x", deb.string(), root.path().string()}).exit_code == 0);
  for (const auto& t : built_tools()) {
    INFO(t);
    // The package's tools run, and are the version it was built from.
    const auto v = run({(root / "usr/bin" / t).string(), "--version"});
    CHECK(v.exit_code == 0);
    CHECK_THAT(v.out, Catch::StartsWith(t + " " + VMTERM_TEST_PROJECT_VERSION));
  }
}
