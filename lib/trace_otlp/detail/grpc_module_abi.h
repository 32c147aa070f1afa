#pragma once
/* The C interface between lib/trace_otlp (which dlopens it) and libvmterm_otlp_grpc.so (the
   one part of vmterm that links grpc++). C types only, so neither side depends on the other's
   C++ types; memory a result holds is malloc'd by the module and freed by its free_result. */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The module's version of this interface; the loader refuses any other. */
#define VMTERM_GRPC_ABI_VERSION 1

/* What one unary call ended with. status_code is grpc::StatusCode (0 OK, 14 UNAVAILABLE, ...). */
struct vmterm_grpc_result {
  int status_code;
  char* message; /* the status message ("" when none); never null after a call */
  char* details; /* grpc-status-details-bin: a serialized google.rpc.Status; may be null */
  size_t details_len;
  char* response; /* OK: the serialized response message; may be null */
  size_t response_len;
};

struct vmterm_grpc_call {
  const char* method; /* "/opentelemetry.proto.collector.trace.v1.TraceService/Export" */
  const char* body;   /* the serialized request */
  size_t body_len;
  const char* const* headers; /* name, value, name, value, ... (names lowercase) */
  size_t header_pairs;
  long long timeout_ms; /* > 0 */
  int gzip;             /* compress the message with gzip */
};

struct vmterm_grpc_api {
  int version; /* VMTERM_GRPC_ABI_VERSION */
  /* A channel to target ("host:port"), TLS with the system's roots when use_tls. Never null. */
  void* (*open)(const char* target, int use_tls);
  /* One unary call with raw bytes; fills *out (free it with free_result). Thread-safe. */
  void (*call)(void* channel, const struct vmterm_grpc_call* call, struct vmterm_grpc_result* out);
  void (*free_result)(struct vmterm_grpc_result* r);
  void (*close)(void* channel);
};

/* The module's one exported symbol. */
const struct vmterm_grpc_api* vmterm_otlp_grpc_api(void);
typedef const struct vmterm_grpc_api* (*vmterm_otlp_grpc_api_fn)(void);

#ifdef __cplusplus
}
#endif
