// `vmterm-worker call` and `inspect`: send a task from the shell (optionally wait for its
// result), send many (--bulk), list workers and queue depths.
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "app.hpp"
#include "asio/spin.hpp"
#include "core/exit_code.hpp"
#include "queue/consumer.hpp"
#include "queue/producer.hpp"
#include "queue/result_backend.hpp"
#include "queue/task_call.hpp"
#include "redis/url.hpp"

namespace vmterm::worker {
namespace net = boost::asio;
using queue::json;

namespace {

constexpr std::size_t bulk_batch = 1000;

expected<json> parse_json_flag(std::string_view flag, const std::string& text, bool want_array) {
  auto v = json::parse(text, nullptr, false);
  const char* what = want_array ? "a JSON array, e.g. --args '[2, 3]'"
                                : "a JSON object, e.g. --kwargs '{\"z\": 4}'";
  if (v.is_discarded()) {
    return fail(std::errc::invalid_argument,
                std::string(flag) + " '" + text + "': not JSON; give " + what);
  }
  if (want_array ? !v.is_array() : !v.is_object()) {
    return fail(std::errc::invalid_argument, std::string(flag) + " '" + text + "': not " +
                                                 (want_array ? "an array" : "an object") +
                                                 "; give " + what);
  }
  return v;
}

expected<queue::send_options> build(const call_settings& s) {
  queue::send_options o;
  o.task = s.task;
  o.queue = s.queue;
  o.priority = s.priority;
  auto args = parse_json_flag("--args", s.args_json, true);
  if (!args) return tl::unexpected(args.error());
  o.args = std::move(*args);
  auto kwargs = parse_json_flag("--kwargs", s.kwargs_json, false);
  if (!kwargs) return tl::unexpected(kwargs.error());
  o.kwargs = std::move(*kwargs);
  o.countdown = s.countdown;
  o.ignore_result = s.ignore_result;
  if (s.eta) {
    auto t = queue::parse_iso8601(*s.eta);
    if (!t) return fail(std::errc::invalid_argument, "--eta: " + t.error().message);
    o.eta = *t;
  }
  if (s.expires) {
    if (auto d = parse_duration_flag("--expires", *s.expires)) {
      o.expires_in = std::chrono::duration_cast<std::chrono::microseconds>(*d);
    } else if (auto t = queue::parse_iso8601(*s.expires)) {
      o.expires = *t;
    } else {
      return fail(std::errc::invalid_argument,
                  "--expires '" + *s.expires +
                      "': neither a duration nor an ISO-8601 time; give e.g. 60s or "
                      "2026-11-21T09:34:23+00:00");
    }
  }
  return o;
}

expected<redis::connection_options> redis_options(const std::string& flag,
                                                  const std::string& text) {
  auto u = redis::parse_url(text);
  if (!u) return fail(std::errc::invalid_argument, flag + ": " + u.error().message);
  redis::connection_options o;
  o.url = *u;
  o.reconnect = false;
  o.client_name = "vmterm-worker-call";
  return o;
}

/// Reads --bulk lines: {"args": [...], "kwargs": {...}} or a bare args array.
expected<std::vector<queue::send_options>> read_bulk(const call_settings& s, std::istream& in,
                                                     const std::string& name) {
  std::vector<queue::send_options> out;
  auto base = build(s);
  if (!base) return tl::unexpected(base.error());
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto v = json::parse(line, nullptr, false);
    queue::send_options o = *base;
    if (!v.is_discarded() && v.is_array()) {
      o.args = std::move(v);
    } else if (!v.is_discarded() && v.is_object() &&
               (!v.contains("args") || v["args"].is_array()) &&
               (!v.contains("kwargs") || v["kwargs"].is_object())) {
      if (v.contains("args")) o.args = v["args"];
      if (v.contains("kwargs")) o.kwargs = v["kwargs"];
    } else {
      return fail(std::errc::invalid_argument,
                  "--bulk " + name + ":" + std::to_string(number) +
                      ": not a JSON args array or {\"args\": [...], \"kwargs\": {...}} object");
    }
    out.push_back(std::move(o));
  }
  return out;
}

int usage(std::ostream& err, const error& e) {
  err << "vmterm-worker: " << e.message << '\n';
  return to_int(exit_code::usage);
}

int send_bulk(const call_settings& s, std::ostream& out, std::ostream& err,
              redis::connection_options ro) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (*s.bulk != "-") {
    file.open(*s.bulk);
    if (!file) {
      err << "vmterm-worker: --bulk '" << *s.bulk
          << "': cannot read it; give a readable file or -\n";
      return to_int(exit_code::usage);
    }
    in = &file;
  }
  auto batch = read_bulk(s, *in, *s.bulk == "-" ? "stdin" : *s.bulk);
  if (!batch) return usage(err, batch.error());
  net::io_context ioc(1);
  auto conn = redis::connection::create(ioc.get_executor(), ro);
  queue::producer producer(conn);
  int code = 0;
  std::size_t next = 0;
  std::size_t in_flight = 0;
  bool failed = false;
  // Two batches in flight on the one connection: Redis works on one while the next is built
  // and written. Replies come in order, so the ids are printed in the file's order.
  std::function<void()> send_next = [&] {
    while (!failed && in_flight < 2 && next < batch->size()) {
      const std::size_t n = std::min(bulk_batch, batch->size() - next);
      std::vector<queue::send_options> chunk(  // moved out: each is sent once
          std::make_move_iterator(batch->begin() + static_cast<std::ptrdiff_t>(next)),
          std::make_move_iterator(batch->begin() + static_cast<std::ptrdiff_t>(next + n)));
      next += n;
      ++in_flight;
      producer.send_many(std::move(chunk), [&](expected<std::vector<queue::sent>> r) {
        --in_flight;
        if (failed) return;
        if (!r) {
          err << "vmterm-worker: " << r.error().message << '\n';
          code = to_int(exit_code::failure);
          failed = true;
          return conn->close();
        }
        for (const auto& sent : *r) out << sent.id << '\n';
        send_next();
      });
    }
    if (!failed && in_flight == 0 && next >= batch->size()) conn->close();
  };
  conn->async_connect([&](expected<void> r) {
    if (!r) {
      err << "vmterm-worker: " << r.error().message << '\n';
      code = to_int(exit_code::failure);
      return conn->close();
    }
    send_next();
  });
  ioc.run();
  return code;
}

void print_outcome(const queue::result_meta& m, std::ostream& out, std::ostream& err, int& code) {
  if (m.status == queue::task_state::success) {
    out << m.result.dump() << '\n';
    return;
  }
  code = to_int(exit_code::failure);
  std::string what = std::string(queue::to_string(m.status));
  if (m.exception) {
    what += ": " + m.exception->type;
    const auto& msg = m.exception->message;
    if (msg.is_array() && msg.size() == 1 && msg[0].is_string()) {
      what += ": " + msg[0].get<std::string>();
    } else if (!msg.empty()) {
      what += ": " + msg.dump();
    }
  }
  err << "vmterm-worker: task " << m.task_id << " " << what << '\n';
  if (m.traceback && !m.traceback->empty())
    err << *m.traceback << (m.traceback->ends_with('\n') ? "" : "\n");
}

}  // namespace

int run_call(const call_settings& s, std::ostream& out, std::ostream& err) {
  auto ro = redis_options("--broker", s.common.broker);
  if (!ro) return usage(err, ro.error());
  if (s.bulk) return send_bulk(s, out, err, *ro);
  auto opts = build(s);
  if (!opts) return usage(err, opts.error());
  auto bo = redis_options("--result-backend", s.common.result_backend);
  if (!bo) return usage(err, bo.error());
  net::io_context ioc(1);
  int code = 0;
  auto failed = [&](const error& e) {
    err << "vmterm-worker: " << e.message << '\n';
    code = to_int(exit_code::failure);
  };
  if (s.wait) {
    std::shared_ptr<queue::task_call> call;
    call = queue::task_call::start(ioc.get_executor(), {*ro, *bo, std::move(*opts), s.timeout},
                                   [&](expected<queue::result_meta> m) {
                                     if (!m) {
                                       failed(m.error());
                                     } else {
                                       print_outcome(*m, out, err, code);
                                     }
                                     call->close();
                                   });
    asio::run_spinning(ioc, s.busy_poll);
    return code;
  }
  auto conn = redis::connection::create(ioc.get_executor(), *ro);
  queue::producer producer(conn);
  conn->async_connect([&](expected<void> r) {
    if (!r) {
      failed(r.error());
      return conn->close();
    }
    producer.send(*opts, [&](expected<queue::sent> sent) {
      if (!sent) {
        failed(sent.error());
      } else {
        out << sent->id << '\n';
      }
      conn->close();
    });
  });
  ioc.run();
  return code;
}

int run_inspect(const inspect_settings& s, std::ostream& out, std::ostream& err) {
  auto ro = redis_options("--broker", s.common.broker);
  if (!ro) return usage(err, ro.error());
  net::io_context ioc(1);
  auto conn = redis::connection::create(ioc.get_executor(), *ro);
  queue::layout layout;
  int code = 0;
  std::vector<queue::worker_info> workers;
  auto failed = [&](const error& e) {
    err << "vmterm-worker: " << e.message << '\n';
    code = to_int(exit_code::failure);
    conn->close();
  };
  conn->async_connect([&](expected<void> r) {
    if (!r) return failed(r.error());
    queue::list_workers(*conn, layout, [&](expected<std::vector<queue::worker_info>> w) {
      if (!w) return failed(w.error());
      workers = std::move(*w);
      queue::queue_depths(
          *conn, layout, s.queues, [&](expected<std::vector<queue::queue_depth>> d) {
            if (!d) return failed(d.error());
            if (s.json) {
              json j = {{"workers", json::array()}, {"queues", json::array()}};
              for (const auto& wi : workers) {
                j["workers"].push_back(
                    {{"name", wi.name}, {"alive", wi.alive}, {"owned", wi.owned}});
              }
              for (const auto& q : *d) {
                j["queues"].push_back({{"queue", q.queue}, {"ready", q.ready}, {"dead", q.dead}});
              }
              out << j.dump() << '\n';
            } else {
              out << "WORKER                          ALIVE  OWNED\n";
              for (const auto& wi : workers) {
                std::string name = wi.name;
                if (name.size() < 31) name.resize(31, ' ');
                out << name << ' ' << (wi.alive ? "yes  " : "no   ") << "  " << wi.owned << '\n';
              }
              out << "\nQUEUE                           READY  DEAD\n";
              for (const auto& q : *d) {
                std::string name = q.queue;
                if (name.size() < 31) name.resize(31, ' ');
                out << name << ' ' << q.ready << "  " << q.dead << '\n';
              }
            }
            conn->close();
          });
    });
  });
  ioc.run();
  return code;
}

}  // namespace vmterm::worker
