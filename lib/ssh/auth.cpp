// session::async_authenticate: public key from a file (with an optional passphrase file), or
// the keys of ssh-agent. Secrets stay in locals that are wiped; spans get the method only.
#include <libssh2.h>
#include <openssl/crypto.h>

#include <cstdlib>

#include "ssh/detail/session.hpp"
#include "ssh/key_file.hpp"

namespace vmterm::ssh {
namespace {

constexpr const char* auth_hint =
    "; check the user name (EC2: ec2-user on Amazon Linux, ubuntu on Ubuntu, admin on Debian) "
    "and the key";

}  // namespace

/// Freed before its session (it holds it): libssh2 agents must not outlive their session.
struct session::agent_state {
  std::shared_ptr<session> owner;
  LIBSSH2_AGENT* agent = nullptr;
  std::function<void(expected<void>)> done;
  libssh2_agent_publickey* identity = nullptr;
  int offered = 0;
  ~agent_state() {
    if (agent == nullptr) return;
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
  }
};

void session::async_authenticate(trace::context parent, done_fn done) {
  phase_ = "authenticating";
  const bool with_key = !options_.identity.empty();
  auto span = std::make_shared<trace::span>(start_span("ssh.auth", parent));
  span->set_attribute("ssh.auth.method", with_key ? "publickey" : "agent");
  auto finish = [self = shared_from_this(), span, done = std::move(done)](expected<void> r) {
    end_span(*span, r);
    if (!r) self->metrics_.failed(r.error().code);
    done(std::move(r));
  };
  if (with_key) {
    auth_with_key(std::move(finish));
  } else {
    auth_with_agent(std::move(finish));
  }
}

void session::auth_with_key(done_fn done) {
  const std::string key_file = options_.identity.string();
  if (auto ok = check_private_file(options_.identity, "identity file"); !ok) {
    done(fail(errc::config, who_ + ok.error().message));
    return;
  }
  auto passphrase = std::make_shared<std::string>();
  if (!options_.passphrase_file.empty()) {
    auto p = read_passphrase_file(options_.passphrase_file);
    if (!p) {
      done(fail(errc::config, who_ + p.error().message));
      return;
    }
    *passphrase = std::move(*p);
  }
  const bool has_passphrase = !options_.passphrase_file.empty();
  async_run(
      [self = shared_from_this(), key_file, passphrase] {
        const auto& user = self->options_.target.user;
        return libssh2_userauth_publickey_fromfile_ex(
            self->handle_, user.data(), static_cast<unsigned>(user.size()), nullptr,
            key_file.c_str(), passphrase->empty() ? nullptr : passphrase->c_str());
      },
      [self = shared_from_this(), key_file, passphrase, has_passphrase,
       done = std::move(done)](int rc) {
        OPENSSL_cleanse(passphrase->data(), passphrase->size());
        if (rc == 0) {
          done({});
        } else if (rc == LIBSSH2_ERROR_FILE) {
          done(tl::unexpected(self->failure(
              errc::config, "cannot load the key in identity file '" + key_file + "'" +
                                (has_passphrase ? " (is the passphrase right?)"
                                                : " (if it is encrypted, " +
                                                      self->options_.advice.passphrase + ")"))));
        } else if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED ||
                   rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED) {
          done(fail(errc::auth, self->who_ +
                                    "authentication failed: the server refused the key "
                                    "in '" +
                                    key_file + "' for user '" + self->options_.target.user + "'" +
                                    auth_hint));
        } else {
          done(tl::unexpected(self->failure(errc::connection_lost, "authentication failed")));
        }
      });
}

void session::auth_with_agent(done_fn done) {
  std::string sock = options_.agent_socket;
  if (sock.empty()) {
    const char* env = std::getenv("SSH_AUTH_SOCK");  // NOLINT(concurrency-mt-unsafe)
    sock = env != nullptr ? env : "";
  }
  if (sock.empty()) {
    done(fail(errc::config, who_ + "no key to log in with: " + options_.advice.identity +
                                ", or run ssh-agent with the key added (SSH_AUTH_SOCK is not "
                                "set)"));
    return;
  }
  auto st = std::make_shared<agent_state>();
  st->owner = shared_from_this();
  st->agent = libssh2_agent_init(handle_);
  if (st->agent == nullptr) {
    done(tl::unexpected(failure(errc::config, "cannot use ssh-agent")));
    return;
  }
  libssh2_agent_set_identity_path(st->agent, sock.c_str());
  // The agent is a local Unix socket: connect and list are quick local calls.
  if (libssh2_agent_connect(st->agent) != 0 || libssh2_agent_list_identities(st->agent) != 0) {
    done(tl::unexpected(
        failure(errc::config, "cannot talk to ssh-agent at '" + sock + "'; is it running?")));
    return;
  }
  st->done = std::move(done);
  try_next_agent_key(std::move(st));
}

void session::try_next_agent_key(std::shared_ptr<agent_state> st) {
  libssh2_agent_publickey* id = nullptr;
  if (libssh2_agent_get_identity(st->agent, &id, st->identity) != 0) {
    st->done(fail(errc::auth, who_ + "authentication failed: ssh-agent offered " +
                                  std::to_string(st->offered) +
                                  " key(s), the server accepted none for user '" +
                                  options_.target.user + "'" + auth_hint));
    return;
  }
  st->identity = id;
  ++st->offered;
  async_run(
      [self = shared_from_this(), st, id] {
        return libssh2_agent_userauth(st->agent, self->options_.target.user.c_str(), id);
      },
      [self = shared_from_this(), st](int rc) {
        if (rc == 0) {
          st->done({});
        } else if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND ||
                   rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_TIMEOUT) {
          st->done(tl::unexpected(self->failure(errc::connection_lost, "authentication failed")));
        } else {
          self->try_next_agent_key(st);
        }
      });
}

}  // namespace vmterm::ssh
