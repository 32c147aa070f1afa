#include "term/executable.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>

namespace vmterm::term {
namespace {

/// Whether the file starts as something execve(2) runs: an ELF binary or a "#!" script.
/// Another format registered with binfmt_misc is refused too; wrap it in a script. A file this
/// user may execute but not read is given the benefit of the doubt.
bool runnable_format(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return true;  // execute-only (mode 0711): exec does not need to read it
  std::array<char, 4> head{};
  const ssize_t n = ::read(fd, head.data(), head.size());
  ::close(fd);
  if (n >= 2 && head[0] == '#' && head[1] == '!') return true;
  return n == 4 && head[0] == '\x7f' && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
}

}  // namespace

std::string not_executable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "'" + path + "' does not exist";
  if (!S_ISREG(st.st_mode)) return "'" + path + "' is not a file";
  if (::access(path.c_str(), X_OK) != 0) return "'" + path + "' is not executable";
  // Executable bits on a text file (a mode 0755 /etc/hostname) are not enough: execve fails
  // with "Exec format error" after the fork.
  if (!runnable_format(path)) {
    return "'" + path + "' is not a program (neither an ELF binary nor a script starting with #!)";
  }
  return {};
}

expected<std::string> find_executable(const std::string& program, std::string_view path_list) {
  if (program.find('/') != std::string::npos) {
    if (auto why = not_executable(program); !why.empty()) {
      return fail(std::errc::no_such_file_or_directory, why);
    }
    return program;
  }
  for (std::size_t start = 0; start <= path_list.size();) {
    const auto end = std::min(path_list.find(':', start), path_list.size());
    const auto dir = path_list.substr(start, end - start);
    const std::string candidate =
        (dir.empty() ? std::string(".") : std::string(dir)) + "/" + program;
    if (not_executable(candidate).empty()) return candidate;
    start = end + 1;
  }
  return fail(std::errc::no_such_file_or_directory, "'" + program + "' is not found in PATH");
}

}  // namespace vmterm::term
