#include "jaeger/trace_input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/parse.hpp"

namespace vmterm::jaeger {
namespace {

constexpr std::size_t chunk = std::size_t{1} << 16;
constexpr std::size_t detect_window = 4096;  // of the first line: enough to see the first key
constexpr std::string_view formats = "OTLP JSON, OTLP JSON lines or Jaeger v1 JSON";

bool json_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string describe_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  char hex[16];
  std::snprintf(hex, sizeof hex, "byte 0x%02x", u);
  return hex;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

std::string format_size(std::uint64_t bytes) {
  constexpr std::pair<std::uint64_t, const char*> units[] = {
      {std::uint64_t{1} << 30, " GiB"}, {std::uint64_t{1} << 20, " MiB"}, {1024, " KiB"}};
  for (const auto& [size, unit] : units) {
    if (bytes >= size && bytes % size == 0) return std::to_string(bytes / size) + unit;
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

expected<std::uint64_t> parse_size(std::string_view text) {
  // The one size rule (core/parse.hpp); the message leaves naming the input to the caller.
  auto n = parse::size(text);
  if (!n) {
    return fail(std::errc::invalid_argument,
                "not a size; give bytes or a whole number with KiB, MiB or GiB (e.g. 512MiB)");
  }
  return *n;
}

expected<trace_input> trace_input::open(const std::string& path, input_options options) {
  if (path == "-") return trace_input(path, STDIN_FILENO, false, std::move(options));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    return fail(std::errc::no_such_file_or_directory, "read '" + path + "': " + errno_text(err));
  }
  trace_input in(path, fd, true, std::move(options));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    return fail(std::errc::is_a_directory, "read '" + path +
                                               "': is a directory; give a file of traces (" +
                                               std::string(formats) + ")");
  }
  return in;
}

trace_input::trace_input(std::string path, int fd, bool owned, input_options options)
    : path_(std::move(path)), fd_(fd), owned_(owned), options_(std::move(options)) {}

trace_input::trace_input(trace_input&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      owned_(std::exchange(other.owned_, false)),
      options_(std::move(other.options_)),
      buf_(std::move(other.buf_)),
      pos_(other.pos_),
      read_total_(other.read_total_),
      line_no_(other.line_no_),
      eof_(other.eof_) {}

trace_input::~trace_input() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

expected<std::size_t> trace_input::fill() {
  if (eof_) return std::size_t{0};
  // One byte past the limit tells "exactly the limit" from "more than the limit".
  const auto room = options_.max_bytes - read_total_ + 1;
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, room));
  const auto old = buf_.size();
  buf_.resize(old + want);
  ssize_t n = 0;
  do {
    n = ::read(fd_, buf_.data() + old, want);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int err = errno;
    buf_.resize(old);
    return fail(std::errc::io_error, "read '" + path_ + "': " + errno_text(err));
  }
  buf_.resize(old + static_cast<std::size_t>(n));
  read_total_ += static_cast<std::uint64_t>(n);
  if (n == 0) eof_ = true;
  if (read_total_ > options_.max_bytes) {
    std::string message = "read '" + path_ + "': more than " + format_size(options_.max_bytes) +
                          " of input, the limit";
    if (!options_.raise_limit_hint.empty()) message += "; " + options_.raise_limit_hint;
    return fail(std::errc::file_too_large, message);
  }
  return static_cast<std::size_t>(n);
}

expected<bool> trace_input::start() {
  std::size_t first = 0;
  for (;;) {
    if (first == 0 && buf_.size() >= 3 && buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) first = 3;
    while (first < buf_.size() && json_space(buf_[first])) ++first;
    if (first < buf_.size()) break;
    auto n = fill();
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) return true;  // empty or only white space
  }
  const char c = buf_[first];
  if (c != '{' && c != '[') {
    return fail(std::errc::invalid_argument, "read '" + path_ + "': not JSON: it starts with " +
                                                 describe_byte(c) + "; give a file of traces (" +
                                                 std::string(formats) + ")");
  }
  // Enough of the first line to see its first key.
  while (buf_.find('\n', first) == std::string::npos && buf_.size() - first < detect_window &&
         !eof_) {
    auto n = fill();
    if (!n) return tl::unexpected(n.error());
  }
  const auto nl = buf_.find('\n', first);
  const auto line =
      std::string_view(buf_).substr(first, std::min(nl, first + detect_window) - first);
  return c == '{' && line.find("\"resourceSpans\"") != std::string_view::npos;
}

expected<std::optional<input_line>> trace_input::next_line() {
  std::size_t scanned = pos_;
  for (;;) {
    const auto nl = buf_.find('\n', scanned);
    if (nl != std::string::npos) {
      const input_line line{std::string_view(buf_).substr(pos_, nl - pos_), ++line_no_, true};
      pos_ = nl + 1;
      return line;
    }
    if (eof_) {
      if (pos_ >= buf_.size()) return std::optional<input_line>{};
      const input_line line{std::string_view(buf_).substr(pos_), ++line_no_, false};
      pos_ = buf_.size();
      return line;
    }
    // Keep only the unfinished line, then read more of it.
    buf_.erase(0, pos_);
    pos_ = 0;
    scanned = buf_.size();
    auto n = fill();
    if (!n) return tl::unexpected(n.error());
  }
}

expected<std::string> trace_input::rest() {
  for (;;) {
    auto n = fill();
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
  }
  buf_.erase(0, pos_);
  pos_ = 0;
  return std::move(buf_);
}

}  // namespace vmterm::jaeger
