#pragma once
/// A Lua script run by SHA1 (EVALSHA), loaded on first use and again after NOSCRIPT (a Redis
/// restart or SCRIPT FLUSH). Immutable and cheap to copy; define them as constants.

#include <string>
#include <string_view>

namespace vmterm::redis {

class script {
 public:
  /// `name` appears in spans (db.stored_procedure.name) and errors; `source` is the Lua text.
  script(std::string name, std::string source);
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] const std::string& sha1() const noexcept { return sha1_; }  ///< 40 hex digits

 private:
  std::string name_, source_, sha1_;
};

}  // namespace vmterm::redis
