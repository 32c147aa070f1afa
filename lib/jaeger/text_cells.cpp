#include "jaeger/text_cells.hpp"

#include <array>
#include <cstdint>
#include <iterator>

#include "core/utf8.hpp"

namespace vmterm::jaeger {

namespace {

struct range {
  char32_t first;
  char32_t last;
};

// East Asian Wide (W) and Fullwidth (F) from Unicode's EastAsianWidth.txt, emoji presentation
// included, merged into fewer ranges where a gap holds unassigned code points only. Erring
// wide is safe (a name is cut one cell early); erring narrow would overflow the line.
constexpr range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DFF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x16FF0, 0x16FF1}, {0x17000, 0x18CFF}, {0x18D00, 0x18D08}, {0x1AFF0, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F265}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB},
    {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD}};

// Combining marks and zero-width characters every terminal draws in no cell of their own.
constexpr range zero[] = {{0x0300, 0x036F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0x1AB0, 0x1AFF},
                          {0x1DC0, 0x1DFF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF}};

bool in(const range* first, const range* last, char32_t cp) noexcept {
  for (auto* r = first; r != last; ++r) {
    if (cp < r->first) return false;
    if (cp <= r->last) return true;
  }
  return false;
}

bool unsafe(char32_t cp) noexcept {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

/// Decodes the code point at text[i] (advancing i); invalid UTF-8 gives U+FFFD for one byte.
char32_t next_code_point(std::string_view text, std::size_t& i) noexcept {
  const auto n = utf8::sequence_length(text, i);
  if (n == 0) {
    ++i;
    return 0xFFFD;
  }
  const auto b = [&](std::size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[i + k]));
  };
  char32_t cp = 0;
  switch (n) {
    case 1:
      cp = b(0);
      break;
    case 2:
      cp = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
      break;
    case 3:
      cp = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
      break;
    default:
      cp = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
  i += n;
  return cp;
}

}  // namespace

unsigned code_point_cells(char32_t cp) noexcept {
  if (cp < 0x300) return 1;  // ASCII, Latin-1 and controls (shown as U+FFFD)
  if (in(std::begin(zero), std::end(zero), cp)) return 0;
  if (in(std::begin(wide), std::end(wide), cp)) return 2;
  return 1;
}

std::size_t cell_width(std::string_view text) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {  // the common case
      ++n;
      ++i;
      continue;
    }
    n += code_point_cells(next_code_point(text, i));
  }
  return n;
}

std::string terminal_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto start = i;
    const auto cp = next_code_point(text, i);
    if (unsafe(cp) || (cp == 0xFFFD && i - start == 1)) {
      out += utf8::replacement;
    } else {
      out.append(text.substr(start, i - start));
    }
  }
  return out;
}

void append_padded(std::string& out, std::string_view text, std::size_t width) {
  out += text;
  const auto w = cell_width(text);
  if (w < width) out.append(width - w, ' ');
}

void append_right(std::string& out, std::string_view text, std::size_t width) {
  const auto w = cell_width(text);
  if (w < width) out.append(width - w, ' ');
  out += text;
}

std::string truncate_cells(std::string_view text, std::size_t width) {
  auto safe = terminal_text(text);
  if (cell_width(safe) <= width) return safe;
  if (width == 0) return {};
  std::string out;
  std::size_t cells = 0;
  for (std::size_t i = 0; i < safe.size();) {
    const auto start = i;
    const auto w = code_point_cells(next_code_point(safe, i));
    if (cells + w > width - 1) break;
    cells += w;
    out.append(safe, start, i - start);
  }
  return out + "…";
}

std::size_t shrink_widest(std::initializer_list<flex_column> cols, std::size_t excess) noexcept {
  while (excess > 0) {
    const flex_column* widest = nullptr;
    for (const auto& c : cols) {
      if (*c.width > c.min && (widest == nullptr || *c.width > *widest->width)) widest = &c;
    }
    if (widest == nullptr) break;
    --*widest->width;
    --excess;
  }
  return excess;
}

std::string_view service_colour(std::string_view service) noexcept {
  // Bright-ish foreground colours that read on dark and light backgrounds; no red (errors).
  static constexpr std::array<std::string_view, 8> palette = {"\x1b[36m", "\x1b[32m", "\x1b[35m",
                                                              "\x1b[34m", "\x1b[96m", "\x1b[92m",
                                                              "\x1b[95m", "\x1b[94m"};
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : service) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return palette[h % palette.size()];
}

void append_coloured(std::string& out, std::string_view text, std::string_view colour,
                     bool enabled) {
  if (!enabled || text.empty()) {
    out += text;
    return;
  }
  out += colour;
  out += text;
  out += ansi::reset;
}

}  // namespace vmterm::jaeger
