#pragma once
/// A file of traces (or stdin) read in chunks, never more than a limit: a directory, a device
/// such as /dev/zero or a file that is not JSON is refused at its first bytes, and an endless
/// stream ends with an error naming the input and the limit instead of exhausting memory.
///
/// OTLP JSON lines (what the file exporters write) are handed out line by line, so only the
/// spans are kept; any other input (a pretty-printed OTLP document, Jaeger v1 JSON) is read
/// whole. One reader reads its input once; it owns its descriptor (close-on-exec) and is used
/// by one thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::jaeger {

/// The most input read by default: about the memory a trace file's spans take once decoded.
inline constexpr std::uint64_t default_max_input = std::uint64_t{1} << 30;

/// "1 GiB", "64 MiB", "512 KiB", "1000 bytes".
[[nodiscard]] std::string format_size(std::uint64_t bytes);

/// "512MiB", "2GiB", "64KiB", "1000" (bytes; also "1000B"): a size for a limit flag. Errors
/// (the caller names the input): "not a size; give bytes or a whole number with KiB, MiB or
/// GiB (e.g. 512MiB)".
[[nodiscard]] expected<std::uint64_t> parse_size(std::string_view text);

struct input_options {
  std::uint64_t max_bytes = default_max_input;
  /// How a user raises the limit, appended to the error ("raise it with --max-input").
  std::string raise_limit_hint{};
};

/// One line of JSON lines, without its '\n'; valid until the next call of next_line().
struct input_line {
  std::string_view text{};
  std::size_t number = 0;  ///< 1-based
  bool terminated = true;  ///< false for a last line the input ended in the middle of
};

class trace_input {
 public:
  /// Opens `path` ("-": stdin, named "-" in messages). Errors: "read '<path>': <reason>",
  /// "read '/etc': is a directory; give a file of traces (…)".
  [[nodiscard]] static expected<trace_input> open(const std::string& path, input_options options);

  trace_input(trace_input&& other) noexcept;
  trace_input& operator=(trace_input&&) = delete;
  trace_input(const trace_input&) = delete;
  ~trace_input();

  /// Reads the start of the input: refuses one that does not begin (after white space) with
  /// '{' or '[' ("read '/dev/zero': not JSON: it starts with byte 0x00; give …"), and says
  /// whether it is OTLP JSON lines (the first line an object naming "resourceSpans"). An empty
  /// input is not an error: it is JSON lines with no line.
  [[nodiscard]] expected<bool> start();

  /// JSON lines: the next line, nullopt at the end of the input.
  [[nodiscard]] expected<std::optional<input_line>> next_line();

  /// Anything else: the rest of the input (from its start when nothing was handed out).
  [[nodiscard]] expected<std::string> rest();

  [[nodiscard]] const std::string& name() const noexcept { return path_; }

 private:
  trace_input(std::string path, int fd, bool owned, input_options options);
  /// Appends up to one chunk to buf_; 0 at the end of the input.
  expected<std::size_t> fill();

  std::string path_;
  int fd_ = -1;
  bool owned_ = false;
  input_options options_;
  std::string buf_{};
  std::size_t pos_ = 0;  ///< buf_[0, pos_) is handed out
  std::uint64_t read_total_ = 0;
  std::size_t line_no_ = 0;
  bool eof_ = false;
};

}  // namespace vmterm::jaeger
