#include "term/detail/permessage_deflate.hpp"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace pmd = vmterm::term::pmd;

namespace {
constexpr const char* both_off =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
/// The server keeps its window (the client did not ask for server_no_context_takeover).
constexpr const char* client_off = "permessage-deflate; client_no_context_takeover";

/// The client's side of context takeover: one decompressor for every message, each message's
/// payload with the 00 00 ff ff tail added back (RFC 7692 7.2.2).
struct stream_inflater {
  z_stream z{};
  stream_inflater() { REQUIRE(inflateInit2(&z, -15) == Z_OK); }
  ~stream_inflater() { inflateEnd(&z); }
  stream_inflater(const stream_inflater&) = delete;
  stream_inflater& operator=(const stream_inflater&) = delete;
  std::string inflate_one(std::string payload) {
    payload.append("\x00\x00\xff\xff", 4);
    std::string out(1 << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(payload.data());
    z.avail_in = static_cast<uInt>(payload.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    CHECK((rc == Z_OK || rc == Z_BUF_ERROR));
    CHECK(z.avail_in == 0);
    out.resize(out.size() - z.avail_out);
    return out;
  }
};

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}
}  // namespace

TEST_CASE(
    "permessage-deflate: browsers' offers are accepted; the server keeps its window unless "
    "asked not to",
    "[term][deflate]") {
  // Chromium and Firefox.
  auto a = pmd::negotiate("permessage-deflate; client_max_window_bits");
  REQUIRE(a);
  CHECK(a->response == client_off);
  CHECK(a->server_context_takeover);
  CHECK(a->server_window_bits == pmd::default_window_bits);
  // Python websockets, with the parameters' case and spacing varied.
  a = pmd::negotiate("Permessage-Deflate ;client_max_window_bits=15 ; server_no_context_takeover");
  REQUIRE(a);
  CHECK(a->response == both_off);
  CHECK_FALSE(a->server_context_takeover);
  // A smaller server window asked for is echoed and used.
  a = pmd::negotiate("permessage-deflate; server_max_window_bits=10");
  REQUIRE(a);
  CHECK(a->response == std::string(client_off) + "; server_max_window_bits=10");
  CHECK(a->server_window_bits == 10);
  a = pmd::negotiate("permessage-deflate; server_max_window_bits=\"15\"");
  REQUIRE(a);
  CHECK(a->server_window_bits == pmd::default_window_bits);
}

TEST_CASE("permessage-deflate: an offer the server cannot honour is declined, the next taken",
          "[term][deflate]") {
  CHECK_FALSE(pmd::negotiate(""));
  CHECK_FALSE(pmd::negotiate("x-webkit-deflate-frame"));
  CHECK_FALSE(pmd::negotiate("permessage-deflate; server_max_window_bits=8"));  // zlib: ≥ 9
  CHECK_FALSE(pmd::negotiate("permessage-deflate; server_max_window_bits"));    // needs a value
  CHECK_FALSE(pmd::negotiate("permessage-deflate; server_max_window_bits=16"));
  CHECK_FALSE(pmd::negotiate("permessage-deflate; client_max_window_bits=7"));
  CHECK_FALSE(pmd::negotiate("permessage-deflate; mystery"));
  CHECK_FALSE(
      pmd::negotiate("permessage-deflate; server_no_context_takeover; "
                     "server_no_context_takeover"));
  auto a = pmd::negotiate(
      "permessage-deflate; server_max_window_bits=8, permessage-deflate; "
      "server_max_window_bits=12");
  REQUIRE(a);
  CHECK(a->server_window_bits == 12);
  a = pmd::negotiate("foo, permessage-deflate");
  REQUIRE(a);
  CHECK(a->response == client_off);
}

TEST_CASE("permessage-deflate: a message compresses without the sync-flush tail and comes back",
          "[term][deflate]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + " of the output\r\n";
  for (int bits : {9, 10, 13, 15}) {
    std::string z;
    REQUIRE(pmd::deflate_message({text.substr(0, 1000), text.substr(1000)}, bits, z));
    CHECK(z.size() < text.size() / 3);
    REQUIRE(z.size() >= 4);
    CHECK(z.substr(z.size() - 4) != std::string("\x00\x00\xff\xff", 4));
    std::string back;
    REQUIRE(pmd::inflate_message(z, 1 << 20, back) == pmd::inflate_result::ok);
    CHECK(back == text);
  }
  // Twice in a row on the same thread's state: no context is carried from one to the next.
  std::string z1, z2;
  REQUIRE(pmd::deflate_message({text}, 13, z1));
  REQUIRE(pmd::deflate_message({text}, 13, z2));
  CHECK(z1 == z2);
}

TEST_CASE("permessage-deflate: data that does not compress is sent as it is", "[term][deflate]") {
  std::string z;
  CHECK_FALSE(pmd::deflate_message({random_bytes(4096, 7)}, 13, z));
}

TEST_CASE("permessage-deflate: a bad stream and one over the limit are told apart",
          "[term][deflate]") {
  std::string out;
  CHECK(pmd::inflate_message(std::string("\xff\xff\xff\xff\xff", 5), 100, out) ==
        pmd::inflate_result::bad);
  std::string z;
  REQUIRE(pmd::deflate_message({std::string(5000, 'a')}, 13, z));
  CHECK(pmd::inflate_message(z, 4999, out) == pmd::inflate_result::too_big);
  CHECK(out.size() == 5000);  // the limit + 1
  CHECK(pmd::inflate_message(z, 5000, out) == pmd::inflate_result::ok);
  CHECK(out == std::string(5000, 'a'));
  // The empty message (RFC 7692 7.2.3.6: one empty stored block's 0x00).
  CHECK(pmd::inflate_message(std::string(1, '\0'), 10, out) == pmd::inflate_result::ok);
  CHECK(out.empty());
}

TEST_CASE(
    "permessage-deflate: with context takeover a repeated message costs little, and a window "
    "released mid-stream still decodes on the client's one decompressor",
    "[term][deflate]") {
  // 150 lines of `ls -l` with random names (the names are what a message alone cannot shrink).
  std::string text;
  std::mt19937 gen(5);
  for (int i = 0; i < 150; ++i) {
    std::string name;
    for (int k = 0; k < 16; ++k) name += static_cast<char>('a' + gen() % 26);
    text += "-rw-r--r-- 1 root root " + std::to_string(i) + " " + name + "\r\n";
  }
  pmd::deflater d;
  CHECK_FALSE(d.holds_state());
  std::string z1, z2, z3;
  REQUIRE(d.compress({text}, 13, z1));
  CHECK(d.holds_state());
  REQUIRE(d.compress({text}, 13, z2));
  CHECK(z2.size() * 5 < z1.size());  // the second refers back to the first
  d.release();
  CHECK_FALSE(d.holds_state());
  REQUIRE(d.compress({text}, 13, z3));
  CHECK(z3 == z1);  // a new window: as the first message
  stream_inflater client;
  CHECK(client.inflate_one(z1) == text);
  CHECK(client.inflate_one(z2) == text);
  CHECK(client.inflate_one(z3) == text);
  // Output that does not compress is sent plain and drops the window: the client's
  // decompressor never sees it, so nothing later may refer to it.
  std::string plain;
  CHECK_FALSE(d.compress({random_bytes(4096, 3)}, 13, plain));
  CHECK_FALSE(d.holds_state());
  REQUIRE(d.compress({text}, 13, z3));
  CHECK(client.inflate_one(z3) == text);
}
