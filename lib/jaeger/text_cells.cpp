#include "jaeger/text_cells.hpp"

#include <array>
#include <cstdint>

namespace vmterm::jaeger {

std::size_t cell_width(std::string_view text) noexcept {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
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
  if (cell_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  std::size_t cells = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool starts_cell = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_cell && ++cells == width) break;
    out += text[i];
  }
  return out + "…";
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
