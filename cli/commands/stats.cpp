// `taskscope stats FILE [--format text|json]`: where the time went in one trace.
#include "taskscope/analyzer/stats.hpp"

#include <iostream>
#include <memory>

#include "command.hpp"

namespace taskscope::cli {
namespace {

struct StatsOptions {
  std::string file;
  std::string format = "text";
};

int run_stats(const StatsOptions& options) {
  const analyzer::TraceStats stats = analyzer::compute_stats(options.file);
  if (options.format == "json")
    analyzer::write_stats_json(stats, std::cout);
  else
    analyzer::write_stats_text(stats, std::cout);
  std::cout.flush();
  return std::cout ? 0 : 2;
}

const bool kRegistered = register_command(40, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "stats", "Per task, span and resource: busy, blocked and hold times, latency, contention");
  auto options = std::make_shared<StatsOptions>();
  sub->add_option("file", options->file, "Trace file (.tscope)")->required();
  sub->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  return Command{sub, [options] { return run_stats(*options); }};
});

}  // namespace
}  // namespace taskscope::cli
