#include "metrics/gauge.hpp"

#include <chrono>

namespace vmterm::metrics {

void gauge::set_to_current_time() noexcept {
  using namespace std::chrono;
  set(duration<double>(system_clock::now().time_since_epoch()).count());
}

void gauge::collect(const std::string& name, std::vector<label_pair> labels,
                    std::vector<sample>& out) const {
  out.push_back(sample{name, std::move(labels), value()});
}

}  // namespace vmterm::metrics
