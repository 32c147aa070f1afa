#include "query_flags.hpp"

#include <chrono>

#include "core/parse.hpp"
#include "jaeger/time_parse.hpp"

namespace vmterm::trace_cli {
namespace {

expected<std::uint64_t> duration_flag(std::string_view flag, const std::string& text) {
  auto d = parse::duration(text, std::chrono::seconds(1));  // vmterm(7): bare = seconds
  if (!d || d->count() < 0) {
    return fail(std::errc::invalid_argument,
                std::string(flag) + " '" + text +
                    "': " + (d ? std::string("must not be negative") : d.error().message));
  }
  return static_cast<std::uint64_t>(d->count());
}

expected<std::uint64_t> time_flag(std::string_view flag, const std::string& text) {
  auto t = jaeger::parse_rfc3339(text);
  if (!t) return fail(std::errc::invalid_argument, std::string(flag) + " " + t.error().message);
  return t;
}

}  // namespace

expected<jaeger::tree_filter> make_filter(const options& opt) {
  jaeger::tree_filter f;
  f.max_depth = opt.depth;
  if (!opt.min_duration.empty()) {
    auto d = duration_flag("--min-duration", opt.min_duration);
    if (!d) return tl::unexpected(d.error());
    f.min_duration_ns = *d;
  }
  f.errors_only = opt.errors;
  f.service = opt.service;
  f.critical_path_only = opt.critical_path;
  return f;
}

expected<jaeger::search_query> make_query(const options& opt, std::uint64_t now_ns,
                                          bool whole_file) {
  jaeger::search_query q;
  q.service = opt.service.value_or("");
  q.operation = opt.operation;
  for (const auto& tag : opt.tags) {
    const auto eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(std::errc::invalid_argument, "--tag '" + tag + "': expected key=value");
    }
    q.tags.emplace_back(tag.substr(0, eq), tag.substr(eq + 1));
  }
  for (auto [flag, text, out] : {std::tuple{"--min-duration", &opt.min_duration, 0},
                                 std::tuple{"--max-duration", &opt.max_duration, 1}}) {
    if (text->empty()) continue;
    auto d = duration_flag(flag, *text);
    if (!d) return tl::unexpected(d.error());
    if (out == 0) q.min_duration_ns = *d;
    if (out == 1) q.max_duration_ns = *d;
  }
  q.limit = opt.limit;
  q.errors_only = opt.errors;
  if (whole_file && !opt.since && opt.start.empty() && opt.end.empty()) return q;
  q.end_unix_nano = now_ns;
  if (!opt.end.empty()) {
    auto t = time_flag("--end", opt.end);
    if (!t) return tl::unexpected(t.error());
    q.end_unix_nano = *t;
  }
  if (!opt.start.empty()) {
    auto t = time_flag("--start", opt.start);
    if (!t) return tl::unexpected(t.error());
    q.start_unix_nano = *t;
  } else {
    auto since = duration_flag("--since", opt.since.value_or("1h"));
    if (!since) return tl::unexpected(since.error());
    q.start_unix_nano = q.end_unix_nano > *since ? q.end_unix_nano - *since : 0;
  }
  if (q.start_unix_nano >= q.end_unix_nano) {
    return fail(std::errc::invalid_argument, "--start '" + opt.start + "': not before the end");
  }
  return q;
}

std::string describe_range(const options& opt, const std::string& source_name, bool whole_file) {
  if (whole_file && !opt.since && opt.start.empty() && opt.end.empty()) {
    return "in '" + source_name + "'";
  }
  if (opt.start.empty()) return "in the last " + opt.since.value_or("1h");
  return "between " + opt.start + " and " + (opt.end.empty() ? "now" : opt.end);
}

expected<std::vector<trace::trace_id>> parse_ids(const std::vector<std::string>& texts) {
  std::vector<trace::trace_id> ids;
  for (const auto& text : texts) {
    auto id = trace::trace_id::from_hex(text);
    if (!id || !id->valid()) {
      return fail(std::errc::invalid_argument,
                  "show '" + text + "': not a trace id; expected 32 or 16 hex digits");
    }
    ids.push_back(*id);
  }
  return ids;
}

}  // namespace vmterm::trace_cli
