#include "core/version.hpp"

// Set on this file only by lib/core/CMakeLists.txt.
#ifndef VMTERM_VERSION
#error "VMTERM_VERSION is set by lib/core/CMakeLists.txt"
#endif
#ifndef VMTERM_GIT_DESCRIBE
#define VMTERM_GIT_DESCRIBE ""
#endif

namespace vmterm::core {

std::string_view version() noexcept { return VMTERM_VERSION; }
std::string_view git_describe() noexcept { return VMTERM_GIT_DESCRIBE; }

}  // namespace vmterm::core
