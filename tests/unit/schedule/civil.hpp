#pragma once
// Building instants for the schedule tests.
#include <chrono>

#include "schedule/entry.hpp"

namespace vmterm::schedule::test {

/// A UTC instant from its calendar fields.
inline std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0,
                                    int s = 0) {
  using namespace std::chrono;
  return sys_days(year(y) / month(mo) / day(d)) + hours(h) + minutes(mi) + seconds(s);
}

inline sys_ms ms(std::chrono::sys_seconds t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

inline entry cron_entry(const std::string& expr) {
  entry e;
  e.name = "t";
  e.task = "t";
  e.when = std::make_shared<const crontab>(*parse_crontab(expr));
  return e;
}

}  // namespace vmterm::schedule::test
