#include "term/replay_buffer.hpp"

#include <algorithm>
#include <stdexcept>

namespace vmterm::term {

replay_buffer::replay_buffer(std::size_t capacity) : cap_(capacity) {
  if (capacity == 0) throw std::invalid_argument("replay_buffer: capacity must be positive");
}

void replay_buffer::append(std::string_view bytes) {
  end_ += bytes.size();
  if (!wrapped_ && ring_.size() + bytes.size() <= cap_) {  // still growing: no ring yet
    ring_.insert(ring_.end(), bytes.begin(), bytes.end());
    head_ = ring_.size();
    size_ = ring_.size();
    return;
  }
  if (!wrapped_) {  // from now on a fixed ring of cap_ bytes
    ring_.resize(cap_);
    ring_.shrink_to_fit();
    head_ = size_ % cap_;
    wrapped_ = true;
  }
  if (bytes.size() >= cap_) {  // only the tail survives
    bytes.remove_prefix(bytes.size() - cap_);
    std::copy(bytes.begin(), bytes.end(), ring_.begin());
    head_ = 0;
    size_ = cap_;
    return;
  }
  const std::size_t first = std::min(bytes.size(), cap_ - head_);
  std::copy_n(bytes.begin(), first, ring_.begin() + static_cast<std::ptrdiff_t>(head_));
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(first), bytes.end(), ring_.begin());
  head_ = (head_ + bytes.size()) % cap_;
  size_ = std::min(cap_, size_ + bytes.size());
}

bool replay_buffer::copy(std::uint64_t offset, std::size_t max_bytes, std::string& out) const {
  out.clear();
  if (offset < begin_offset() || offset > end_) return false;
  const auto held = static_cast<std::size_t>(end_ - offset);  // bytes from offset to the end
  const std::size_t count = std::min(held, max_bytes);
  if (count == 0) return true;
  const std::size_t phys = ring_.size();  // cap_ once wrapped; the bytes held while linear
  const std::size_t start = (head_ + phys - held) % phys;
  const std::size_t first = std::min(count, phys - start);
  out.reserve(count);
  out.append(ring_.data() + start, first);
  out.append(ring_.data(), count - first);
  return true;
}

std::optional<std::string> replay_buffer::since(std::uint64_t offset) const {
  std::string out;
  if (!copy(offset, static_cast<std::size_t>(end_ - std::min(offset, end_)), out)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace vmterm::term
