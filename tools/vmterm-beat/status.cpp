#include "status.hpp"

#include <boost/asio/io_context.hpp>
#include <map>
#include <ostream>

#include "core/exit_code.hpp"
#include "redis/connection.hpp"
#include "schedule/beat_redis.hpp"
#include "schedule/instant_text.hpp"
#include "schedule/schedule_file.hpp"

namespace vmterm::beat {

namespace {
using namespace std::chrono;
using schedule::json;
using schedule::sys_ms;
}  // namespace

int run_status(const run_options& run, const status_options& opt, std::ostream& out,
               std::ostream& err) {
  const auto usage = to_int(exit_code::usage);
  auto tz = schedule::time_zone::load(run.timezone);
  if (!tz) {
    err << "vmterm-beat: " << tz.error().message << '\n';
    return usage;
  }
  auto entries = schedule::read_schedule(run.schedule_file);
  if (!entries) {
    err << "vmterm-beat: " << entries.error().message << '\n';
    return usage;
  }
  auto url = redis::parse_url(run.broker);
  if (!url) {
    err << "vmterm-beat: " << url.error().message << '\n';
    return usage;
  }
  boost::asio::io_context ioc;
  redis::connection_options co;
  co.url = *url;
  co.reconnect = false;
  co.connect_timeout = 3s;
  co.command_timeout = 3s;
  co.trace_commands = false;
  auto conn = redis::connection::create(ioc.get_executor(), co);
  schedule::beat_keys keys;
  keys.prefix = run.prefix;
  std::optional<error> failure;
  std::vector<redis::reply> replies;
  conn->async_connect([&](expected<void> r) {
    if (!r) {
      failure = r.error();
      conn->close();
      return;
    }
    conn->pipeline({redis::command{"GET", keys.leader()}, redis::command{"PTTL", keys.leader()},
                    redis::command{"HGETALL", keys.last_run_at()}},
                   [&](expected<std::vector<redis::reply>> rs) {
                     if (!rs) {
                       failure = rs.error();
                     } else {
                       replies = std::move(*rs);
                     }
                     conn->close();
                   });
  });
  ioc.run();
  if (failure || replies.size() != 3) {
    err << "vmterm-beat: " << (failure ? failure->message : "no answer from redis")
        << "; start redis-server or fix --broker\n";
    return to_int(exit_code::failure);
  }
  std::map<std::string, sys_ms> last;
  const auto& el = replies[2].elements();
  for (std::size_t i = 0; i + 1 < el.size(); i += 2) {
    try {
      last[el[i].text()] = sys_ms(milliseconds(std::stoll(el[i + 1].text())));
    } catch (const std::exception&) {
    }
  }
  const auto now = time_point_cast<milliseconds>(system_clock::now());
  json doc = json::object();
  doc["leader"] = replies[0].is_nil() ? json(nullptr) : json(replies[0].text());
  doc["lease_ms_left"] = replies[0].is_nil() ? json(nullptr) : json(replies[1].integer());
  doc["entries"] = json::array();
  if (!opt.json) {
    if (replies[0].is_nil()) {
      out << "leader: none\n";
    } else {
      out << "leader: " << replies[0].text() << " (lease " << replies[1].integer() << " ms left)\n";
    }
  }
  for (const auto& e : *entries) {
    const auto it = last.find(e.name);
    const auto next =
        schedule::next_due(e, it == last.end() ? now : std::max(it->second, now), *tz);
    const auto last_text =
        it == last.end() ? std::string() : schedule::format_instant(it->second, *tz);
    const auto next_text = schedule::format_instant(next, *tz);
    if (opt.json) {
      json j = json::object();
      j["name"] = e.name;
      j["last_run_at"] = last_text.empty() ? json(nullptr) : json(last_text);
      j["next"] = next_text;
      doc["entries"].push_back(std::move(j));
    } else {
      out << '[' << e.name << "] last " << (last_text.empty() ? "never" : last_text) << ", next "
          << next_text << '\n';
    }
  }
  if (opt.json) out << doc.dump(2) << '\n';
  return to_int(exit_code::ok);
}

}  // namespace vmterm::beat
