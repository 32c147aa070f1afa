// libvmterm_health_tls.so: OpenSSL, libssh2 and zlib from their static archives, loaded by
// vmterm-health on the first call into them (lazy_tls.cpp). The module's content is the
// archives' (tools/vmterm-health/CMakeLists.txt: exported functions as listed in lazy_tls.def);
// this file only marks the build it belongs to.
extern "C" {
__attribute__((visibility("hidden"))) extern const char vmterm_health_tls_module[];
const char vmterm_health_tls_module[] = "vmterm-health TLS module";
}
