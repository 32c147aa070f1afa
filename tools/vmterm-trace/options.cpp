#include "options.hpp"

namespace vmterm::trace_cli {
namespace {

/// " (default X)" from the options struct's initial value, so the default is written once and
/// --help reads as every tool's does (core/flags.hpp's form).
std::string default_of(const std::string& value) { return " (default " + value + ")"; }

void add_global_flags(CLI::App& app, options& opt) {
  app.add_option("--jaeger", opt.jaeger,
                 "Jaeger query service URL, with any base path; env VMTERM_JAEGER_URL (default " +
                     std::string(default_jaeger_url) + ")");
  app.add_option(
      "--file", opt.file,
      "read traces from a file: OTLP JSON, OTLP JSON lines or Jaeger v1 JSON; - = stdin");
  app.add_option(
      "--max-input", opt.max_input,
      "read at most this much of a file or stdin, e.g. 512MiB, 4GiB" + default_of(opt.max_input));
  app.add_option("--timeout", opt.timeout,
                 "deadline for each request to Jaeger, e.g. 500ms" + default_of(opt.timeout));
  app.add_flag("--json", opt.json, "print JSON (one object per trace, one per line) for jq");
  app.add_flag("--otlp", opt.otlp, "show: print the traces as OTLP JSON, untouched when possible");
  app.add_option(
      "--color", opt.color,
      "colour: auto (a terminal without NO_COLOR), always, never" + default_of(opt.color));
  app.add_option("--width", opt.width,
                 "fit every line in this many columns (default: COLUMNS or the terminal; 0: no "
                 "limit and no waterfall)");
  app.add_flag("-v,--verbose", opt.verbose, "show: attributes, events and links under each span");
  app.add_option("--depth", opt.depth, "show: only spans down to depth N (roots are 0)");
  app.add_option("--min-duration", opt.min_duration,
                 "only spans (show) or traces with a span (search) at least this long, e.g. 10ms");
  app.add_flag("--errors", opt.errors,
               "only error spans with their ancestors (show), or traces with an error (search)");
  app.add_option("--service", opt.service,
                 "show: only spans of this service with their ancestors; search: the service");
  app.add_flag("--critical-path", opt.critical_path, "show: only the spans on the critical path");
}

void add_query_flags(CLI::App& cmd, options& opt) {
  cmd.add_option("--service", opt.service, "service to search (required)");
  cmd.add_option("--operation", opt.operation, "only traces with a span of this operation");
  cmd.add_option("--tag", opt.tags, "only traces with a span carrying attribute k=v (repeatable)");
  cmd.add_option("--min-duration", opt.min_duration, "only traces with a span at least this long");
  cmd.add_option("--max-duration", opt.max_duration, "only traces with a span at most this long");
  auto* since = cmd.add_option(
      "--since", opt.since, "how far back to look, e.g. 30m, 2d (default: 1h; a file: all of it)");
  auto* start = cmd.add_option("--start", opt.start, "start of the time range (RFC 3339)");
  auto* end = cmd.add_option("--end", opt.end, "end of the time range (RFC 3339; default now)");
  since->excludes(start)->excludes(end);
  cmd.add_option("--limit", opt.limit, "at most this many traces" + default_of(opt.limit));
  cmd.add_flag("--errors", opt.errors, "only traces with an error span");
}

}  // namespace

void add_flags(CLI::App& app, options& opt) {
  add_global_flags(app, opt);
  app.require_subcommand(1);
  app.fallthrough();

  app.add_subcommand("services", "list the services")->callback([&] { opt.command = "services"; });

  auto* ops = app.add_subcommand("operations", "list the operations of a service");
  ops->add_option("SERVICE", opt.service, "the service")->required();
  ops->add_option("--kind", opt.kind,
                  "only operations of this span kind: server, client, producer, consumer, "
                  "internal");
  ops->callback([&] { opt.command = "operations"; });

  auto* search = app.add_subcommand("search", "find traces: one line per trace, newest first");
  add_query_flags(*search, opt);
  search->callback([&] { opt.command = "search"; });

  auto* stats = app.add_subcommand(
      "stats", "per service and operation over a search: count, errors, p50/p95/p99/max, self");
  add_query_flags(*stats, opt);
  stats->callback([&] { opt.command = "stats"; });

  auto* show = app.add_subcommand("show", "print traces as span trees with a waterfall");
  show->add_option("TRACE_ID", opt.trace_ids,
                   "trace ids (32 or 16 hex digits); none with --file: every trace in the file");
  show->add_flag("--follow", opt.follow,
                 "with a file source: keep reading and print new traces as they complete");
  show->callback([&] { opt.command = "show"; });
}

}  // namespace vmterm::trace_cli
