#include "ssh/errors.hpp"

#include <string>

namespace vmterm::ssh {
namespace {

std::string_view name_of(int e) noexcept {
  switch (static_cast<errc>(e)) {
    case errc::dns:
      return "dns";
    case errc::refused:
      return "refused";
    case errc::timeout:
      return "timeout";
    case errc::host_key_unknown:
      return "host_key_unknown";
    case errc::host_key_changed:
      return "host_key_changed";
    case errc::host_key_revoked:
      return "host_key_revoked";
    case errc::auth:
      return "auth";
    case errc::config:
      return "config";
    case errc::protocol:
      return "protocol";
    case errc::connection_lost:
      return "connection_lost";
    case errc::cancelled:
      return "cancelled";
  }
  return "other";
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "vmterm.ssh"; }
  std::string message(int e) const override { return std::string(name_of(e)); }
};

}  // namespace

const std::error_category& ssh_category() noexcept {
  static const category c;
  return c;
}

std::string_view reason_name(const std::error_code& ec) noexcept {
  if (ec.category() == ssh_category()) return name_of(ec.value());
  return "other";
}

}  // namespace vmterm::ssh
