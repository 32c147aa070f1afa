#include "term/replay_buffer.hpp"

#include <algorithm>
#include <stdexcept>

namespace vmterm::term {

replay_buffer::replay_buffer(std::size_t capacity) : ring_(capacity) {
  if (capacity == 0) throw std::invalid_argument("replay_buffer: capacity must be positive");
}

void replay_buffer::append(std::string_view bytes) {
  end_ += bytes.size();
  const std::size_t cap = ring_.size();
  if (bytes.size() >= cap) {  // only the tail survives
    bytes.remove_prefix(bytes.size() - cap);
    std::copy(bytes.begin(), bytes.end(), ring_.begin());
    head_ = 0;
    size_ = cap;
    return;
  }
  const std::size_t first = std::min(bytes.size(), cap - head_);
  std::copy_n(bytes.begin(), first, ring_.begin() + static_cast<std::ptrdiff_t>(head_));
  std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(first), bytes.end(), ring_.begin());
  head_ = (head_ + bytes.size()) % cap;
  size_ = std::min(cap, size_ + bytes.size());
}

std::optional<std::string> replay_buffer::since(std::uint64_t offset) const {
  if (offset < begin_offset() || offset > end_) return std::nullopt;
  const auto count = static_cast<std::size_t>(end_ - offset);
  const std::size_t cap = ring_.size();
  const std::size_t start = (head_ + cap - count) % cap;
  std::string out;
  out.reserve(count);
  const std::size_t first = std::min(count, cap - start);
  out.append(ring_.data() + start, first);
  out.append(ring_.data(), count - first);
  return out;
}

}  // namespace vmterm::term
