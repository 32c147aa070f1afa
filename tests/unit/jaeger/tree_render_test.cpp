#include "jaeger/tree_render.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

#include "jaeger/text_cells.hpp"
#include "sample_trace.hpp"

namespace vmterm::jaeger {
using namespace test;

TEST_CASE("The tree prints one aligned line per span with offsets, times and markers", "[jaeger]") {
  CHECK(render_tree(sample_trace(), {}) ==
        "trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.209712Z  12.3ms  3 spans, "
        "1 error\n"
        "GET /cart       checkout  server        +0µs  12.3ms  self  3.4ms ◆\n"
        "├─ SELECT cart  db        client      +1.2ms   8.5ms  self  8.5ms ◆\n"
        "└─ publish      checkout  producer    +9.8ms   400µs  self  400µs ◆  ✗ timeout\n");
}

TEST_CASE("With colour, services, the critical path and errors are coloured", "[jaeger]") {
  const std::string checkout = "\x1b[32mcheckout\x1b[0m";
  const std::string db = "\x1b[34mdb\x1b[0m";
  const std::string cp = "\x1b[1m◆\x1b[0m";
  CHECK(render_tree(sample_trace(), {.colour = true}) ==
        "trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.209712Z  12.3ms  3 spans, "
        "1 error\n"
        "GET /cart       " +
            checkout + "  server        +0µs  12.3ms  self  3.4ms " + cp + "\n" +
            "├─ SELECT cart  " + db + "        client      +1.2ms   8.5ms  self  8.5ms " + cp +
            "\n" + "└─ publish      " + checkout + "  producer    +9.8ms   400µs  self  400µs " +
            cp + "  \x1b[31m✗ timeout\x1b[0m\n");
}

TEST_CASE(
    "Verbose mode adds attributes and events under each span, and a waterfall fills the "
    "width left beside room for the notes",
    "[jaeger]") {
  const auto out = render_tree(sample_trace(), {.verbose = true, .width = 100});
  CHECK(out ==
        "trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.209712Z  12.3ms  3 spans, "
        "1 error\n"
        "GET /cart       checkout  server        +0µs  12.3ms  self  3.4ms ◆ "
        "│███████████████████│\n"
        "│  http.request.method=\"GET\"\n"
        "├─ SELECT cart  db        client      +1.2ms   8.5ms  self  8.5ms ◆ "
        "│ ██████████████    │\n"
        "└─ publish      checkout  producer    +9.8ms   400µs  self  400µs ◆ "
        "│               █   │  ✗ timeout\n"
        "      messaging.system=\"redis\"\n"
        "      • +10ms retry attempt=2\n");
  // The line with notes is exactly 100 cells wide; the others end at the waterfall.
  std::istringstream lines(out);
  std::string line;
  std::size_t widest = 0;
  while (std::getline(lines, line)) widest = std::max(widest, cell_width(line));
  CHECK(widest == 100);
}

TEST_CASE("A filtered tree says how many spans it shows and keeps the box drawing right",
          "[jaeger]") {
  const auto t = sample_trace();
  const auto out = render_tree(t, select(t, {.errors_only = true}), {});
  CHECK(out ==
        "trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.209712Z  12.3ms  3 spans, "
        "1 error  (showing 2 of 3)\n"
        "GET /cart   checkout  server        +0µs  12.3ms  self  3.4ms ◆\n"
        "└─ publish  checkout  producer    +9.8ms   400µs  self  400µs ◆  ✗ timeout\n");
}

TEST_CASE("Orphans, duplicates, skew, cycles and links are noted on their lines", "[jaeger]") {
  auto linked = span("l", "r", "linked", 1, 2);
  linked.links.push_back({});
  // early starts 2µs before root (skew); dup-1 and linked 1µs before (within the tolerance);
  // dup-2 ends after root (asynchronous, not skew).
  const auto t = build_tree({span("r", "", "root", 2, 10), span("e", "r", "early", 0, 3),
                             span("d", "r", "dup-1", 1, 3), span("d", "r", "dup-2", 4, 12), linked,
                             span("o", "99", "lost", 2, 4), span("s", "s", "self", 5, 6)});
  CHECK(render_tree(t, {}) ==
        "trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.209712Z  12µs  7 spans, "
        "0 errors, 1 orphan, 1 duplicate id, 1 cycle broken, 1 skewed span\n"
        "root       svc  internal      +2µs     8µs  self    1µs ◆\n"
        "├─ early   svc  internal      +0µs     3µs  self    3µs ◆  clock skew\n"
        "├─ dup-1   svc  internal      +1µs     2µs  self    2µs    duplicate id 0000000000000064\n"
        "├─ linked  svc  internal      +1µs     1µs  self    1µs    1 link\n"
        "└─ dup-2   svc  internal      +4µs     8µs  self    8µs ◆  duplicate id 0000000000000064\n"
        "lost       svc  internal      +2µs     2µs  self    2µs    orphan (parent "
        "0000000000003939 missing)\n"
        "self       svc  internal      +5µs     1µs  self    1µs    cycle broken (parent "
        "0000000000000073)\n");
}

}  // namespace vmterm::jaeger
