#include "ssh/host_key_policy.hpp"

#include "ssh/errors.hpp"
#include "ssh/known_hosts.hpp"

namespace vmterm::ssh {

expected<void> verify_host_key(const target& t, const std::filesystem::path& known_hosts,
                               const host_key& key, new_key_policy policy,
                               std::string_view trust_advice) {
  const std::string who = "ssh '" + to_string(t) + "': ";
  const std::string fp = key.type + " key " + fingerprint_sha256(key.blob);
  auto text = read_known_hosts(known_hosts);
  if (!text) return fail(errc::config, who + text.error().message);
  const auto found = check_known_hosts(*text, t.host, t.port, key);
  const std::string where = known_hosts.string() + " line " + std::to_string(found.line);
  switch (found.status) {
    case host_key_status::known:
      return {};
    case host_key_status::revoked:
      return fail(errc::host_key_revoked,
                  who + "host key refused: the " + fp + " is marked @revoked in " + where);
    case host_key_status::changed:
      return fail(errc::host_key_changed,
                  who + "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED: the server sent the " +
                      fp + ", which does not match " + where +
                      "; someone may be intercepting the connection (or the host was rebuilt). "
                      "Connection refused; if you know why the key changed, remove that line "
                      "(ssh-keygen -R '" +
                      known_hosts_name(t.host, t.port) + "' -f " + known_hosts.string() + ")");
    case host_key_status::unknown:
      break;
  }
  if (policy == new_key_policy::refuse) {
    return fail(errc::host_key_unknown,
                who + "host key not known: the server's " + fp + " is not in " +
                    known_hosts.string() +
                    "; check the fingerprint (on EC2: the instance's system log) and " +
                    std::string(trust_advice));
  }
  if (policy == new_key_policy::accept_dry) return {};
  if (auto ok = append_known_host(known_hosts, known_hosts_line(t.host, t.port, key)); !ok) {
    return fail(errc::config, who + "cannot trust the new host key: " + ok.error().message);
  }
  return {};
}

}  // namespace vmterm::ssh
