#include "ssh/key_file.hpp"

#include <openssl/crypto.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/read_file.hpp"

namespace vmterm::ssh {
namespace {

/// The effective user's name (its number when it has none); thread-safe.
std::string user_name() {
  passwd pw{};
  passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(::geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(::geteuid());
}

}  // namespace

expected<void> check_private_file(const std::filesystem::path& file, std::string_view what) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    const int e = errno;
    return fail(std::error_code(e, std::generic_category()),
                std::string(what) + " '" + file.string() + "': " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    return fail(std::errc::invalid_argument,
                std::string(what) + " '" + file.string() + "': not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return fail(std::errc::permission_denied,
                std::string(what) + " '" + file.string() + "': permissions " + mode +
                    " are too open (group or others can read it); run chmod 600 " + file.string());
  }
  std::error_code ec;
  (void)read_file(file, ec, std::size_t{1} << 20);
  if (ec) {
    return fail(ec, std::string(what) + " '" + file.string() + "': cannot read it: " +
                        errno_words(ec.value()) + " (running as user '" + user_name() +
                        "'); make it readable by that user, e.g. owned by it with chmod 600");
  }
  return {};
}

expected<std::string> read_passphrase_file(const std::filesystem::path& file) {
  if (auto ok = check_private_file(file, "passphrase file"); !ok) {
    return tl::unexpected(ok.error());
  }
  std::error_code ec;
  std::string text = read_file(file, ec, std::size_t{1} << 20);  // close-on-exec
  if (ec) {
    return fail(
        ec, "passphrase file '" + file.string() + "': cannot read it: " + errno_words(ec.value()));
  }
  std::string line = text.substr(0, text.find('\n'));  // an empty file: an empty passphrase
  OPENSSL_cleanse(text.data(), text.size());
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace vmterm::ssh
