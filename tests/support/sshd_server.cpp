#include "sshd_server.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "ports.hpp"

namespace vmterm::test {
namespace {

std::string current_user() {
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) throw std::runtime_error("test fixture: the current uid has no passwd entry");
  return pw->pw_name;
}

void keygen(const std::filesystem::path& keygen_exe, const std::filesystem::path& file) {
  const auto r = run({keygen_exe.string(), "-q", "-t", "ed25519", "-N", "", "-C", "vmterm-test",
                      "-f", file.string()});
  if (r.exit_code != 0) {
    throw std::runtime_error("test fixture: ssh-keygen for '" + file.string() +
                             "' failed: " + r.err);
  }
}

std::string first_fields(const std::string& pub_line) {  // "type base64" without the comment
  const auto sp1 = pub_line.find(' ');
  const auto sp2 = pub_line.find_first_of(" \n", sp1 + 1);
  return pub_line.substr(0, sp2);
}

/// As root, sshd refuses to start without its privilege-separation directory. Creating the
/// empty root-owned directory is what the openssh-server service does at boot.
void ensure_privsep_dir() {
  if (::geteuid() != 0) return;
  if (::mkdir("/run/sshd", 0755) != 0 && errno != EEXIST) {
    throw std::runtime_error(std::string("test fixture: cannot create /run/sshd: ") +
                             std::strerror(errno));
  }
}

/// Processes whose parent is `parent`, from /proc/<pid>/stat.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &ppid) == 2 && ppid == parent) {
      out.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

/// Every descendant of `root`, parents before children.
std::vector<pid_t> descendants_of(pid_t root) {
  std::vector<pid_t> out = children_of(root);
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const pid_t c : children_of(out[i])) out.push_back(c);
  }
  return out;
}

}  // namespace

void sshd_server::stop() {
  for (const pid_t p : descendants_of(svc_.process->pid())) ::kill(p, SIGKILL);
  svc_.process->stop();
}

void sshd_server::freeze_sessions() {
  for (const pid_t p : descendants_of(svc_.process->pid())) ::kill(p, SIGSTOP);
}

sshd_server::sshd_server() : user_(current_user()) {
  const std::vector<std::filesystem::path> sbin{"/usr/sbin", "/usr/local/sbin", "/sbin"};
  const auto sshd = require_program("sshd", "openssh-server", sbin);
  const auto keygen_exe = require_program("ssh-keygen", "openssh-client");
  ensure_privsep_dir();

  keygen(keygen_exe, dir_ / "host_ed25519");
  keygen(keygen_exe, identity_file());
  host_key_ = first_fields(read_file(dir_ / "host_ed25519.pub"));
  write_file(dir_ / "authorized_keys", read_file(dir_ / "id_ed25519.pub"));
  const auto fp =
      run({keygen_exe.string(), "-l", "-E", "sha256", "-f", (dir_ / "host_ed25519.pub").string()});
  const auto start = fp.out.find("SHA256:");
  fingerprint_ = fp.out.substr(start, fp.out.find(' ', start) - start);

  service_spec spec;
  spec.name = "sshd";
  spec.log = dir_ / "sshd.log";
  spec.command = [&](std::uint16_t port) {
    const auto config = dir_ / "sshd_config";
    write_file(config, "Port " + std::to_string(port) +
                           "\n"
                           "ListenAddress 127.0.0.1\n"
                           "HostKey " +
                           (dir_ / "host_ed25519").string() + "\n" + "PidFile " +
                           (dir_ / "sshd.pid").string() + "\n" + "AuthorizedKeysFile " +
                           (dir_ / "authorized_keys").string() + "\n" +
                           "AuthenticationMethods publickey\n"
                           "PubkeyAuthentication yes\n"
                           "PasswordAuthentication no\n"
                           "KbdInteractiveAuthentication no\n"
                           "PermitRootLogin prohibit-password\n"
                           "AllowUsers " +
                           user_ + "\n" +
                           "UsePAM no\n"
                           "StrictModes no\n"
                           "PrintMotd no\n"
                           "PrintLastLog no\n"
                           "UseDNS no\n"
                           "MaxStartups 100\n"
                           "ClientAliveInterval 0\n"
                           "Subsystem sftp internal-sftp\n");
    write_file(known_hosts_file(), "[127.0.0.1]:" + std::to_string(port) + " " + host_key_ + "\n");
    spawn_options o;
    // -D: stay in the foreground (so the fixture owns it); -e: log to stderr (our log file).
    o.argv = {sshd.string(), "-D", "-e", "-f", config.string()};
    o.stdout_file = spec.log;
    o.stderr_file = spec.log;
    return o;
  };
  spec.ready = [](std::uint16_t port) {
    const auto banner = tcp_exchange(port, "", 8, std::chrono::milliseconds(500));
    return banner && banner->rfind("SSH-2.0-", 0) == 0;
  };
  svc_ = start_service(spec);
}

sshd_server::~sshd_server() {
  try {
    stop();        // sessions too (frozen ones included): they are not in sshd's process group
  } catch (...) {  // a destructor never throws; the process group is still stopped below
  }
}

std::string sshd_server::log() const { return read_file(dir_ / "sshd.log"); }

run_result sshd_server::ssh(const std::string& command, std::chrono::milliseconds timeout) const {
  run_options o;
  o.timeout = timeout;
  o.env["SSH_AUTH_SOCK"] = std::nullopt;  // only the fixture's key, never the user's agent
  return run({"ssh",
              "-F",
              "/dev/null",
              "-i",
              identity_file().string(),
              "-p",
              std::to_string(port()),
              "-o",
              "BatchMode=yes",
              "-o",
              "IdentitiesOnly=yes",
              "-o",
              "StrictHostKeyChecking=yes",
              "-o",
              "UserKnownHostsFile=" + known_hosts_file().string(),
              "-o",
              "GlobalKnownHostsFile=/dev/null",
              "-o",
              "ConnectTimeout=10",
              "-o",
              "LogLevel=ERROR",
              user_ + "@127.0.0.1",
              command},
             o);
}

}  // namespace vmterm::test
