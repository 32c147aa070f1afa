#include "schedule/schedule_file.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "schedule/toml_subset.hpp"

namespace vmterm::schedule {

namespace {

using namespace std::chrono;

constexpr std::string_view known_fields =
    "task, every, crontab, args, kwargs, queue, priority or expires";

struct field_view {
  std::string key;
  const json* value;
  int line;
};

/// Where an error points: "file:line" for TOML, "file: [name]" for JSON.
struct locator {
  std::string_view file;
  std::string_view entry;
  tl::unexpected<error> operator()(int line, const std::string& what) const {
    if (line > 0) {
      return fail(std::errc::invalid_argument,
                  std::string(file) + ":" + std::to_string(line) + ": " + what);
    }
    return fail(std::errc::invalid_argument,
                std::string(file) + ": [" + std::string(entry) + "] " + what);
  }
};

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > max_name_size) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return false;
  }
  return true;
}

expected<entry> build_entry(std::string name, int line, const std::vector<field_view>& fields,
                            std::string_view file) {
  const locator at{file, name};
  if (!valid_name(name)) {
    return at(line, "entry name '" + name + "' must be 1-200 letters, digits, '_', '-' or '.'");
  }
  entry e;
  e.name = name;
  e.line = line;
  bool has_task = false, has_every = false, has_cron = false;
  // JSON errors already start with "file: [name] ".
  const std::string self = line > 0 ? "[" + name + "] " : "";
  int every_line = 0;
  for (const auto& f : fields) {
    const auto& v = *f.value;
    const auto need_string = [&]() -> expected<std::string> {
      if (!v.is_string()) return at(f.line, f.key + " must be a string");
      return v.get<std::string>();
    };
    if (f.key == "task") {
      auto s = need_string();
      if (!s) return tl::unexpected(s.error());
      if (s->empty()) return at(f.line, "task must not be empty");
      e.task = *s;
      has_task = true;
    } else if (f.key == "every" || f.key == "expires") {
      auto s = need_string();
      if (!s) return tl::unexpected(s.error());
      auto d = parse_schedule_duration(*s);
      if (!d) return at(f.line, f.key + " \"" + *s + "\": " + d.error().message);
      if (f.key == "every") {
        e.when = interval{*d};
        has_every = true;
        every_line = f.line;
      } else {
        e.expires = *d;
      }
    } else if (f.key == "crontab") {
      auto s = need_string();
      if (!s) return tl::unexpected(s.error());
      auto c = parse_crontab(*s);
      if (!c) return at(f.line, "crontab \"" + *s + "\": " + c.error().message);
      e.when = std::make_shared<const crontab>(std::move(*c));
      has_cron = true;
      if (has_every) return at(f.line, self + "has both every and crontab; keep one");
    } else if (f.key == "args") {
      if (!v.is_array()) return at(f.line, "args must be an array, such as [1, \"two\"]");
      e.args = v;
    } else if (f.key == "kwargs") {
      if (!v.is_object()) return at(f.line, "kwargs must be a table, such as { key = \"value\" }");
      e.kwargs = v;
    } else if (f.key == "queue") {
      auto s = need_string();
      if (!s) return tl::unexpected(s.error());
      if (s->empty()) return at(f.line, "queue must not be empty");
      e.queue = *s;
    } else if (f.key == "priority") {
      if (!v.is_number_integer()) return at(f.line, "priority must be a whole number 0-9");
      const auto p = v.get<std::int64_t>();
      if (p < 0 || p > 9)
        return at(f.line, "priority " + std::to_string(p) + " is out of range 0-9");
      e.priority = static_cast<int>(p);
    } else {
      return at(f.line, "unknown field '" + f.key + "'" + (line > 0 ? " in [" + name + "]" : "") +
                            "; use " + std::string(known_fields));
    }
  }
  if (has_every && has_cron) {
    return at(every_line, self + "has both every and crontab; keep one");
  }
  if (!has_task) return at(line, self + "has no task; add task = \"<celery task name>\"");
  if (!has_every && !has_cron) {
    return at(
        line,
        self + "has neither every nor crontab; add every = \"60s\" or crontab = \"0 * * * *\"");
  }
  return e;
}

std::size_t line_of(std::string_view text, std::size_t byte) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) n += text[i] == '\n';
  return n;
}

expected<std::vector<entry>> from_json(std::string_view text, std::string_view file) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return fail(std::errc::invalid_argument,
                std::string(file) + ":" +
                    std::to_string(line_of(text, e.byte == 0 ? 0 : e.byte - 1)) +
                    ": not valid JSON; check the brackets, quotes and commas near here");
  } catch (const json::out_of_range&) {
    // How nlohmann refuses a number too large for a double ("1E5555"); it escaped as an
    // exception and ended vmterm-beat (found by scripts/fuzz schedule_file).
    return fail(std::errc::invalid_argument,
                std::string(file) + ": a number is too large to read; use a smaller one");
  }
  if (!doc.is_object()) {
    return fail(std::errc::invalid_argument,
                std::string(file) +
                    ": the JSON must be an object of entries, such as "
                    "{\"health_check\": {\"task\": \"health_check\", \"every\": \"60s\"}}");
  }
  std::vector<entry> out;
  for (const auto& [name, body] : doc.items()) {
    if (!body.is_object()) {
      return fail(std::errc::invalid_argument,
                  std::string(file) + ": [" + name + "] must be an object of fields");
    }
    std::vector<field_view> fields;
    for (const auto& [k, v] : body.items()) fields.push_back({k, &v, 0});
    auto e = build_entry(name, 0, fields, file);
    if (!e) return tl::unexpected(e.error());
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace

expected<milliseconds> parse_schedule_duration(std::string_view text) {
  std::size_t i = 0;
  std::int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    n = n * 10 + (text[i] - '0');
    if (n > 10'000'000'000)
      return fail(std::errc::result_out_of_range, "too long; use at most 100000d");
    ++i;
  }
  const auto unit = text.substr(i);
  if (i == 0) {
    return fail(
        std::errc::invalid_argument,
        "not a duration; write a whole number and a unit, such as 500ms, 60s, 5m, 2h or 1d");
  }
  std::int64_t ms = 0;
  if (unit == "ms") {
    ms = n;
  } else if (unit == "s") {
    ms = n * 1000;
  } else if (unit == "m") {
    ms = n * 60'000;
  } else if (unit == "h") {
    ms = n * 3'600'000;
  } else if (unit == "d") {
    ms = n * 86'400'000;
  } else if (unit.empty()) {
    return fail(std::errc::invalid_argument,
                "needs a unit; write " + std::string(text) + "s (units: ms, s, m, h, d)");
  } else {
    return fail(std::errc::invalid_argument,
                "unknown unit '" + std::string(unit) + "'; use ms, s, m, h or d");
  }
  if (ms <= 0) return fail(std::errc::invalid_argument, "must be at least 1ms");
  if (ms > 100'000LL * 86'400'000)
    return fail(std::errc::result_out_of_range, "too long; use at most 100000d");
  return milliseconds(ms);
}

expected<std::vector<entry>> parse_schedule(std::string_view text, std::string_view file) {
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  std::vector<entry> out;
  if (first < text.size() && text[first] == '{') {
    auto j = from_json(text, file);
    if (!j) return j;
    out = std::move(*j);
  } else {
    auto tables = parse_toml(text, file);
    if (!tables) return tl::unexpected(tables.error());
    // Sized once, and each table freed once its entry is built: with 10,000 entries the
    // vector's doublings (old and new buffers alive together) and the parsed tables beside
    // the entries were most of the beat's peak memory.
    out.reserve(tables->size());
    std::vector<field_view> fields;
    for (auto& t : *tables) {
      fields.clear();
      for (const auto& f : t.fields) fields.push_back({f.key, &f.value, f.line});
      auto e = build_entry(t.name, t.line, fields, file);
      if (!e) return tl::unexpected(e.error());
      out.push_back(std::move(*e));
      decltype(t.fields)().swap(t.fields);
    }
  }
  if (out.empty()) {
    return fail(std::errc::invalid_argument,
                std::string(file) +
                    ": no entries; add one such as [health_check] with task = \"health_check\" "
                    "and every = \"60s\"");
  }
  return out;
}

expected<std::vector<entry>> read_schedule(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    const int err = std::filesystem::is_directory(path, ec) ? EISDIR : errno;
    return fail(std::error_code(err, std::generic_category()),
                "read schedule '" + path.string() + "': " + std::strerror(err));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_schedule(text, path.string());
}

}  // namespace vmterm::schedule
