// OpenSSL and libssh2, loaded on first use. vmterm-health is position-independent (its code
// keeps address randomisation: it parses what the network sends), and a statically linked
// libcrypto put ~370 KiB of pointer tables (OpenSSL 3's algorithm and method tables) in the
// binary's .data.rel.ro, which the loader relocates page by page at every start: ~100 page
// faults and ~1 ms of every run, --version and plain-http runs included. Now the binary calls
// the functions of lazy_tls.def through the entries of lazy_tls.S, and the first call loads
// the system's shared library (libssl.so.3, libcrypto.so.3, libssh2.so.1) with dlopen and binds
// that library's entries: a run that needs no TLS, no SSH and no hashed known_hosts line maps
// none of them. The libraries are Debian's, so a security update of OpenSSL applies without a
// rebuild; the dlopen'ed gRPC module and vmterm-health share the one libcrypto.
//
// Built only into lean links (VMTERM_HEALTH_LAZY_TLS, tools/vmterm-health/CMakeLists.txt);
// sanitizer and shared builds link the libraries as usual.
#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

namespace {

enum class library : unsigned { ssl, crypto, ssh2 };

struct entry {
  const char* name;
  library lib;
};

constexpr entry entries[] = {
#define LAZY(index, lib, symbol) {#symbol, library::lib},
#include "lazy_tls.def"
#undef LAZY
};
constexpr std::size_t count = std::size(entries);

// The indexes in lazy_tls.def are the slots lazy_tls.S jumps through: they must run 0, 1, ...
constexpr bool indexes_in_order() {
  std::size_t expected = 0;
  bool ok = true;
#define LAZY(index, lib, symbol) ok = ok && (index) == expected++;
#include "lazy_tls.def"
#undef LAZY
  return ok && expected == count;
}
static_assert(indexes_in_order(), "lazy_tls.def: indexes must run 0, 1, 2, ... without gaps");

constexpr std::array<const char*, 3> sonames = {"libssl.so.3", "libcrypto.so.3", "libssh2.so.1"};
constexpr std::array<const char*, 3> packages = {"libssl3", "libssl3", "libssh2-1"};

std::array<std::once_flag, 3> loaded;

[[noreturn]] void fail(const std::string& why) {
  // Nothing else can go on: the probe that needs the library is mid-call. UNKNOWN, as any
  // internal error, with the first line a monitoring system reads.
  const std::string line = "UNKNOWN - vmterm-health: " + why + '\n';
  (void)!::write(STDOUT_FILENO, line.data(), line.size());
  (void)!::write(STDERR_FILENO, line.data() + 10, line.size() - 10);
  ::_exit(3);
}

}  // namespace

extern "C" {

__attribute__((visibility("hidden"))) void* vmterm_lazy_tls_slots[count];

/// Called by lazy_tls.S with the index of the function being called: loads its library once
/// (any thread; the others wait) and binds every function of it; returns the function.
__attribute__((visibility("hidden"))) void* vmterm_lazy_tls_resolve(unsigned index) {
  if (index >= count) fail("internal error: lazy TLS entry " + std::to_string(index));
  const auto lib = static_cast<unsigned>(entries[index].lib);
  std::call_once(loaded[lib], [lib] {
    // RTLD_LOCAL: the libraries' symbols do not join the global scope, so the gRPC module's
    // own look-ups are as they were; libssl's and libssh2's dependency on libcrypto loads the
    // same libcrypto this process binds to.
    void* handle = ::dlopen(sonames[lib], RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      fail(std::string("cannot load ") + sonames[lib] + " (" + (why ? why : "?") +
           "); install Debian's " + packages[lib] + " package");
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (static_cast<unsigned>(entries[i].lib) != lib) continue;
      void* f = ::dlsym(handle, entries[i].name);
      if (f == nullptr) {
        fail(std::string(sonames[lib]) + " has no function " + entries[i].name + "; install the " +
             packages[lib] + " package vmterm was built against");
      }
      __atomic_store_n(&vmterm_lazy_tls_slots[i], f, __ATOMIC_RELEASE);
    }
  });
  return __atomic_load_n(&vmterm_lazy_tls_slots[index], __ATOMIC_ACQUIRE);
}

}  // extern "C"
