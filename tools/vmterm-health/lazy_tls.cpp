// OpenSSL and libssh2, loaded on first use. vmterm-health is position-independent (its code
// keeps address randomisation: it parses what the network sends), and a statically linked
// libcrypto put ~370 KiB of pointer tables (OpenSSL 3's algorithm and method tables) in the
// binary's .data.rel.ro, which the loader relocates page by page at every start: ~100 page
// faults and ~1 ms of every run, --version and plain-http runs included. Now the binary calls
// the functions of lazy_tls.def through the entries of lazy_tls.S, and the first call loads
// libvmterm_health_tls.so with dlopen and binds every entry: a run that needs no TLS, no SSH
// and no hashed known_hosts line maps no OpenSSL. The module is OpenSSL, libssh2 and zlib from
// their static archives, only the parts these functions reach (--gc-sections), exporting just
// these functions, with packed relative relocations: Debian's shared libcrypto would cost an
// SSH probe ~0.7 MiB more (its 21,000 RELA relocations and symbol tables).
//
// The module is looked for beside the program (the build tree's bin/), then in ../lib/vmterm/
// from it (the installed layout, as the gRPC module). Built only into lean links
// (VMTERM_HEALTH_LAZY_TLS, tools/vmterm-health/CMakeLists.txt); sanitizer and shared builds
// link the libraries as usual.
#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

extern "C" {
/// The functions' addresses, by lazy_tls.def's index; lazy_tls.S jumps through them.
__attribute__((visibility("hidden"))) extern void* vmterm_lazy_tls_slots[];
}

namespace {

struct entry {
  const char* name;
};

constexpr entry entries[] = {
#define LAZY(index, lib, symbol) {#symbol},
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

constexpr const char* module_name = "libvmterm_health_tls.so";

std::once_flag loaded;

[[noreturn]] void fail(const std::string& why) {
  // Nothing else can go on: the probe that needs the module is mid-call. UNKNOWN, as any
  // internal error, with the first line a monitoring system reads.
  const std::string line = "UNKNOWN - vmterm-health: " + why + '\n';
  (void)!::write(STDOUT_FILENO, line.data(), line.size());
  (void)!::write(STDERR_FILENO, line.data() + 10, line.size() - 10);
  ::_exit(3);
}

/// Beside the program, then ../lib/vmterm/ from it.
std::vector<std::string> candidates() {
  std::vector<std::string> out;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / module_name).string());
    out.push_back((exe.parent_path().parent_path() / "lib" / "vmterm" / module_name).string());
  }
  return out;
}

void load() {
  // RTLD_LOCAL: the module's symbols do not join the global scope (the gRPC module's look-ups
  // are as they were).
  void* handle = nullptr;
  std::string tried;
  for (const auto& path : candidates()) {
    handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) break;
    const char* why = ::dlerror();
    tried += (tried.empty() ? "" : ", ") + (why != nullptr ? std::string(why) : path);
  }
  if (handle == nullptr) {
    fail(std::string("cannot load ") + module_name + " (" + (tried.empty() ? "?" : tried) +
         "), which https and ssh probes need; install it beside vmterm-health or in "
         "../lib/vmterm/ from it");
  }
  for (std::size_t i = 0; i < count; ++i) {
    void* f = ::dlsym(handle, entries[i].name);
    if (f == nullptr) {
      fail(std::string(module_name) + " has no function " + entries[i].name +
           "; install the module built with this vmterm-health");
    }
    __atomic_store_n(&vmterm_lazy_tls_slots[i], f, __ATOMIC_RELEASE);
  }
}

}  // namespace

extern "C" {

__attribute__((visibility("hidden"))) void* vmterm_lazy_tls_slots[count];

/// Called by lazy_tls.S with the index of the function being called: loads the module once
/// (any thread; the others wait) and binds every function; returns the one called.
__attribute__((visibility("hidden"))) void* vmterm_lazy_tls_resolve(unsigned index) {
  if (index >= count) fail("internal error: lazy TLS entry " + std::to_string(index));
  std::call_once(loaded, load);
  return __atomic_load_n(&vmterm_lazy_tls_slots[index], __ATOMIC_ACQUIRE);
}

}  // extern "C"
