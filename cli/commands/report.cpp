// `taskscope report FILE [-o OUT.html] [--at TIME] [--stall DUR]`: the analysis
// as one self-contained HTML page (docs/html-report.md). Exit status 0 when the
// page is written, 2 for bad usage or input (a damaged trace is refused, as by
// `analyze` without --partial).
#include <fstream>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/html_report.hpp"

namespace taskscope::cli {
namespace {

struct ReportCommandOptions {
  std::string file;
  std::string output = "report.html";
  std::string at;
  bool at_given = false;
  std::string stall = "1s";
};

int run_report(const ReportCommandOptions& options) {
  analyzer::AnalyzeOptions analyze;
  if (options.at_given) analyze.at_ns = parse_duration_ns(options.at, "--at");
  analyze.stall_ns = parse_duration_ns(options.stall, "--stall");
  const auto analysis = analyzer::analyze_file(options.file, analyze);
  const analyzer::TraceInfo& trace = analysis->report().trace;
  if (trace.damaged)
    throw UsageError(options.file + ": " + trace.status +
                     "; a page of a damaged trace could show findings it cannot prove "
                     "(see taskscope analyze --partial)");
  if (analyze.at_ns && (*analyze.at_ns < trace.start_ns || *analyze.at_ns > trace.end_ns))
    throw UsageError("--at " + options.at + " is outside the trace, which runs from " +
                     format_duration(trace.start_ns) + " to " + format_duration(trace.end_ns));
  std::ofstream file;
  const bool to_stdout = options.output == "-";
  if (!to_stdout) {
    file.open(options.output, std::ios::binary | std::ios::trunc);
    if (!file) throw UsageError(options.output + ": cannot open for writing");
  }
  std::ostream& out = to_stdout ? std::cout : file;
  analyzer::write_html_report(*analysis, options.file, out);
  out.flush();
  if (!out) throw UsageError((to_stdout ? "stdout" : options.output) + ": write failed");
  return 0;
}

const bool kRegistered = register_command(22, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "report",
      "Write the analysis as one self-contained HTML page (findings, cycle graphs, "
      "timeline, per-agent table)");
  auto options = std::make_shared<ReportCommandOptions>();
  sub->add_option("file", options->file, "Trace file (.tscope)")->required();
  sub->add_option("-o,--output", options->output,
                  "Write the page to this file (default report.html; - for stdout)");
  auto* at = sub->add_option("--at", options->at,
                             "Analyze the state at this time (2.5s, 1500ms, ns) within the trace");
  sub->add_option("--stall", options->stall, "Report agents blocked longer than this (default 1s)");
  return Command{sub, [options, at] {
                   options->at_given = at->count() > 0;
                   return run_report(*options);
                 }};
});

}  // namespace
}  // namespace taskscope::cli
