#include "term/output_coalescer.hpp"

#include <algorithm>

namespace vmterm::term {

output_coalescer::decision output_coalescer::decide(std::uint64_t pending,
                                                    clock::time_point now) const noexcept {
  if (pending == 0) return {};
  const auto frame = static_cast<std::size_t>(std::min<std::uint64_t>(pending, max_frame_));
  // A full frame never waits; nor does output after a quiet moment (a prompt), nor the first
  // frame after input (an echo, a redraw), however soon after the previous frame it comes.
  if (pending >= max_frame_ || answering_ || now - last_send_ >= delay_) {
    return {decision::kind::send, frame, {}};
  }
  return {decision::kind::wait, 0, last_send_ + delay_};
}

}  // namespace vmterm::term
