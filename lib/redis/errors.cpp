#include "redis/errors.hpp"

#include <string>

namespace vmterm::redis {
namespace {

class category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "redis"; }
  [[nodiscard]] std::string message(int c) const override {
    switch (static_cast<errc>(c)) {
      case errc::server_error:
        return "Redis answered with an error";
      case errc::unexpected_reply:
        return "unexpected reply type";
      case errc::usage:
        return "command not allowed here";
    }
    return "redis error " + std::to_string(c);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace vmterm::redis
