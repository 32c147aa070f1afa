#pragma once
/// vmterm-trace's flags, declared once through core/flags (name, environment variables, default,
/// help), resolved into one struct the commands read. Texts that need a unit or a range stay
/// text here and are checked by check_flags() (query_flags.hpp) with their exact messages.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmterm::trace_cli {

inline constexpr const char* default_jaeger_url = "http://127.0.0.1:16686";

struct options {
  std::string command{};  ///< services|operations|search|show|stats

  // where traces come from
  std::optional<std::string> jaeger{};  ///< --jaeger or VMTERM_JAEGER_URL
  /// Where jaeger came from: "--jaeger", "VMTERM_JAEGER_URL" or "default" (for messages).
  std::string jaeger_from = "default";
  std::optional<std::string> file{};  ///< --file; "-" = stdin
  std::string timeout = "10s";
  std::string max_input = "1GiB";  ///< the most a file source reads

  // output
  bool json = false;
  bool otlp = false;
  std::string color = "auto";
  std::optional<std::string> width{};  ///< checked by check_flags()
  bool verbose = false;

  // tree filters (show), some shared with search and stats
  std::optional<std::uint32_t> depth{};
  std::string min_duration{};
  bool errors = false;
  std::optional<std::string> service{};
  bool critical_path = false;

  // operations
  std::string kind{};

  // search and stats
  std::optional<std::string> operation{};
  std::vector<std::string> tags{};
  std::string max_duration{};
  std::optional<std::string> since{};  ///< default 1h against Jaeger; a file: all of it
  std::string start{};
  std::string end{};
  std::string limit = "20";  ///< checked by check_flags()

  // show
  std::vector<std::string> trace_ids{};
  bool follow = false;

  // the values of the text flags above, set by check_flags() (query_flags.hpp)
  std::optional<std::size_t> width_cells{};
  std::size_t limit_count = 20;
  std::uint64_t max_input_bytes = 0;
};

/// Declares the subcommands and every flag, parses the command line and resolves the flags
/// (flag > environment > default) into `opt`. nullopt: go on; otherwise the exit code, after
/// printing the usage line (2; 0 after --help or --version).
[[nodiscard]] std::optional<int> parse_command_line(int argc, const char* const* argv,
                                                    options& opt);

}  // namespace vmterm::trace_cli
