#pragma once
/// A private temporary directory (mode 0700) removed with everything in it on destruction.

#include <filesystem>
#include <string_view>

namespace vmterm::test {

class temp_dir {
 public:
  explicit temp_dir(std::string_view prefix = "vmterm-test");
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] std::filesystem::path operator/(std::string_view name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

/// Writes `content` to `file` (created or truncated) with the given permission bits.
void write_file(const std::filesystem::path& file, std::string_view content,
                std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);

/// The whole content of `file`; empty when it cannot be read.
[[nodiscard]] std::string read_file(const std::filesystem::path& file);

}  // namespace vmterm::test
