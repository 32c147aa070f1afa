#include "queue/result.hpp"

#include <array>

namespace vmterm::queue {

namespace {
constexpr std::array<std::pair<task_state, std::string_view>, 7> state_names = {{
    {task_state::pending, "PENDING"},
    {task_state::received, "RECEIVED"},
    {task_state::started, "STARTED"},
    {task_state::success, "SUCCESS"},
    {task_state::failure, "FAILURE"},
    {task_state::retry, "RETRY"},
    {task_state::revoked, "REVOKED"},
}};
}  // namespace

std::string_view to_string(task_state s) noexcept {
  for (const auto& [st, name] : state_names) {
    if (st == s) return name;
  }
  return "PENDING";
}

std::optional<task_state> parse_task_state(std::string_view s) noexcept {
  for (const auto& [st, name] : state_names) {
    if (name == s) return st;
  }
  return std::nullopt;
}

bool is_ready(task_state s) noexcept {
  return s == task_state::success || s == task_state::failure || s == task_state::revoked;
}

std::string result_key(std::string_view task_id) {
  return "celery-task-meta-" + std::string(task_id);
}

std::string encode_result(const result_meta& m) {
  json j = json::object();
  j["status"] = std::string(to_string(m.status));
  if (m.exception) {
    json e = json::object();
    e["exc_type"] = m.exception->type;
    e["exc_message"] = m.exception->message.is_array() ? m.exception->message
                                                       : json::array({m.exception->message});
    e["exc_module"] = m.exception->module;
    j["result"] = std::move(e);
  } else {
    j["result"] = m.result;
  }
  j["traceback"] = m.traceback ? json(*m.traceback) : json(nullptr);
  j["children"] = m.children.is_null() ? json::array() : m.children;
  j["date_done"] =
      m.date_done ? json(format_iso8601(*m.date_done, m.date_done_offset)) : json(nullptr);
  if (m.group_id && !m.group_id->empty()) j["group_id"] = *m.group_id;
  if (m.parent_id && !m.parent_id->empty()) j["parent_id"] = *m.parent_id;
  if (m.extended) {
    j["name"] = m.name;
    j["args"] = m.args;
    j["kwargs"] = m.kwargs;
    j["worker"] = m.worker;
    j["retries"] = m.retries;
    j["queue"] = m.queue;
  }
  j["task_id"] = m.task_id;
  return python_json(j);
}

expected<result_meta> decode_result(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  std::string who = "result";
  if (j.is_object()) {
    if (auto it = j.find("task_id"); it != j.end() && it->is_string()) {
      who = "result '" + result_key(it->get<std::string>()) + "'";
    }
  }
  auto bad = [&](std::string what) {
    return fail(
        std::errc::invalid_argument,
        who + ": " + what + "; expected Celery's result JSON {\"status\", \"result\", ...}");
  };
  if (j.is_discarded()) return bad("not valid JSON");
  if (!j.is_object()) return bad("not a JSON object");
  result_meta m;
  auto st = j.find("status");
  if (st == j.end() || !st->is_string()) return bad("no string 'status'");
  auto state = parse_task_state(st->get<std::string>());
  if (!state) return bad("unknown status '" + st->get<std::string>() + "'");
  m.status = *state;
  if (auto it = j.find("result"); it != j.end()) m.result = *it;
  if ((m.status == task_state::failure || m.status == task_state::revoked ||
       m.status == task_state::retry) &&
      m.result.is_object() && m.result.contains("exc_type")) {
    task_exception e;
    if (m.result["exc_type"].is_string()) e.type = m.result["exc_type"].get<std::string>();
    if (auto mod = m.result.find("exc_module"); mod != m.result.end() && mod->is_string()) {
      e.module = mod->get<std::string>();
    }
    if (auto msg = m.result.find("exc_message"); msg != m.result.end()) {
      e.message = msg->is_array() ? *msg : json::array({*msg});
    }
    m.exception = std::move(e);
  }
  if (auto it = j.find("traceback"); it != j.end() && it->is_string()) {
    m.traceback = it->get<std::string>();
  }
  if (auto it = j.find("children"); it != j.end() && it->is_array()) m.children = *it;
  if (auto it = j.find("date_done"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return bad("'date_done' is not a string");
    auto t = parse_iso8601(it->get_ref<const std::string&>());
    if (!t) return bad("'date_done': " + t.error().message);
    m.date_done = *t;
    const auto& s = it->get_ref<const std::string&>();
    m.date_done_offset = s.size() > 19 && (s.back() == 'Z' || s[s.size() - 3] == ':');
  }
  if (auto it = j.find("task_id"); it != j.end() && it->is_string()) {
    m.task_id = it->get<std::string>();
  }
  if (auto it = j.find("group_id"); it != j.end() && it->is_string()) m.group_id = *it;
  if (auto it = j.find("parent_id"); it != j.end() && it->is_string()) m.parent_id = *it;
  if (j.contains("name") && j.contains("worker")) {
    m.extended = true;
    if (j["name"].is_string()) m.name = j["name"].get<std::string>();
    m.args = j.value("args", json());
    m.kwargs = j.value("kwargs", json());
    if (j["worker"].is_string()) m.worker = j["worker"].get<std::string>();
    if (auto r = j.find("retries"); r != j.end() && r->is_number_integer()) m.retries = *r;
    if (auto q = j.find("queue"); q != j.end() && q->is_string()) m.queue = *q;
  }
  return m;
}

}  // namespace vmterm::queue
