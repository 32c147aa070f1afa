#include "trace_otlp/file_exporter.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/log.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::trace_otlp {

file_exporter::file_exporter(std::filesystem::path path) : path_(std::move(path)) {}

file_exporter::~file_exporter() { shutdown(std::chrono::milliseconds(0)); }

bool file_exporter::open_locked() noexcept {
  if (file_ != nullptr) return true;
  try {
    std::error_code ec;
    if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) {
      report_locked("cannot create directory '" + path_.parent_path().string() +
                    "': " + ec.message());
      return false;
    }
    file_ = std::fopen(path_.c_str(), "abe");  // e: close-on-exec
    if (file_ == nullptr) {
      report_locked(std::strerror(errno));
      return false;
    }
    return true;
  } catch (...) {
    report_locked("out of memory");
    return false;
  }
}

void file_exporter::report_locked(const std::string& reason) noexcept {
  ++failures_;
  if (reported_) return;
  reported_ = true;
  try {
    log::error(
        "write traces to '" + path_.string() + "': " + reason + "; later failures are only counted",
        {{"exporter", "file"}});
  } catch (...) {  // std::bad_alloc: the count above is all we can keep
  }
}

trace::export_result file_exporter::export_spans(std::span<const trace::span_data> spans) noexcept {
  return write_line(spans);
}

std::optional<trace::export_result> file_exporter::export_records(
    std::span<const trace::span_data* const> spans) noexcept {
  return write_line(spans);
}

template <class Spans>
trace::export_result file_exporter::write_line(Spans spans) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_) return trace::export_result::failure;
  if (spans.empty()) return trace::export_result::success;
  if (!open_locked()) return trace::export_result::failure;
  try {
    line_.clear();
    encode_request(spans, line_);
    line_.push_back('\n');
  } catch (...) {
    report_locked("out of memory while encoding");
    return trace::export_result::failure;
  }
  // One fwrite of a whole line, then fflush, so a reader never sees half a request from us
  // (other writers appending to the same file write their own whole lines too).
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size() ||
      std::fflush(file_) != 0) {
    const int err = errno;
    report_locked(std::strerror(err));
    std::fclose(file_);
    file_ = nullptr;  // reopen on the next export
    return trace::export_result::failure;
  }
  if (line_.capacity() > (std::size_t{1} << 22)) std::string().swap(line_);
  return trace::export_result::success;
}

bool file_exporter::force_flush(std::chrono::milliseconds /*timeout*/) noexcept {
  std::lock_guard lock(mutex_);
  return file_ == nullptr || std::fflush(file_) == 0;
}

void file_exporter::shutdown(std::chrono::milliseconds /*timeout*/) noexcept {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

}  // namespace vmterm::trace_otlp
