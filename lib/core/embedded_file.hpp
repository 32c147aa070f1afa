#pragma once
/// A file compiled into a program (the terminal page and its scripts), generated at build time
/// by cmake/embed_files.cmake; nothing generated is committed.

#include <cstddef>
#include <span>
#include <string_view>

namespace vmterm {

struct embedded_file {
  std::string_view path;          ///< URL path below the mount point, e.g. "vendor/xterm.mjs"
  std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
  std::string_view etag;          ///< quoted strong validator: "\"<16 hex of sha256>\""
  std::string_view content;
  /// The same content gzip-compressed (made at build time), for clients that accept it;
  /// empty when the file is small or not text.
  std::string_view gzip{};
};

/// Finds `path` in `files`; nullptr when absent.
[[nodiscard]] inline const embedded_file* find_embedded(std::span<const embedded_file> files,
                                                        std::string_view path) noexcept {
  for (const auto& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

}  // namespace vmterm
