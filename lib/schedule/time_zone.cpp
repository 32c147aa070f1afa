#include "schedule/time_zone.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

namespace vmterm::schedule {

namespace {

using namespace std::chrono;

constexpr int rule_last_year = 2200;  ///< the footer rule is expanded up to this year

/// A cursor over the TZif bytes; every read checks the bounds.
class reader {
 public:
  explicit reader(std::string_view bytes) : bytes_(bytes) {}
  bool has(std::size_t n) const { return bytes_.size() - pos_ >= n; }
  std::int64_t be(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += n;
    if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
  }
  unsigned char byte() { return static_cast<unsigned char>(bytes_[pos_++]); }
  void skip(std::size_t n) { pos_ += n; }
  std::string_view rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct header {
  char version = 0;
  std::int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

std::optional<header> read_header(reader& r) {
  if (!r.has(44)) return std::nullopt;
  const auto magic = r.rest().substr(0, 4);
  if (magic != "TZif") return std::nullopt;
  r.skip(4);
  header h;
  h.version = static_cast<char>(r.byte());
  r.skip(15);
  h.isutcnt = r.be(4);
  h.isstdcnt = r.be(4);
  h.leapcnt = r.be(4);
  h.timecnt = r.be(4);
  h.typecnt = r.be(4);
  h.charcnt = r.be(4);
  if (h.isutcnt < 0 || h.isstdcnt < 0 || h.leapcnt < 0 || h.timecnt < 0 || h.typecnt < 1 ||
      h.charcnt < 0 || h.timecnt > 100000 || h.typecnt > 256) {
    return std::nullopt;
  }
  return h;
}

std::size_t block_size(const header& h, std::size_t time_size) {
  return static_cast<std::size_t>(h.timecnt) * (time_size + 1) +
         static_cast<std::size_t>(h.typecnt) * 6 + static_cast<std::size_t>(h.charcnt) +
         static_cast<std::size_t>(h.leapcnt) * (time_size + 4) +
         static_cast<std::size_t>(h.isstdcnt + h.isutcnt);
}

// ---- POSIX TZ rules (the TZif footer) ----

struct rule_date {
  enum class kind { julian_no_leap, zero_based, month_week_day } what = kind::month_week_day;
  int n = 0, month = 0, week = 0, weekday = 0;
  std::int32_t time = 7200;  ///< seconds after local midnight, may be negative or > 24 h
};

struct posix_rule {
  std::int32_t std_offset = 0;  ///< local − UTC
  bool has_dst = false;
  std::int32_t dst_offset = 0;
  rule_date start, end;
};

class rule_parser {
 public:
  explicit rule_parser(std::string_view s) : s_(s) {}

  std::optional<posix_rule> parse() {
    posix_rule r;
    if (!name()) return std::nullopt;
    auto off = offset();
    if (!off) return std::nullopt;
    r.std_offset = -*off;
    if (done()) return r;
    if (!name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset = r.std_offset + 3600;
    if (!done() && peek() != ',') {
      auto d = offset();
      if (!d) return std::nullopt;
      r.dst_offset = -*d;
    }
    if (done()) {  // no rule: the US rules POSIX implies; TZif footers always carry one
      r.start = {rule_date::kind::month_week_day, 0, 3, 2, 0, 7200};
      r.end = {rule_date::kind::month_week_day, 0, 11, 1, 0, 7200};
      return r;
    }
    if (!eat(',')) return std::nullopt;
    auto a = date();
    if (!a || !eat(',')) return std::nullopt;
    auto b = date();
    if (!b || !done()) return std::nullopt;
    r.start = *a;
    r.end = *b;
    return r;
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool name() {
    if (eat('<')) {
      while (!done() && peek() != '>') ++i_;
      return eat('>');
    }
    std::size_t n = 0;
    while (!done() && ((peek() >= 'A' && peek() <= 'Z') || (peek() >= 'a' && peek() <= 'z'))) {
      ++i_;
      ++n;
    }
    return n >= 3;
  }
  std::optional<int> number(int max) {
    if (done() || peek() < '0' || peek() > '9') return std::nullopt;
    int v = 0;
    while (!done() && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > max) return std::nullopt;
      ++i_;
    }
    return v;
  }
  /// [+-]hh[:mm[:ss]] in seconds.
  std::optional<std::int32_t> offset() {
    int sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    auto h = number(167);
    if (!h) return std::nullopt;
    std::int32_t v = *h * 3600;
    if (eat(':')) {
      auto m = number(59);
      if (!m) return std::nullopt;
      v += *m * 60;
      if (eat(':')) {
        auto s = number(59);
        if (!s) return std::nullopt;
        v += *s;
      }
    }
    return sign * v;
  }
  std::optional<rule_date> date() {
    rule_date d;
    if (eat('M')) {
      auto m = number(12);
      if (!m || *m < 1 || !eat('.')) return std::nullopt;
      auto w = number(5);
      if (!w || *w < 1 || !eat('.')) return std::nullopt;
      auto wd = number(6);
      if (!wd) return std::nullopt;
      d.what = rule_date::kind::month_week_day;
      d.month = *m;
      d.week = *w;
      d.weekday = *wd;
    } else if (eat('J')) {
      auto n = number(365);
      if (!n || *n < 1) return std::nullopt;
      d.what = rule_date::kind::julian_no_leap;
      d.n = *n;
    } else {
      auto n = number(365);
      if (!n) return std::nullopt;
      d.what = rule_date::kind::zero_based;
      d.n = *n;
    }
    if (eat('/')) {
      auto t = offset();
      if (!t) return std::nullopt;
      d.time = *t;
    }
    return d;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

/// The local midnight (as days since the epoch) of a rule date in `y`.
sys_days rule_day(const rule_date& d, int y) {
  const year yy{y};
  switch (d.what) {
    case rule_date::kind::julian_no_leap: {
      // Jn: 1..365, February 29 never counted.
      int n = d.n;
      sys_days base = sys_days(yy / January / 1);
      if (yy.is_leap() && n >= 60) ++n;
      return base + days(n - 1);
    }
    case rule_date::kind::zero_based:
      return sys_days(yy / January / 1) + days(d.n);
    case rule_date::kind::month_week_day:
      break;
  }
  const month m{static_cast<unsigned>(d.month)};
  const sys_days first = sys_days(yy / m / 1);
  const int first_wd = static_cast<int>(weekday(first).c_encoding());
  int dom = 1 + (d.weekday - first_wd + 7) % 7 + (d.week - 1) * 7;
  const int month_days = static_cast<int>(unsigned((yy / m / std::chrono::last).day()));
  while (dom > month_days) dom -= 7;
  return first + days(dom - 1);
}

}  // namespace

time_zone time_zone::utc() {
  time_zone z;
  z.name_ = "UTC";
  return z;
}

expected<void> extend_with_rule(time_zone& z, std::string_view text) {
  auto rule = rule_parser(text).parse();
  if (!rule) {
    return fail(std::errc::invalid_argument,
                "unsupported POSIX TZ rule '" + std::string(text) + "'");
  }
  const std::int64_t last_at =
      z.transitions_.empty() ? std::numeric_limits<std::int64_t>::min() : z.transitions_.back().at;
  if (!rule->has_dst) {
    const auto current = z.transitions_.empty() ? z.initial_offset_ : z.transitions_.back().offset;
    if (z.transitions_.empty()) {
      z.initial_offset_ = rule->std_offset;
    } else if (current != rule->std_offset) {
      z.transitions_.push_back({last_at + 1, rule->std_offset});
    }
    return {};
  }
  int first_year = 1970;
  if (!z.transitions_.empty()) {
    first_year =
        static_cast<int>(year_month_day(floor<days>(sys_seconds(seconds(last_at)))).year());
  }
  std::vector<time_zone::transition> extra;
  for (int y = first_year; y <= rule_last_year; ++y) {
    // Start is given in standard local time, end in daylight local time.
    const auto start = duration_cast<seconds>(rule_day(rule->start, y).time_since_epoch()).count() +
                       rule->start.time - rule->std_offset;
    const auto end = duration_cast<seconds>(rule_day(rule->end, y).time_since_epoch()).count() +
                     rule->end.time - rule->dst_offset;
    if (start > last_at) extra.push_back({start, rule->dst_offset});
    if (end > last_at) extra.push_back({end, rule->std_offset});
  }
  std::sort(extra.begin(), extra.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  if (z.transitions_.empty() && !extra.empty()) {
    // Before the first generated change the other offset was in force.
    z.initial_offset_ =
        extra.front().offset == rule->dst_offset ? rule->std_offset : rule->dst_offset;
  }
  for (const auto& t : extra) {
    const auto prev = z.transitions_.empty() ? z.initial_offset_ : z.transitions_.back().offset;
    if (t.offset != prev) z.transitions_.push_back(t);
  }
  return {};
}

expected<time_zone> time_zone::from_posix(std::string name, std::string_view rule) {
  time_zone z;
  z.name_ = std::move(name);
  if (auto ok = extend_with_rule(z, rule); !ok) return tl::unexpected(ok.error());
  return z;
}

expected<time_zone> time_zone::from_tzif(std::string name, std::string_view bytes) {
  const auto bad = [&](std::string_view why) {
    return fail(std::errc::invalid_argument,
                "time zone '" + name + "': " + std::string(why) + "; reinstall the tzdata package");
  };
  reader r(bytes);
  auto h1 = read_header(r);
  if (!h1) return bad("not a TZif file");
  header h = *h1;
  std::size_t time_size = 4;
  if (h.version >= '2') {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    if (!r.has(block_size(h, 4))) return bad("truncated TZif file");
    r.skip(block_size(h, 4));
    auto h2 = read_header(r);
    if (!h2) return bad("truncated TZif file");
    h = *h2;
    time_size = 8;
  }
  if (!r.has(block_size(h, time_size))) return bad("truncated TZif file");
  std::vector<std::int64_t> times(static_cast<std::size_t>(h.timecnt));
  for (auto& t : times) t = r.be(time_size);
  std::vector<unsigned char> idx(static_cast<std::size_t>(h.timecnt));
  for (auto& i : idx) i = r.byte();
  std::vector<std::int32_t> offsets(static_cast<std::size_t>(h.typecnt));
  for (auto& o : offsets) {
    o = static_cast<std::int32_t>(r.be(4));
    r.skip(2);  // isdst, abbreviation index
  }
  r.skip(static_cast<std::size_t>(h.charcnt) +
         static_cast<std::size_t>(h.leapcnt) * (time_size + 4) +
         static_cast<std::size_t>(h.isstdcnt + h.isutcnt));

  time_zone z;
  z.name_ = std::move(name);
  z.initial_offset_ = offsets.front();
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (idx[i] >= offsets.size()) return bad("transition type out of range");
    if (i > 0 && times[i] <= times[i - 1]) return bad("transitions out of order");
    z.transitions_.push_back({times[i], offsets[idx[i]]});
  }
  if (time_size == 8) {
    auto footer = r.rest();
    if (footer.size() >= 2 && footer.front() == '\n') {
      footer.remove_prefix(1);
      const auto nl = footer.find('\n');
      if (nl == std::string_view::npos) return bad("unterminated footer");
      const auto rule = footer.substr(0, nl);
      if (!rule.empty()) {
        if (auto ok = extend_with_rule(z, rule); !ok) return bad(ok.error().message);
      }
    }
  }
  return z;
}

expected<time_zone> time_zone::load(std::string_view name, const std::filesystem::path& dir) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z") {
    auto z = utc();
    z.name_ = std::string(name);
    return z;
  }
  const auto hint = "; use an IANA name such as Europe/Berlin or UTC (install the tzdata package)";
  const bool safe = !name.empty() && name.front() != '/' &&
                    name.find("..") == std::string_view::npos &&
                    name.find_first_of(" \t\n\\") == std::string_view::npos;
  if (!safe) {
    return fail(std::errc::invalid_argument,
                "time zone '" + std::string(name) + "': not an IANA zone name" + hint);
  }
  const auto path = dir / std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    return fail(std::errc::no_such_file_or_directory,
                "time zone '" + std::string(name) + "': no such zone in " + dir.string() + hint);
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return from_tzif(std::string(name), bytes);
}

std::chrono::seconds time_zone::offset_at(sys_seconds t) const noexcept {
  const auto at = t.time_since_epoch().count();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), at,
                             [](std::int64_t v, const transition& tr) { return v < tr.at; });
  if (it == transitions_.begin()) return seconds(initial_offset_);
  return seconds(std::prev(it)->offset);
}

local_seconds time_zone::to_local(sys_seconds t) const noexcept {
  return local_seconds((t + offset_at(t)).time_since_epoch());
}

sys_seconds time_zone::next_transition(sys_seconds t) const noexcept {
  const auto at = t.time_since_epoch().count();
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), at,
                             [](std::int64_t v, const transition& tr) { return v < tr.at; });
  if (it == transitions_.end()) return sys_seconds::max();
  return sys_seconds(seconds(it->at));
}

local_lookup time_zone::from_local(local_seconds t) const noexcept {
  const sys_seconds as_utc(t.time_since_epoch());
  // The offsets in force a day either side cover every wall time near a change.
  const auto before = offset_at(as_utc - days(1));
  const auto after = offset_at(as_utc + days(1));
  std::vector<sys_seconds> valid;
  for (const auto off : {before, after}) {
    const auto u = as_utc - off;
    if (offset_at(u) == off && std::find(valid.begin(), valid.end(), u) == valid.end()) {
      valid.push_back(u);
    }
  }
  std::sort(valid.begin(), valid.end());
  local_lookup r;
  if (valid.empty()) {
    r.what = local_lookup::kind::gap;
    r.first = next_transition(std::min(as_utc - before, as_utc - after));
  } else if (valid.size() == 1) {
    r.first = valid.front();
  } else {
    r.what = local_lookup::kind::repeated;
    r.first = valid[0];
    r.second = valid[1];
  }
  return r;
}

}  // namespace vmterm::schedule
