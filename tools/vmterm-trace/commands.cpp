#include "commands.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/exit_code.hpp"
#include "jaeger/did_you_mean.hpp"
#include "jaeger/follow.hpp"
#include "jaeger/json_render.hpp"
#include "jaeger/list_json.hpp"
#include "jaeger/search_render.hpp"
#include "jaeger/span_stats.hpp"
#include "jaeger/span_tree.hpp"
#include "jaeger/text_cells.hpp"
#include "jaeger/tree_render.hpp"
#include "query_flags.hpp"
#include "source_select.hpp"
#include "terminal.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::trace_cli {
namespace {

constexpr std::string_view tool = "vmterm-trace: ";

int complain(exit_code code, std::string_view message) {
  std::cerr << tool << message << '\n';
  return to_int(code);
}

int complain(exit_code code, const error& e) { return complain(code, e.message); }

/// Everything one command needs: the flags, the environment and the source.
struct context {
  const options& opt;
  const config::env_lookup& env;
  jaeger::source& src;
  bool whole_file = false;  ///< the source is a file: a search without a range reads it all
};

/// When `service` is not one the source knows: the did-you-mean line, else nullopt.
std::optional<std::string> unknown_service(jaeger::source& src, const std::string& service,
                                           std::optional<error>& failure) {
  auto known = src.services();
  if (!known) {
    failure = known.error();
    return std::nullopt;
  }
  if (known->empty() || std::find(known->begin(), known->end(), service) != known->end()) {
    return std::nullopt;
  }
  return jaeger::unknown_name_message("service", service, *known);
}

int cmd_services(const context& c) {
  auto names = c.src.services();
  if (!names) return complain(exit_code::failure, names.error());
  if (names->empty()) return complain(exit_code::failure, "no services in '" + c.src.name() + "'");
  if (c.opt.json) {
    std::cout << jaeger::render_services_json(*names);
    return to_int(exit_code::ok);
  }
  const auto width = known_width(c.opt.width_cells, c.env);
  std::string out;
  for (const auto& n : *names)
    out += jaeger::truncate_cells(n, width > 0 ? width : n.size()) + '\n';
  std::cout << out;
  return to_int(exit_code::ok);
}

int cmd_operations(const context& c) {
  const auto& service = *c.opt.service;
  auto ops = c.src.operations(service, c.opt.kind);
  if (!ops) return complain(exit_code::failure, ops.error());
  if (ops->empty()) {
    std::optional<error> failure;
    if (auto msg = unknown_service(c.src, service, failure))
      return complain(exit_code::failure, *msg);
    if (failure) return complain(exit_code::failure, *failure);
    return complain(exit_code::failure, "no operations for service '" + service + "'" +
                                            (c.opt.kind.empty() ? "" : " of kind " + c.opt.kind));
  }
  if (c.opt.json) {
    std::cout << jaeger::render_operations_json(service, *ops);
    return to_int(exit_code::ok);
  }
  // "name<TAB>kind": a tab takes up to 8 cells, so a name gets the width less 8 and the kind.
  const auto width = known_width(c.opt.width_cells, c.env);
  std::string out;
  for (const auto& op : *ops) {
    const auto tail = op.kind.empty() ? std::size_t{0} : 8 + op.kind.size();
    const auto room = width == 0 ? op.name.size() : width > tail ? width - tail : 1;
    out += jaeger::truncate_cells(op.name, room);
    out += op.kind.empty() ? "\n" : '\t' + op.kind + '\n';
  }
  std::cout << out;
  return to_int(exit_code::ok);
}

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string no_traces(const context& c, const std::string& service) {
  return "no traces for service '" + service + "' " +
         describe_range(c.opt, c.src.name(), c.whole_file);
}

/// `search` as text: one line per trace from the source's summaries.
int print_summaries(const context& c, const jaeger::search_query& query) {
  auto rows = c.src.summaries(query);
  if (!rows) return complain(exit_code::failure, rows.error());
  if (rows->empty()) return complain(exit_code::failure, no_traces(c, query.service));
  std::cout << jaeger::render_search(std::move(*rows), use_colour(c.opt.color, c.env),
                                     known_width(c.opt.width_cells, c.env));
  return to_int(exit_code::ok);
}

int cmd_search(const context& c, bool stats) {
  if (!c.opt.service) return complain(exit_code::usage, "search: --service is required");
  auto query = make_query(c.opt, now_ns(), c.whole_file);
  if (!query) return complain(exit_code::usage, query.error());
  std::optional<error> failure;
  if (auto msg = unknown_service(c.src, query->service, failure)) {
    return complain(exit_code::failure, *msg);
  }
  if (failure) return complain(exit_code::failure, *failure);
  if (!stats && !c.opt.json) return print_summaries(c, *query);
  auto spans = c.src.search(*query);
  if (!spans) return complain(exit_code::failure, spans.error());
  if (spans->empty()) {
    return complain(exit_code::failure, no_traces(c, query->service));
  }
  const auto trees = jaeger::build_trees(std::move(*spans));
  const bool colour = use_colour(c.opt.color, c.env);
  if (stats) {
    const auto table = jaeger::compute_stats(trees);
    std::cout << (c.opt.json ? jaeger::render_stats_json(table) + "\n"
                             : jaeger::render_stats_table(table, colour,
                                                          known_width(c.opt.width_cells, c.env)));
  } else {
    std::cout << jaeger::render_json(trees);
  }
  return to_int(exit_code::ok);
}

/// Prints trees as text or JSON lines, each with the tree filter applied.
int print_trees(const context& c, const std::vector<jaeger::trace_tree>& trees,
                const jaeger::tree_filter& filter) {
  const jaeger::tree_render_options render{.colour = use_colour(c.opt.color, c.env),
                                           .verbose = c.opt.verbose,
                                           .width = line_width(c.opt.width_cells, c.env)};
  bool first = true;
  for (const auto& tree : trees) {
    const auto visible = jaeger::select(tree, filter);
    if (c.opt.json) {
      jaeger::write_json(std::cout, tree, visible);
    } else {
      if (!first) std::cout << '\n';
      jaeger::write_tree(std::cout, tree, visible, render);
    }
    first = false;
  }
  std::cout.flush();
  return to_int(exit_code::ok);
}

int cmd_follow(const context& c, const jaeger::tree_filter& filter,
               const std::vector<trace::trace_id>& ids) {
  const auto file = chosen_file(c.opt, c.env);
  if (!file) return complain(exit_code::usage, "show --follow: needs a file source; set --file");
  jaeger::follow_options fo{.path = *file, .ids = ids, .include_existing = *file == "-"};
  fo.warn = [](const error& e) { std::cerr << tool << e.message << '\n'; };
  auto done = jaeger::follow(fo, [&](std::vector<trace::span_data> spans) {
    (void)print_trees(c, jaeger::build_trees(std::move(spans)), filter);
  });
  if (!done) return complain(exit_code::failure, done.error());
  return to_int(exit_code::ok);
}

int cmd_show(const context& c) {
  auto filter = make_filter(c.opt);
  if (!filter) return complain(exit_code::usage, filter.error());
  auto ids = parse_ids(c.opt.trace_ids);
  if (!ids) return complain(exit_code::usage, ids.error());
  if (c.opt.follow) return cmd_follow(c, *filter, *ids);
  if (ids->empty() && !c.whole_file) {
    return complain(exit_code::usage, "show: give a trace id (or --file to show every trace)");
  }
  if (c.opt.otlp) {
    auto text = c.src.get_otlp(*ids);
    if (!text) return complain(exit_code::failure, text.error());
    std::cout << *text;
    return to_int(exit_code::ok);
  }
  jaeger::search_query everything{.limit = 0};
  auto spans = ids->empty() ? c.src.search(everything) : c.src.get(*ids);
  if (!spans) return complain(exit_code::failure, spans.error());
  if (spans->empty()) return complain(exit_code::failure, "no traces in '" + c.src.name() + "'");
  return print_trees(c, jaeger::build_trees(std::move(*spans)), *filter);
}

}  // namespace

int run(const options& given, const config::env_lookup& env) {
  options opt = given;
  if (auto ok = check_flags(opt); !ok) return complain(exit_code::usage, ok.error());
  auto src = make_source(opt, env);
  if (!src) return complain(exit_code::usage, src.error());
  const context c{opt, env, **src, chosen_file(opt, env).has_value()};
  if (opt.command == "services") return cmd_services(c);
  if (opt.command == "operations") return cmd_operations(c);
  if (opt.command == "search") return cmd_search(c, false);
  if (opt.command == "stats") return cmd_search(c, true);
  if (opt.command == "show") return cmd_show(c);
  return complain(exit_code::usage, "unknown command '" + opt.command + "'");
}

}  // namespace vmterm::trace_cli
