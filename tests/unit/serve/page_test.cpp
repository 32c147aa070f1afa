// The terminal page as compiled into vmterm-serve: complete, and fit for a strict CSP.
#include <catch2/catch.hpp>
#include <regex>
#include <span>

#include "core/embedded_file.hpp"

extern const vmterm::embedded_file vmterm_serve_page[];
extern const std::size_t vmterm_serve_page_count;

namespace {
std::span<const vmterm::embedded_file> page() {
  return {vmterm_serve_page, vmterm_serve_page_count};
}
}  // namespace

TEST_CASE("the page, its script, its style and xterm.js are compiled in", "[serve][page]") {
  for (const auto* path : {"index.html", "app.js", "style.css", "vendor/xterm.mjs",
                           "vendor/xterm.css", "vendor/addon-fit.mjs"}) {
    INFO(path);
    const auto* f = vmterm::find_embedded(page(), path);
    REQUIRE(f != nullptr);
    CHECK(f->content.size() > 100);
    CHECK(f->etag.size() == 18);  // a quoted 16-hex-digit strong validator
  }
  CHECK(vmterm::find_embedded(page(), "vendor/xterm.mjs")->content.find("class ") !=
        std::string_view::npos);
  CHECK(vmterm::find_embedded(page(), "missing.js") == nullptr);
}

TEST_CASE("embedded files carry their content types", "[serve][page]") {
  CHECK(vmterm::find_embedded(page(), "index.html")->content_type == "text/html; charset=utf-8");
  CHECK(vmterm::find_embedded(page(), "app.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(vmterm::find_embedded(page(), "vendor/xterm.css")->content_type ==
        "text/css; charset=utf-8");
}

TEST_CASE("the page has no inline script or style, so CSP can forbid them", "[serve][page]") {
  const std::string html(vmterm::find_embedded(page(), "index.html")->content);
  // Every <script> has a src and no body; no on*= handlers; no style attributes.
  CHECK_FALSE(std::regex_search(html, std::regex("<script(?![^>]*\\bsrc=)[^>]*>")));
  CHECK_FALSE(std::regex_search(html, std::regex("<script[^>]*>[^<]+</script>")));
  CHECK_FALSE(std::regex_search(html, std::regex("\\son[a-z]+\\s*=", std::regex::icase)));
  CHECK_FALSE(std::regex_search(html, std::regex("\\sstyle\\s*=", std::regex::icase)));
  CHECK(html.find("src=\"app.js\"") != std::string::npos);
}
