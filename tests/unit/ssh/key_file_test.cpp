#include "ssh/key_file.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::ssh;

TEST_CASE("a key file readable by group or others is refused with the chmod that fixes it",
          "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-key"};
  const auto key = dir.path() / "aws.pem";
  vmterm::test::write_file(key, "secret");
  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  auto r = check_private_file(key, "identity file");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "identity file '" + key.string() +
                                 "': permissions 0644 are too open (group or others can read "
                                 "it); run chmod 600 " +
                                 key.string());
  REQUIRE(::chmod(key.c_str(), 0640) == 0);
  CHECK_FALSE(check_private_file(key, "identity file").has_value());
  REQUIRE(::chmod(key.c_str(), 0600) == 0);
  CHECK(check_private_file(key, "identity file").has_value());
  REQUIRE(::chmod(key.c_str(), 0400) == 0);
  CHECK(check_private_file(key, "identity file").has_value());
}

TEST_CASE("a missing key file is an error naming it", "[ssh]") {
  auto r = check_private_file("/nonexistent/key.pem", "identity file");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "identity file '/nonexistent/key.pem': No such file or directory");
}

TEST_CASE("a passphrase file gives its first line, and must be private too", "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-key"};
  const auto file = dir.path() / "pass";
  vmterm::test::write_file(file, "correct horse\r\nsecond line\n");
  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  CHECK(read_passphrase_file(file).value() == "correct horse");
  vmterm::test::write_file(file, "");
  CHECK(read_passphrase_file(file).value().empty());
  REQUIRE(::chmod(file.c_str(), 0604) == 0);
  auto r = read_passphrase_file(file);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().message, Catch::StartsWith("passphrase file '" + file.string() +
                                                  "': permissions 0604 are too open"));
}

TEST_CASE("a key file this user cannot read says so, with errno's words, not a passphrase hint",
          "[ssh]") {
  // Root reads any file: as root the check runs in a child that became nobody (the key stays
  // root's, mode 600); otherwise the key's mode is 000, which its owner cannot read either.
  vmterm::test::temp_dir dir{"vmterm-key"};
  REQUIRE(::chmod(dir.path().c_str(), 0711) == 0);
  const auto key = dir.path() / "aws.pem";
  vmterm::test::write_file(key, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  const bool root = ::geteuid() == 0;
  if (!root) REQUIRE(::chmod(key.c_str(), 0) == 0);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (root && (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0)) {
      ::_exit(2);
    }
    const auto r = check_private_file(key, "identity file");
    const std::string message = r ? "ok" : r.error().message;
    (void)!::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
    message.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK_THAT(message, Catch::StartsWith("identity file '" + key.string() +
                                        "': cannot read it: permission denied (running as user '"));
  CHECK_THAT(message,
             Catch::EndsWith("'); make it readable by that user, e.g. owned by it with chmod 600"));
  if (root) CHECK_THAT(message, Catch::Contains("(running as user 'nobody')"));
}
