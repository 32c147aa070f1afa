#include "jaeger/follow.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "jaeger/json_lines.hpp"

namespace vmterm::jaeger {
namespace {

using steady = std::chrono::steady_clock;

error with_suffix(error e, std::string_view suffix) {
  e.message += suffix;
  return e;
}

struct pending_trace {
  std::vector<trace::span_data> spans{};
  steady::time_point first{};
  steady::time_point last{};
  bool has_root = false;
};

/// The state of one follow() call: what has been read, what waits to complete.
class follower {
 public:
  follower(const follow_options& options, const trace_sink& sink)
      : options_(options), sink_(sink), wanted_(options.ids.begin(), options.ids.end()) {}

  /// Decodes the complete lines of `data` (keeping a partial last line for later).
  void feed(std::string_view data, bool existing) {
    partial_.append(data);
    std::size_t begin = 0;
    for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n', begin)) {
      line(std::string_view(partial_).substr(begin, nl - begin), existing);
      begin = nl + 1;
    }
    partial_.erase(0, begin);
  }

  /// Hands over every trace that is complete at `now` (every trace when `all`).
  void flush(steady::time_point now, bool all) {
    for (auto it = pending_.begin(); it != pending_.end();) {
      const auto& p = it->second;
      const bool done = all || (p.has_root && now - p.last >= options_.quiet) ||
                        now - p.last >= options_.quiet * 10;
      if (!done) {
        ++it;
        continue;
      }
      auto spans = std::move(it->second.spans);
      it = pending_.erase(it);
      sink_(std::move(spans));
    }
  }

  void restart() {
    partial_.clear();
    line_no_ = 0;
  }

 private:
  void line(std::string_view text, bool existing) {
    ++line_no_;
    std::vector<trace::span_data> spans;
    if (auto ok = decode_json_line(text, line_no_, options_.path, spans); !ok) {
      if (options_.warn) options_.warn(with_suffix(std::move(ok.error()), ", skipped"));
      return;
    }
    const auto now = steady::now();
    for (auto& s : spans) {
      if (!wanted_.empty() && !wanted_.contains(s.trace)) continue;
      if (skipped_.contains(s.trace)) continue;
      if (existing && !options_.include_existing && wanted_.empty()) {
        skipped_.insert(s.trace);
        continue;
      }
      auto& p = pending_[s.trace];
      if (p.spans.empty()) p.first = now;
      p.last = now;
      p.has_root = p.has_root || !s.parent.valid();
      p.spans.push_back(std::move(s));
    }
  }

  const follow_options& options_;
  const trace_sink& sink_;
  std::set<trace::trace_id> wanted_;
  std::set<trace::trace_id> skipped_{};
  std::map<trace::trace_id, pending_trace> pending_{};
  std::string partial_{};
  std::size_t line_no_ = 0;
};

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

}  // namespace

expected<void> follow(const follow_options& options, const trace_sink& on_trace) {
  const bool is_stdin = options.path == "-";
  const int fd = is_stdin ? 0 : ::open(options.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return fail(std::errc::no_such_file_or_directory,
                "read '" + options.path + "': " + std::string(std::strerror(err)));
  }
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  follower f(options, on_trace);
  std::string buffer(std::size_t{1} << 16, '\0');
  bool existing = regular;  // what a file holds before we start is "existing"
  off_t offset = 0;
  while (!(options.stop && options.stop())) {
    if (!regular && !wait_readable(fd, options.poll)) {
      f.flush(std::chrono::steady_clock::now(), false);
      continue;
    }
    const auto n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      offset += n;
      f.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), existing);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (!regular) break;  // stdin or a pipe closed
    existing = false;
    if (::fstat(fd, &st) == 0 && st.st_size < offset) {  // truncated or rotated: start over
      ::lseek(fd, 0, SEEK_SET);
      offset = 0;
      f.restart();
    }
    f.flush(std::chrono::steady_clock::now(), false);
    std::this_thread::sleep_for(options.poll);
  }
  f.flush(std::chrono::steady_clock::now(), true);
  if (!is_stdin) ::close(fd);
  return {};
}

}  // namespace vmterm::jaeger
