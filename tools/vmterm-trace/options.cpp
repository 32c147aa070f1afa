#include "options.hpp"

#include <CLI/CLI.hpp>

#include "core/flags.hpp"

namespace vmterm::trace_cli {
namespace {

using config::flag;
using config::list_flag;
constexpr const char* tool = "vmterm-trace";

/// search's and stats' own copies of flags the top level also has (--service, --min-duration,
/// --errors): a set resolves every flag it declares, so each copy has its own target, merged
/// into `options` when given.
struct query_overrides {
  std::optional<std::string> service{};
  std::string min_duration{};
  bool errors = false;
};

void add_global_flags(config::flag_set& f, options& opt) {
  f.add(opt.jaeger,
        flag<std::optional<std::string>>{.name = "--jaeger",
                                         .env = {"VMTERM_JAEGER_URL"},
                                         .value_name = "URL",
                                         .help = "Jaeger query service URL, with any base path",
                                         .fallback_text = default_jaeger_url});
  f.add(opt.file, flag<std::optional<std::string>>{
                      .name = "--file",
                      .value_name = "FILE",
                      .help = "read traces from a file: OTLP JSON, OTLP JSON lines or Jaeger v1 "
                              "JSON; - = stdin"});
  f.add(opt.max_input, flag<std::string>{.name = "--max-input",
                                         .value_name = "SIZE",
                                         .help = "read at most this much of a file or stdin, e.g. "
                                                 "512MiB, 4GiB",
                                         .fallback = opt.max_input});
  f.add(opt.timeout, flag<std::string>{.name = "--timeout",
                                       .value_name = "DURATION",
                                       .help = "deadline for each request to Jaeger, e.g. 500ms",
                                       .fallback = opt.timeout});
  f.add(opt.json, flag<bool>{.name = "--json",
                             .help = "print JSON (one object per trace, one per line) for "
                                     "jq"});
  f.add(opt.otlp, flag<bool>{.name = "--otlp",
                             .help = "show: print the traces as OTLP JSON, untouched when "
                                     "possible"});
  f.add(opt.color, flag<std::string>{.name = "--color",
                                     .value_name = "WHEN",
                                     .help = "colour: auto (a terminal without NO_COLOR), always, "
                                             "never",
                                     .fallback = opt.color});
  f.add(opt.width, flag<std::optional<std::string>>{
                       .name = "--width",
                       .value_name = "N",
                       .help = "fit every line in this many columns",
                       .default_note = ": COLUMNS or the terminal; 0: no limit and no waterfall"});
  f.add(opt.verbose, flag<bool>{.name = "-v,--verbose",
                                .help = "show: attributes, events and links under each span"});
  f.add(opt.depth, flag<std::optional<std::uint32_t>>{
                       .name = "--depth",
                       .value_name = "N",
                       .help = "show: only spans down to depth N (roots are 0)"});
  f.add(opt.min_duration,
        flag<std::string>{.name = "--min-duration",
                          .value_name = "DURATION",
                          .help = "only spans (show) or traces with a span (search) at least this "
                                  "long, e.g. 10ms"});
  f.add(opt.errors, flag<bool>{.name = "--errors",
                               .help = "only error spans with their ancestors (show), or traces "
                                       "with an error (search)"});
  f.add(opt.service,
        flag<std::optional<std::string>>{.name = "--service",
                                         .value_name = "NAME",
                                         .help = "show: only spans of this service with their "
                                                 "ancestors; search: the service"});
  f.add(opt.critical_path,
        flag<bool>{.name = "--critical-path", .help = "show: only the spans on the critical path"});
}

void add_query_flags(config::flag_set& f, options& opt, query_overrides& own) {
  f.add(own.service,
        flag<std::optional<std::string>>{
            .name = "--service", .value_name = "NAME", .help = "service to search (required)"});
  f.add(opt.operation,
        flag<std::optional<std::string>>{.name = "--operation",
                                         .value_name = "NAME",
                                         .help = "only traces with a span of this operation"});
  f.add(opt.tags, list_flag<std::string>{.name = "--tag",
                                         .value_name = "K=V",
                                         .help = "only traces with a span carrying attribute k=v "
                                                 "(repeatable)",
                                         .split_commas = false});
  f.add(own.min_duration, flag<std::string>{.name = "--min-duration",
                                            .value_name = "DURATION",
                                            .help = "only traces with a span at least this long"});
  f.add(opt.max_duration, flag<std::string>{.name = "--max-duration",
                                            .value_name = "DURATION",
                                            .help = "only traces with a span at most this long"});
  auto* since = f.add(opt.since,
                      flag<std::optional<std::string>>{.name = "--since",
                                                       .value_name = "DURATION",
                                                       .help = "how far back to look, e.g. 30m, 2d",
                                                       .default_note = ": 1h; a file: all of it"});
  auto* start = f.add(opt.start, flag<std::string>{.name = "--start",
                                                   .value_name = "TIME",
                                                   .help = "start of the time range (RFC 3339)"});
  auto* end = f.add(opt.end, flag<std::string>{.name = "--end",
                                               .value_name = "TIME",
                                               .help = "end of the time range (RFC 3339)",
                                               .default_note = ": now"});
  since->excludes(start)->excludes(end);
  f.add(opt.limit, flag<std::string>{.name = "--limit",
                                     .value_name = "N",
                                     .help = "at most this many traces",
                                     .fallback = opt.limit});
  f.add(own.errors, flag<bool>{.name = "--errors", .help = "only traces with an error span"});
}

}  // namespace

std::optional<int> parse_command_line(int argc, const char* const* argv, options& opt) {
  CLI::App app{
      "vmterm-trace: read traces from Jaeger or trace files and print them as span "
      "trees, waterfalls and JSON"};
  app.name(tool);
  config::flag_set globals(app);
  add_global_flags(globals, opt);
  app.require_subcommand(1);
  app.fallthrough();

  app.add_subcommand("services", "list the services")->callback([&] { opt.command = "services"; });

  auto* ops = app.add_subcommand("operations", "list the operations of a service");
  ops->add_option("SERVICE", opt.service, "the service")->required();
  config::flag_set ops_flags(*ops);
  ops_flags.add(opt.kind, flag<std::string>{.name = "--kind",
                                            .value_name = "KIND",
                                            .help = "only operations of this span kind: server, "
                                                    "client, producer, consumer, internal"});
  ops->callback([&] { opt.command = "operations"; });

  query_overrides own;
  auto* search = app.add_subcommand("search", "find traces: one line per trace, newest first");
  config::flag_set search_flags(*search);
  add_query_flags(search_flags, opt, own);
  search->callback([&] { opt.command = "search"; });

  auto* stats = app.add_subcommand(
      "stats", "per service and operation over a search: count, errors, p50/p95/p99/max, self");
  config::flag_set stats_flags(*stats);
  add_query_flags(stats_flags, opt, own);
  stats->callback([&] { opt.command = "stats"; });

  auto* show = app.add_subcommand("show", "print traces as span trees with a waterfall");
  show->add_option("TRACE_ID", opt.trace_ids,
                   "trace ids (32 or 16 hex digits); none with --file: every trace in the file");
  config::flag_set show_flags(*show);
  show_flags.add(opt.follow,
                 flag<bool>{.name = "--follow",
                            .help = "with a file source: keep reading and print new traces as "
                                    "they complete"});
  show->callback([&] { opt.command = "show"; });

  if (auto code = config::parse_command_line(app, argc, argv, tool)) return code;
  // operations' SERVICE is a positional CLI11 filled during the parse; resolving the top
  // level's --service must not overwrite it.
  const auto service_arg = opt.command == "operations" ? opt.service : std::nullopt;
  if (auto ok = globals.resolve(); !ok) return config::refuse(tool, ok.error());
  opt.jaeger_from = globals.origin_of("--jaeger");
  config::flag_set* used = opt.command == "operations" ? &ops_flags
                           : opt.command == "search"   ? &search_flags
                           : opt.command == "stats"    ? &stats_flags
                           : opt.command == "show"     ? &show_flags
                                                       : nullptr;
  if (used != nullptr) {
    if (auto ok = used->resolve(); !ok) return config::refuse(tool, ok.error());
  }
  if (service_arg) opt.service = service_arg;
  if (own.service) opt.service = own.service;
  if (!own.min_duration.empty()) opt.min_duration = own.min_duration;
  opt.errors = opt.errors || own.errors;
  return std::nullopt;
}

}  // namespace vmterm::trace_cli
