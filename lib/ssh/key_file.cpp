#include "ssh/key_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace vmterm::ssh {

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
  return {};
}

expected<std::string> read_passphrase_file(const std::filesystem::path& file) {
  if (auto ok = check_private_file(file, "passphrase file"); !ok) {
    return tl::unexpected(ok.error());
  }
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) {
    if (in.eof()) return std::string();  // an empty file: an empty passphrase
    return fail(std::errc::io_error, "passphrase file '" + file.string() + "': cannot read it");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace vmterm::ssh
