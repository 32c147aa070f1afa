#pragma once
/// Performance data as the plugin guidelines define it:
/// `'label'=value[UOM];[warn];[crit];[min];[max]`, labels always quoted (as monitoring-plugins
/// 3.0 does), `''` for a quote inside a label, `U` for a value that could not be measured,
/// decimals without exponent, trailing empty fields dropped. Pure.

#include <optional>
#include <string>
#include <vector>

namespace vmterm::health {

struct perfdata {
  std::string label;            ///< "http_time"; '=' is replaced by '_'
  std::optional<double> value;  ///< nullopt: "U"
  std::string uom;              ///< "s", "B", "" ...
  std::string warn;             ///< a range in the guidelines' syntax, or ""
  std::string crit;
  std::optional<double> min;
  std::optional<double> max;
};

/// One item: `'http_time'=0.0021s;0.5;1;0;10`, or `'redis_time'=U`.
[[nodiscard]] std::string format(const perfdata& p);
/// Items joined by single spaces.
[[nodiscard]] std::string format(const std::vector<perfdata>& items);

}  // namespace vmterm::health
