// lib/ssh's parsers of text a user or a file gives: the SSH target (USER@HOST[:PORT], from
// --ssh, VMTERM_SSH, AWS_HOSTNAME) on the input's first line, and a known_hosts file (plain,
// [host]:port, patterns, negations, markers, hashed |1| names) in the rest, checked for the
// target's host with a fixed key. Never crash; a target that parses prints back to one that
// parses to the same target.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ssh/host_key.hpp"
#include "ssh/known_hosts.hpp"
#include "ssh/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vmterm::ssh;
  static const auto key =
      host_key_from_text("ssh-ed25519",
                         "AAAAC3NzaC1lZDI1NTE5AAAAIG9tKh+JJj+qYq7GeA2pY8/A6wpQh+DkVZqSgwip6MNq")
          .value();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto nl = text.find('\n');
  const auto first = text.substr(0, nl);
  const auto rest = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  std::string host = "example.com";
  std::uint16_t port = 22;
  if (const auto t = parse_target(first, "fuzz")) {
    const auto again = parse_target(to_string(*t));
    if (!again || to_string(*again) != to_string(*t)) {
      std::fprintf(stderr, "target '%s' does not print back\n", to_string(*t).c_str());
      std::abort();
    }
    host = t->host;
    port = t->port;
  }
  (void)check_known_hosts(rest, host, port, key);
  (void)known_hosts_line(host, port, key);
  if (const auto type_end = first.find(' '); type_end != std::string_view::npos) {
    (void)host_key_from_text(first.substr(0, type_end), first.substr(type_end + 1));
  }
  (void)base64_decode(first);
  return 0;
}
