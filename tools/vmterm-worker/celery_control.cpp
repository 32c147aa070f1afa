#include "celery_control.hpp"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>

#include "core/log.hpp"
#include "queue/message.hpp"

namespace vmterm::worker {
namespace net = boost::asio;
using queue::json;

namespace {

constexpr auto heartbeat_every = std::chrono::seconds(2);

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// kombu's Redis envelope around a JSON body (events and control replies: delivery_mode 1).
std::string envelope(const json& body, json headers, const std::string& exchange,
                     const std::string& routing_key) {
  json e = json::object();
  e["body"] = queue::base64_encode(queue::python_json(body));
  e["content-encoding"] = "utf-8";
  e["content-type"] = "application/json";
  e["headers"] = std::move(headers);
  json props = json::object();
  props["delivery_mode"] = 1;
  props["delivery_info"] = {{"exchange", exchange}, {"routing_key", routing_key}};
  props["priority"] = 0;
  props["body_encoding"] = "base64";
  props["delivery_tag"] = queue::uuid4();
  e["properties"] = std::move(props);
  return queue::python_json(e);
}

int signal_number(const json& v) {
  if (v.is_number_integer()) return v.get<int>();
  if (!v.is_string()) return SIGTERM;
  std::string s = v.get<std::string>();
  if (s.starts_with("SIG")) s = s.substr(3);
  for (auto [name, sig] : {std::pair{"TERM", SIGTERM},
                           {"KILL", SIGKILL},
                           {"INT", SIGINT},
                           {"HUP", SIGHUP},
                           {"QUIT", SIGQUIT},
                           {"USR1", SIGUSR1}}) {
    if (s == name) return sig;
  }
  return SIGTERM;
}

json loadavg() {
  double l[3] = {0, 0, 0};
  if (::getloadavg(l, 3) != 3) return json::array({0.0, 0.0, 0.0});
  return json::array(
      {std::round(l[0] * 100) / 100, std::round(l[1] * 100) / 100, std::round(l[2] * 100) / 100});
}

}  // namespace

celery_control::celery_control(net::any_io_executor ex, redis::url broker, const run_settings& s,
                               worker& w, const task_registry& tasks)
    : ex_(ex),
      broker_(std::move(broker)),
      settings_(s),
      worker_(w),
      tasks_(tasks),
      heartbeat_(ex) {}

void celery_control::start(std::function<void(expected<void>)> done) {
  redis::connection_options o;
  o.url = broker_;
  o.client_name = "vmterm-worker-control";
  o.trace_commands = false;  // heartbeats and events every 2 s would flood traces
  conn_ = redis::connection::create(ex_, o);
  std::weak_ptr<celery_control> weak = weak_from_this();
  sub_ = redis::subscriber::create(ex_, o, [weak](const redis::pubsub_message& m) {
    if (auto self = weak.lock()) self->on_message(m);
  });
  auto self = shared_from_this();
  conn_->async_connect([self, done](expected<void> r) {
    if (!r) return done(r);
    self->sub_->async_connect([self, done](expected<void> s) {
      if (!s) return done(s);
      self->sub_->psubscribe({"/" + std::to_string(self->broker_.db) + ".celery.pidbox"},
                             [self, done](expected<void> p) {
                               if (!p) return done(p);
                               self->publish_event("worker.online",
                                                   self->worker_event("worker-online"));
                               self->heartbeat();
                               done({});
                             });
    });
  });
}

void celery_control::stop(std::function<void()> done) {
  stopped_ = true;
  heartbeat_.cancel();
  if (!conn_) return done();
  sub_->close();
  conn_->exec({"PUBLISH", "/" + std::to_string(broker_.db) + ".celeryev/worker.offline",
               envelope(json::parse(worker_event("worker-offline")),
                        json{{"hostname", settings_.hostname}}, "celeryev", "worker.offline")},
              [self = shared_from_this(), done](expected<redis::reply>) {
                self->conn_->close();
                done();
              });
}

std::string celery_control::worker_event(const std::string& type) {
  json e = json::object();
  e["hostname"] = settings_.hostname;
  e["utcoffset"] = 0;
  e["pid"] = ::getpid();
  e["clock"] = ++clock_;
  e["freq"] = 2.0;
  e["active"] = worker_.active_count();
  e["processed"] = worker_.processed();
  e["loadavg"] = loadavg();
  e["sw_ident"] = "vmterm-worker";
  e["sw_ver"] = "0.1";
  e["sw_sys"] = "Linux";
  e["timestamp"] = unix_now();
  e["type"] = type;
  return e.dump();
}

void celery_control::publish_event(const std::string& routing_key, const std::string& body) {
  if (!conn_) return;
  conn_->exec({"PUBLISH", "/" + std::to_string(broker_.db) + ".celeryev/" + routing_key,
               envelope(json::parse(body), json{{"hostname", settings_.hostname}}, "celeryev",
                        routing_key)},
              [](expected<redis::reply>) {});
}

void celery_control::heartbeat() {
  heartbeat_.expires_after(heartbeat_every);
  heartbeat_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    self->publish_event("worker.heartbeat", self->worker_event("worker-heartbeat"));
    self->heartbeat();
  });
}

task_observer celery_control::observer() {
  if (!settings_.task_events) return {};
  std::weak_ptr<celery_control> weak = weak_from_this();
  auto base = [weak](const std::string& type, const std::string& id) {
    json e = json::object();
    auto self = weak.lock();
    e["hostname"] = self ? self->settings_.hostname : "";
    e["utcoffset"] = 0;
    e["pid"] = ::getpid();
    e["clock"] = self ? ++self->clock_ : 0;
    e["uuid"] = id;
    e["timestamp"] = unix_now();
    e["type"] = type;
    return e;
  };
  auto send = [weak](const std::string& rk, const json& e) {
    if (auto self = weak.lock()) self->publish_event(rk, e.dump());
  };
  task_observer o;
  o.received = [base, send](const queue::task_message& m) {
    auto e = base("task-received", m.id);
    e["name"] = m.task;
    e["args"] = m.argsrepr;
    e["kwargs"] = m.kwargsrepr;
    e["root_id"] = m.root_id.empty() ? m.id : m.root_id;
    e["parent_id"] = m.parent_id ? json(*m.parent_id) : json(nullptr);
    e["retries"] = m.retries;
    e["eta"] = m.eta ? json(queue::format_iso8601(*m.eta)) : json(nullptr);
    e["expires"] = m.expires ? json(queue::format_iso8601(*m.expires)) : json(nullptr);
    send("task.received", e);
  };
  o.started = [base, send](const queue::task_message& m) {
    send("task.started", base("task-started", m.id));
  };
  o.finished = [base, send](const queue::task_message& m, const task_outcome& out, double runtime) {
    if (out.ok) {
      auto e = base("task-succeeded", m.id);
      e["result"] = queue::python_repr(out.result);
      e["runtime"] = runtime;
      send("task.succeeded", e);
    } else if (out.retry) {
      auto e = base("task-retried", m.id);
      e["exception"] = out.exc_type + "('" + out.exc_message + "')";
      e["traceback"] = out.traceback;
      send("task.retried", e);
    } else {
      auto e = base("task-failed", m.id);
      e["exception"] = out.exc_type + "('" + out.exc_message + "')";
      e["traceback"] = out.traceback;
      send("task.failed", e);
    }
  };
  o.revoked = [base, send](const queue::task_message& m, const std::string& reason) {
    auto e = base("task-revoked", m.id);
    e["terminated"] = false;
    e["signum"] = nullptr;
    e["expired"] = reason.find("expired") != std::string::npos;
    send("task.revoked", e);
  };
  return o;
}

void celery_control::on_message(const redis::pubsub_message& msg) {
  auto env = json::parse(msg.payload, nullptr, false);
  if (env.is_discarded() || !env.is_object() || !env.contains("body") || !env["body"].is_string())
    return;
  auto text = queue::base64_decode(env["body"].get<std::string>());
  if (!text) return;
  auto body = json::parse(*text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return;
  const auto& dest = body.value("destination", json());
  if (dest.is_array()) {
    bool mine = false;
    for (const auto& d : dest)
      mine = mine || (d.is_string() && d.get<std::string>() == settings_.hostname);
    if (!mine) return;
  }
  const std::string method = body.value("method", "");
  const json args = body.value("arguments", json::object());
  json answer;
  if (method == "ping") {
    answer = {{"ok", "pong"}};
  } else if (method == "stats") {
    json total = json::object();
    for (const auto& [name, n] : worker_.processed_by_task()) total[name] = n;
    answer = {{"total", total},
              {"pid", ::getpid()},
              {"clock", std::to_string(clock_)},
              {"uptime", 0},
              {"pool",
               {{"implementation", "vmterm-worker"},
                {"max-concurrency", settings_.concurrency},
                {"processes", json::array({::getpid()})}}},
              {"prefetch_count", settings_.concurrency + settings_.prefetch},
              {"broker",
               {{"hostname", broker_.host},
                {"port", broker_.port},
                {"transport", "redis"},
                {"virtual_host", std::to_string(broker_.db)}}}};
  } else if (method == "active") {
    json list = json::array();
    for (const auto& a : worker_.active()) {
      list.push_back({{"id", a.id},
                      {"name", a.name},
                      {"args", a.argsrepr},
                      {"kwargs", a.kwargsrepr},
                      {"type", a.name},
                      {"hostname", settings_.hostname},
                      {"time_start", a.started},
                      {"acknowledged", settings_.early_ack},
                      {"delivery_info",
                       {{"exchange", ""},
                        {"routing_key", a.queue},
                        {"priority", 0},
                        {"redelivered", a.redelivered}}},
                      {"worker_pid", ::getpid()}});
    }
    answer = list;
  } else if (method == "registered") {
    answer = tasks_.names();
  } else if (method == "active_queues") {
    json list = json::array();
    for (const auto& q : settings_.queues) {
      list.push_back({{"name", q},
                      {"exchange", {{"name", q}, {"type", "direct"}}},
                      {"routing_key", q},
                      {"durable", true},
                      {"exclusive", false},
                      {"auto_delete", false},
                      {"no_ack", false}});
    }
    answer = list;
  } else if (method == "revoke") {
    std::vector<std::string> ids;
    const json& tid = args.value("task_id", json());
    if (tid.is_string()) ids.push_back(tid.get<std::string>());
    if (tid.is_array()) {
      for (const auto& t : tid) {
        if (t.is_string()) ids.push_back(t.get<std::string>());
      }
    }
    const bool terminate = args.value("terminate", false);
    auto signalled =
        worker_.revoke(ids, terminate, signal_number(args.value("signal", json("SIGTERM"))));
    std::string joined;
    for (const auto& id : ids) joined += (joined.empty() ? "" : ", ") + id;
    log::info("revoked by remote control",
              {{"ids", joined}, {"terminate", terminate ? "yes" : "no"}});
    answer = {{"ok", "tasks " + joined + " flagged as revoked"}};
  } else {
    return;  // hello (mingle), heartbeat and others: nothing to say
  }
  const json& reply_to = body.value("reply_to", json());
  if (!reply_to.is_object() || !reply_to.contains("routing_key")) return;
  reply(reply_to["routing_key"].get<std::string>(), body.value("ticket", ""),
        queue::python_json(json{{settings_.hostname, answer}}));
}

void celery_control::reply(const std::string& routing_key, const std::string& ticket,
                           const std::string& body) {
  json headers = {{"ticket", ticket}, {"clock", ++clock_}};
  auto payload = envelope(json::parse(body), headers, "reply.celery.pidbox", routing_key);
  // kombu routes a direct-exchange publish through the exchange's binding set: every queue
  // bound with this routing key gets the reply.
  conn_->exec({"SMEMBERS", "_kombu.binding.reply.celery.pidbox"},
              [self = shared_from_this(), routing_key, payload](expected<redis::reply> r) {
                std::vector<std::string> queues;
                if (r && r->type() == redis::reply_type::array) {
                  const std::string sep = "\x06\x16";
                  for (const auto& m : r->elements()) {
                    const auto& t = m.text();
                    const auto a = t.find(sep);
                    const auto b = a == std::string::npos ? a : t.find(sep, a + 2);
                    if (b == std::string::npos) continue;
                    if (t.substr(0, a) == routing_key) queues.push_back(t.substr(b + 2));
                  }
                }
                if (queues.empty()) queues.push_back(routing_key + ".reply.celery.pidbox");
                for (const auto& q : queues) {
                  self->conn_->exec({"LPUSH", q, payload}, [](expected<redis::reply>) {});
                }
              });
}

}  // namespace vmterm::worker
