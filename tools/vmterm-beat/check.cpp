#include "check.hpp"

#include <chrono>
#include <ostream>

#include "core/exit_code.hpp"
#include "schedule/instant_text.hpp"
#include "schedule/schedule_file.hpp"

namespace vmterm::beat {

namespace {

using namespace std::chrono;
using schedule::json;

json entry_json(const schedule::entry& e, const std::vector<schedule::sys_ms>& next,
                const schedule::time_zone& tz) {
  json j = json::object();
  j["name"] = e.name;
  j["task"] = e.task;
  if (const auto* i = std::get_if<schedule::interval>(&e.when)) {
    j["every_ms"] = i->every.count();
  } else {
    j["crontab"] = e.cron()->text;
  }
  j["args"] = e.args_json();
  j["kwargs"] = e.kwargs_json();
  j["queue"] = e.queue;
  j["priority"] = e.priority ? json(*e.priority) : json(nullptr);
  j["expires_ms"] = e.expires ? json(e.expires->count()) : json(nullptr);
  j["line"] = e.line;
  json times = json::array();
  for (const auto t : next) times.push_back(schedule::format_instant(t, tz));
  j["next"] = std::move(times);
  return j;
}

}  // namespace

int run_check(const check_options& opt, std::ostream& out, std::ostream& err) {
  const auto usage = to_int(exit_code::usage);
  auto tz = schedule::time_zone::load(opt.timezone);
  if (!tz) {
    err << "vmterm-beat: " << tz.error().message << '\n';
    return usage;
  }
  auto now = time_point_cast<milliseconds>(system_clock::now());
  if (opt.now) {
    auto t = schedule::parse_instant(*opt.now);
    if (!t) {
      err << "vmterm-beat: --now " << t.error().message << '\n';
      return usage;
    }
    now = *t;
  }
  auto entries = schedule::read_schedule(opt.file);
  if (!entries) {
    err << "vmterm-beat: " << entries.error().message << '\n';
    return usage;
  }
  json doc = json::object();
  doc["schedule"] = opt.file;
  doc["timezone"] = tz->name();
  doc["now"] = schedule::format_instant(now, *tz);
  doc["entries"] = json::array();
  if (!opt.json) {
    out << opt.file << ": " << entries->size() << (entries->size() == 1 ? " entry" : " entries")
        << ", time zone " << tz->name() << ", from " << schedule::format_instant(now, *tz) << '\n';
  }
  for (const auto& e : *entries) {
    std::vector<schedule::sys_ms> next;
    auto t = now;
    for (int i = 0; i < opt.count; ++i) {
      t = schedule::next_due(e, t, *tz);
      if (t == schedule::sys_ms::max()) break;
      next.push_back(t);
    }
    if (opt.json) {
      doc["entries"].push_back(entry_json(e, next, *tz));
      continue;
    }
    out << '[' << e.name << "] task " << e.task << ", " << e.when_text() << ", queue " << e.queue;
    if (e.priority) out << ", priority " << *e.priority;
    if (e.expires) out << ", expires " << schedule::duration_text(*e.expires);
    out << '\n';
    for (const auto n : next) out << "  " << schedule::format_instant(n, *tz) << '\n';
  }
  if (opt.json) out << doc.dump(2) << '\n';
  return to_int(exit_code::ok);
}

}  // namespace vmterm::beat
