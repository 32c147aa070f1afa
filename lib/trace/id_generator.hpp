#pragma once
/// Random ids for traces and spans: a thread-local xoshiro256++ generator seeded once per
/// thread from std::random_device (mixed through splitmix64). Lock-free and allocation-free;
/// callable from any thread. Not cryptographic: ids identify, they do not authenticate.

#include <cstdint>
#include <string>

#include "trace/span_data.hpp"

namespace vmterm::trace {

/// 64 random bits from this thread's generator.
[[nodiscard]] std::uint64_t random_u64() noexcept;

/// A random trace id; never all-zero.
[[nodiscard]] trace_id new_trace_id() noexcept;

/// A random span id; never all-zero.
[[nodiscard]] span_id new_span_id() noexcept;

/// A random trace id and span id in one call (one thread-local lookup): a new root span.
void new_root_ids(trace_id& trace, span_id& span) noexcept;

/// A random (version 4) UUID in its canonical 36-character lowercase form.
[[nodiscard]] std::string random_uuid();

}  // namespace vmterm::trace
