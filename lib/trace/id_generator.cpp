#include "trace/id_generator.hpp"

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

namespace vmterm::trace {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

/// xoshiro256++ (Blackman and Vigna, public domain algorithm), written from its description.
/// Constant-initialised (so a thread_local needs no init guard on each access) and seeded on
/// first use.
struct xoshiro {
  std::uint64_t s[4];
  bool seeded;

  void seed_once() noexcept {
    seeded = true;
    std::uint64_t seed = 0;
    try {
      std::random_device rd;
      seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    } catch (...) {
      // No entropy device: fall back to time, thread and address; still distinct per thread.
    }
    seed ^= static_cast<std::uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    seed ^= std::hash<std::thread::id>{}(std::this_thread::get_id());
    seed ^= reinterpret_cast<std::uintptr_t>(this);
    for (auto& word : s) word = splitmix64(seed);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

thread_local constinit xoshiro tls_generator{};

xoshiro& generator() noexcept {
  xoshiro& gen = tls_generator;
  if (!gen.seeded) [[unlikely]] {
    gen.seed_once();
  }
  return gen;
}

}  // namespace

std::uint64_t random_u64() noexcept { return generator().next(); }

// The ids are written a word at a time: two 8-byte stores read back as one 16-byte load
// (a memcpy of a two-word array) miss store-to-load forwarding, which cost more than the
// generator itself.
trace_id new_trace_id() noexcept {
  auto& gen = generator();
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  do {
    hi = gen.next();
    lo = gen.next();
  } while ((hi | lo) == 0);
  trace_id id;
  std::memcpy(id.bytes.data(), &hi, 8);
  std::memcpy(id.bytes.data() + 8, &lo, 8);
  return id;
}

span_id new_span_id() noexcept {
  auto& gen = generator();
  std::uint64_t v = 0;
  do {
    v = gen.next();
  } while (v == 0);
  span_id id;
  std::memcpy(id.bytes.data(), &v, sizeof v);
  return id;
}

void new_root_ids(trace_id& trace, span_id& span) noexcept {
  auto& gen = generator();
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::uint64_t s = 0;
  do {
    hi = gen.next();
    lo = gen.next();
  } while ((hi | lo) == 0);
  do {
    s = gen.next();
  } while (s == 0);
  std::memcpy(trace.bytes.data(), &hi, 8);
  std::memcpy(trace.bytes.data() + 8, &lo, 8);
  std::memcpy(span.bytes.data(), &s, 8);
}

std::string random_uuid() {
  std::uint8_t b[16];
  const std::uint64_t hi = random_u64();
  const std::uint64_t lo = random_u64();
  std::memcpy(b, &hi, 8);
  std::memcpy(b + 8, &lo, 8);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(digits[b[i] >> 4]);
    out.push_back(digits[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace vmterm::trace
