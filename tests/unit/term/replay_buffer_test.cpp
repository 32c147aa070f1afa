#include "term/replay_buffer.hpp"

#include <catch2/catch.hpp>

using vmterm::term::replay_buffer;

TEST_CASE("the replay buffer returns exactly the bytes after an offset", "[term][replay]") {
  replay_buffer b(10);
  b.append("hello");
  CHECK(b.since(0) == std::optional<std::string>("hello"));
  CHECK(b.since(2) == std::optional<std::string>("llo"));
  CHECK(b.since(5) == std::optional<std::string>(""));
  CHECK_FALSE(b.since(6));  // more than was ever sent
}

TEST_CASE("the replay buffer keeps the newest bytes across wrap-around", "[term][replay]") {
  replay_buffer b(10);
  b.append("0123456");
  b.append("789ab");  // 12 bytes in all; the first two are gone
  CHECK(b.end_offset() == 12);
  CHECK(b.begin_offset() == 2);
  CHECK(b.since(2) == std::optional<std::string>("23456789ab"));
  CHECK(b.since(9) == std::optional<std::string>("9ab"));
  CHECK_FALSE(b.since(1));  // lost: the client must be told, not given a gap
}

TEST_CASE("an append larger than the buffer keeps its tail", "[term][replay]") {
  replay_buffer b(4);
  b.append("ab");
  b.append("cdefgh");
  CHECK(b.begin_offset() == 4);
  CHECK(b.since(4) == std::optional<std::string>("efgh"));
  b.append("ij");
  CHECK(b.since(6) == std::optional<std::string>("ghij"));
}

TEST_CASE("many small appends agree with a reference string", "[term][replay]") {
  replay_buffer b(97);
  std::string all;
  for (int i = 0; i < 1000; ++i) {
    const std::string piece(static_cast<std::size_t>(i % 13), static_cast<char>('a' + i % 26));
    b.append(piece);
    all += piece;
  }
  REQUIRE(b.end_offset() == all.size());
  for (std::uint64_t off = b.begin_offset(); off <= b.end_offset(); off += 7) {
    CHECK(*b.since(off) == all.substr(static_cast<std::size_t>(off)));
  }
}

TEST_CASE("the replay buffer grows with the output, not to its capacity at once",
          "[term][replay]") {
  replay_buffer b(1 << 20);
  b.append("$ ");
  CHECK(b.allocated() < 4096);
  CHECK(b.since(0) == std::optional<std::string>("$ "));
  const std::string big((1 << 20) + 5, 'x');
  b.append(big);
  CHECK(b.allocated() == (1u << 20));
  CHECK(b.begin_offset() == b.end_offset() - (1u << 20));
}

TEST_CASE("copy takes at most the asked bytes from an offset, across the wrap", "[term][replay]") {
  replay_buffer b(8);
  b.append("abcdef");
  std::string out;
  REQUIRE(b.copy(1, 3, out));
  CHECK(out == "bcd");
  b.append("ghij");  // wraps: holds "cdefghij"
  REQUIRE(b.copy(4, 5, out));
  CHECK(out == "efghi");
  REQUIRE(b.copy(9, 100, out));
  CHECK(out == "j");
  REQUIRE(b.copy(10, 100, out));
  CHECK(out.empty());
  CHECK_FALSE(b.copy(1, 3, out));
  CHECK(out.empty());
  CHECK_FALSE(b.copy(11, 3, out));
}
