#include "health/perfdata.hpp"

#include "health/range.hpp"

namespace vmterm::health {

std::string format(const perfdata& p) {
  std::string out = "'";
  for (char c : p.label) {
    if (c == '\'') {
      out += "''";
    } else {
      out += c == '=' ? '_' : c;
    }
  }
  out += "'=";
  if (!p.value) return out + "U";
  out += format_number(*p.value) + p.uom;
  std::string fields[4] = {p.warn, p.crit, p.min ? format_number(*p.min) : "",
                           p.max ? format_number(*p.max) : ""};
  std::size_t last = 4;
  while (last > 0 && fields[last - 1].empty()) --last;
  for (std::size_t i = 0; i < last; ++i) out += ";" + fields[i];
  return out;
}

std::string format(const std::vector<perfdata>& items) {
  std::string out;
  for (const auto& p : items) {
    if (!out.empty()) out += ' ';
    out += format(p);
  }
  return out;
}

}  // namespace vmterm::health
