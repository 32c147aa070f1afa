# Every third-party look-up in one place. A missing dependency stops configure with the Debian
# package that provides it (`./scripts/setup` installs them all).

function(vmterm_missing what package)
  message(FATAL_ERROR
    "vmterm: ${what} not found; install it with `sudo apt-get install ${package}` "
    "(or run ./scripts/setup, which installs every build dependency)")
endfunction()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  vmterm_missing("pkg-config" "pkg-config")
endif()

find_package(Threads REQUIRED)

# Boost 1.81: Beast's message_generator needs it; Debian 12's default Boost is 1.74.
find_package(Boost 1.81 QUIET CONFIG COMPONENTS url)
if(NOT Boost_FOUND)
  vmterm_missing("Boost >= 1.81 with Boost.URL" "libboost1.81-dev libboost-url1.81-dev")
endif()

find_package(CLI11 2.0 QUIET CONFIG)
if(NOT CLI11_FOUND)
  vmterm_missing("CLI11" "libcli11-dev")
endif()

find_package(nlohmann_json 3.11 QUIET CONFIG)
if(NOT nlohmann_json_FOUND)
  vmterm_missing("nlohmann_json >= 3.11" "nlohmann-json3-dev")
endif()

find_package(tl-expected 1.0 QUIET CONFIG)
if(NOT tl-expected_FOUND)
  vmterm_missing("tl::expected" "libexpected-dev")
endif()

find_package(OpenSSL 3 QUIET)
if(NOT OpenSSL_FOUND)
  vmterm_missing("OpenSSL >= 3" "libssl-dev")
endif()

# Debian ships no CMake package for hiredis or libssh2: pkg-config it is.
pkg_check_modules(HIREDIS QUIET IMPORTED_TARGET hiredis>=0.14)
if(NOT HIREDIS_FOUND)
  vmterm_missing("hiredis" "libhiredis-dev")
endif()
add_library(vmterm_dep_hiredis INTERFACE)
target_link_libraries(vmterm_dep_hiredis INTERFACE PkgConfig::HIREDIS)
add_library(vmterm::dep::hiredis ALIAS vmterm_dep_hiredis)

pkg_check_modules(LIBSSH2 QUIET IMPORTED_TARGET libssh2>=1.10)
if(NOT LIBSSH2_FOUND)
  vmterm_missing("libssh2 >= 1.10" "libssh2-1-dev")
endif()
add_library(vmterm_dep_libssh2 INTERFACE)
target_link_libraries(vmterm_dep_libssh2 INTERFACE PkgConfig::LIBSSH2)
add_library(vmterm::dep::libssh2 ALIAS vmterm_dep_libssh2)

# OTLP/gRPC: only libvmterm_otlp_grpc.so (dlopen'ed by lib/trace_otlp) links grpc++.
option(VMTERM_WITH_GRPC "build the OTLP/gRPC module (libvmterm_otlp_grpc.so)" ON)
if(VMTERM_WITH_GRPC)
  pkg_check_modules(GRPCPP QUIET IMPORTED_TARGET grpc++>=1.51)
  if(NOT GRPCPP_FOUND)
    vmterm_missing("grpc++ >= 1.51 (or -DVMTERM_WITH_GRPC=OFF)" "libgrpc++-dev")
  endif()
endif()

if(VMTERM_BUILD_TESTS)
  find_package(Catch2 2.13 QUIET CONFIG)
  if(NOT Catch2_FOUND)
    vmterm_missing("Catch2 v2.13" "catch2")
  endif()
  include(Catch)
endif()

if(VMTERM_BUILD_BENCH)
  find_package(benchmark 1.6 QUIET CONFIG)
  if(NOT benchmark_FOUND)
    vmterm_missing("Google Benchmark" "libbenchmark-dev")
  endif()
endif()
