#pragma once
/// A Redis command as its arguments (binary-safe), and the sanitised text spans carry.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace vmterm::redis {

struct command {
  std::vector<std::string> args;  ///< args[0] is the command name ("LPUSH")

  command() = default;
  command(std::initializer_list<std::string_view> a) {
    args.reserve(a.size());
    for (auto s : a) args.emplace_back(s);
  }
  explicit command(std::vector<std::string> a) : args(std::move(a)) {}
  command& arg(std::string_view s) {
    args.emplace_back(s);
    return *this;
  }
  /// The command name upper-cased ("LPUSH"); "" for an empty command.
  [[nodiscard]] std::string name() const;
};

/// `db.query.text` for a command: "LPUSH ? ?" (every argument replaced by '?'); with
/// `keep_keys`, the key positions of well-known commands are kept ("LPUSH celery ?"). Never a
/// value.
[[nodiscard]] std::string sanitized_text(const command& c, bool keep_keys = false);

}  // namespace vmterm::redis
