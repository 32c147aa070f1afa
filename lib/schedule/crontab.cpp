#include "schedule/crontab.hpp"

#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace vmterm::schedule {

namespace {

using namespace std::chrono;

struct field_spec {
  std::string_view name;
  int min, max;
};

constexpr std::array<field_spec, 5> fields{{
    {"minute", 0, 59},
    {"hour", 0, 23},
    {"day-of-month", 1, 31},
    {"month", 1, 12},
    {"day-of-week", 0, 6},
}};

constexpr std::array<std::string_view, 12> month_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> day_names{"sun", "mon", "tue", "wed",
                                                    "thu", "fri", "sat"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// One value of field `f`: a number, or a name in the month and day-of-week fields.
expected<int> value(std::string_view tok, std::size_t f) {
  const auto& spec = fields[f];
  if (tok.empty())
    return fail(std::errc::invalid_argument, std::string(spec.name) + " has an empty value");
  if (std::isdigit(static_cast<unsigned char>(tok.front()))) {
    int v = 0;
    for (char c : tok) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return fail(std::errc::invalid_argument,
                    std::string(spec.name) + " '" + std::string(tok) + "' is not a number");
      }
      v = v * 10 + (c - '0');
      if (v > 1000) break;
    }
    if (v < spec.min || v > spec.max) {
      std::string msg = std::string(spec.name) + " " + std::string(tok) + " is out of range " +
                        std::to_string(spec.min) + "-" + std::to_string(spec.max);
      if (f == 4 && v == 7) msg += "; use 0 for Sunday";
      return fail(std::errc::result_out_of_range, msg);
    }
    return v;
  }
  const auto l = lower(tok);
  const auto prefix = l.substr(0, 3);
  if (f == 3 && l.size() >= 3) {
    for (std::size_t i = 0; i < month_names.size(); ++i) {
      if (prefix == month_names[i]) return static_cast<int>(i) + 1;
    }
  }
  if (f == 4 && l.size() >= 3) {
    for (std::size_t i = 0; i < day_names.size(); ++i) {
      if (prefix == day_names[i]) return static_cast<int>(i);
    }
  }
  std::string msg = std::string(spec.name) + " '" + std::string(tok) + "' is not a number";
  if (f == 3) msg += " or a month name (jan-dec)";
  if (f == 4) msg += " or a day name (sun-sat)";
  return fail(std::errc::invalid_argument, msg);
}

/// One comma-separated part: `*`, `n`, `a-b`, each with an optional `/step`.
expected<std::vector<int>> part(std::string_view p, std::size_t f) {
  const auto& spec = fields[f];
  std::string_view range = p;
  int step = 1;
  if (const auto slash = p.find('/'); slash != std::string_view::npos) {
    range = p.substr(0, slash);
    const auto s = p.substr(slash + 1);
    bool digits = !s.empty() && s.size() <= 4;
    for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits || std::stoi(std::string(s)) == 0) {
      return fail(std::errc::invalid_argument, std::string(spec.name) + " step '" + std::string(s) +
                                                   "' is not a whole number above 0");
    }
    step = std::stoi(std::string(s));
  }
  std::vector<int> seq;
  if (range == "*") {
    for (int v = spec.min; v <= spec.max; ++v) seq.push_back(v);
  } else if (const auto dash = range.find('-', 1); dash != std::string_view::npos) {
    auto a = value(range.substr(0, dash), f);
    if (!a) return tl::unexpected(a.error());
    auto b = value(range.substr(dash + 1), f);
    if (!b) return tl::unexpected(b.error());
    if (*a <= *b) {
      for (int v = *a; v <= *b; ++v) seq.push_back(v);
    } else {  // wraps, as Celery's _expand_range: a..max, then min..b
      for (int v = *a; v <= spec.max; ++v) seq.push_back(v);
      for (int v = spec.min; v <= *b; ++v) seq.push_back(v);
    }
  } else {
    if (!range.empty() && range.front() == '-') {
      return fail(std::errc::invalid_argument, std::string(spec.name) + " '" + std::string(range) +
                                                   "': negative numbers are not allowed");
    }
    auto v = value(range, f);
    if (!v) return tl::unexpected(v.error());
    if (step != 1) {  // Celery refuses "5/15" too
      return fail(std::errc::invalid_argument,
                  std::string(spec.name) + " '" + std::string(p) +
                      "': a step needs a range or *; write " + std::string(range) + "-" +
                      std::to_string(spec.max) + "/" + std::to_string(step));
    }
    seq.push_back(*v);
  }
  std::vector<int> out;
  for (std::size_t i = 0; i < seq.size(); i += static_cast<std::size_t>(step))
    out.push_back(seq[i]);
  return out;
}

template <std::size_t N>
expected<void> field(std::string_view text, std::size_t f, std::bitset<N>& bits) {
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    const auto p = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (p.empty()) {
      return fail(std::errc::invalid_argument, std::string(fields[f].name) + " '" +
                                                   std::string(text) + "' has an empty list item");
    }
    auto values = part(p, f);
    if (!values) return tl::unexpected(values.error());
    for (int v : *values) bits.set(static_cast<std::size_t>(v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return {};
}

std::string_view shorthand(std::string_view s) {
  if (s == "@hourly") return "0 * * * *";
  if (s == "@daily" || s == "@midnight") return "0 0 * * *";
  if (s == "@weekly") return "0 0 * * 0";
  if (s == "@monthly") return "0 0 1 * *";
  if (s == "@yearly" || s == "@annually") return "0 0 1 1 *";
  return {};
}

constexpr std::array<int, 13> max_days{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

bool day_matches(const crontab& c, sys_days d) {
  const year_month_day ymd(d);
  return c.month[unsigned(ymd.month())] && c.day_of_month[unsigned(ymd.day())] &&
         c.day_of_week[weekday(d).c_encoding()];
}

}  // namespace

expected<crontab> parse_crontab(std::string_view text) {
  crontab c;
  c.text = std::string(text);
  std::string_view spec = text;
  if (!text.empty() && text.front() == '@') {
    spec = shorthand(text);
    if (spec.empty()) {
      return fail(std::errc::invalid_argument,
                  "unknown shorthand '" + std::string(text) +
                      "'; use @hourly, @daily, @weekly, @monthly or @yearly");
    }
  }
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < spec.size()) {
    while (i < spec.size() && (spec[i] == ' ' || spec[i] == '\t')) ++i;
    if (i >= spec.size()) break;
    const auto start = i;
    while (i < spec.size() && spec[i] != ' ' && spec[i] != '\t') ++i;
    parts.push_back(spec.substr(start, i - start));
  }
  if (parts.size() != 5) {
    return fail(std::errc::invalid_argument,
                "has " + std::to_string(parts.size()) +
                    " fields; write 5: minute hour day-of-month month day-of-week");
  }
  expected<void> ok;
  if (ok = field(parts[0], 0, c.minute); !ok) return tl::unexpected(ok.error());
  if (ok = field(parts[1], 1, c.hour); !ok) return tl::unexpected(ok.error());
  if (ok = field(parts[2], 2, c.day_of_month); !ok) return tl::unexpected(ok.error());
  if (ok = field(parts[3], 3, c.month); !ok) return tl::unexpected(ok.error());
  if (ok = field(parts[4], 4, c.day_of_week); !ok) return tl::unexpected(ok.error());
  // A day of month that no selected month has never comes (Celery loops until RuntimeError on
  // "31 4"): refuse it here. Every (month, day) pair meets every weekday within 28 years.
  bool possible = false;
  for (std::size_t m = 1; m <= 12 && !possible; ++m) {
    if (!c.month[m]) continue;
    for (int d = 1; d <= max_days[m]; ++d)
      possible = possible || c.day_of_month[static_cast<std::size_t>(d)];
  }
  if (!possible) {
    return fail(std::errc::invalid_argument,
                "day-of-month '" + std::string(parts[2]) +
                    "' never occurs in the selected months; it would never run");
  }
  return c;
}

local_seconds next_match(const crontab& c, local_seconds from) noexcept {
  auto t = ceil<minutes>(from);
  sys_days day = floor<days>(sys_seconds(t.time_since_epoch()));
  auto tod = duration_cast<minutes>(sys_seconds(t.time_since_epoch()) - day);
  const sys_days limit = day + days(366 * 28 + 7);
  for (; day <= limit; day += days(1), tod = minutes(0)) {
    if (!day_matches(c, day)) continue;
    for (auto h = duration_cast<hours>(tod).count(); h < 24; ++h) {
      if (!c.hour[static_cast<std::size_t>(h)]) continue;
      const auto m0 = (h == duration_cast<hours>(tod).count()) ? (tod.count() % 60) : 0;
      for (auto m = m0; m < 60; ++m) {
        if (c.minute[static_cast<std::size_t>(m)]) {
          return local_seconds((day + hours(h) + minutes(m)).time_since_epoch());
        }
      }
    }
  }
  return local_seconds::max();
}

sys_seconds next_after(const crontab& c, sys_seconds t, const time_zone& tz) noexcept {
  // Walk matching wall times from a little before t's wall time: near a fall-back, wall time
  // runs backwards, so the next instant may belong to an earlier wall time. Keep the earliest
  // instant after t; stop once wall times are far enough past it that none can come earlier.
  constexpr auto margin = hours(4);
  const auto wall = tz.to_local(t);
  auto cand = next_match(c, wall - margin);
  std::optional<sys_seconds> best;
  while (cand != local_seconds::max()) {
    if (best && cand > tz.to_local(*best) + margin) break;
    const auto at = tz.from_local(cand);
    const auto consider = [&](sys_seconds u) {
      if (u > t && (!best || u < *best)) best = u;
    };
    switch (at.what) {
      case local_lookup::kind::unique:
        consider(at.first);
        break;
      case local_lookup::kind::gap:
        if (!c.every_hour()) consider(at.first);
        break;
      case local_lookup::kind::repeated:
        consider(at.first);
        if (c.every_hour()) consider(at.second);
        break;
    }
    cand = next_match(c, cand + minutes(1));
  }
  return best.value_or(sys_seconds::max());
}

}  // namespace vmterm::schedule
