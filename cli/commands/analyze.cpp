// `taskscope analyze FILE [--at TIME] [--stall DUR] [--format text|json|dot] [-o OUT] [--partial]`:
// why the recorded program is stuck, and what else is wrong. Exit status 0 when
// no error-severity finding, 1 when there is one, 2 for bad usage or input.
#include <fstream>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "taskscope/analyzer/analysis.hpp"

namespace taskscope::cli {
namespace {

struct AnalyzeCommandOptions {
  std::string file;
  std::string at;
  bool at_given = false;  // --at "" is an error, not "no --at"
  std::string stall = "1s";
  std::string format = "text";
  std::string output;
  bool partial = false;
};

int run_analyze(const AnalyzeCommandOptions& options) {
  analyzer::AnalyzeOptions analyze;
  if (options.at_given) analyze.at_ns = parse_duration_ns(options.at, "--at");
  analyze.stall_ns = parse_duration_ns(options.stall, "--stall");
  const auto format = options.format == "json"  ? analyzer::OutputFormat::kJson
                      : options.format == "dot" ? analyzer::OutputFormat::kDot
                                                : analyzer::OutputFormat::kText;
  std::ofstream file;
  if (!options.output.empty()) {
    file.open(options.output, std::ios::trunc);
    if (!file) throw UsageError(options.output + ": cannot open for writing");
  }
  const auto analysis = analyzer::analyze_file(options.file, analyze);
  // A damaged trace is bad input unless asked for: what is missing may be the
  // release or send that would undo a finding.
  const analyzer::TraceInfo& trace = analysis->report().trace;
  if (trace.damaged && !options.partial)
    throw UsageError(options.file + ": " + trace.status +
                     "; add --partial to analyze the frames that could be read");
  if (trace.damaged && trace.events == 0)
    throw UsageError(options.file + ": " + trace.status +
                     "; no complete event frame, nothing to analyze");
  // A state outside the recording would be the state of nothing recorded: no
  // agent yet, or every agent frozen at the end, reported as if observed.
  if (analyze.at_ns && (*analyze.at_ns < trace.start_ns || *analyze.at_ns > trace.end_ns))
    throw UsageError("--at " + options.at + " is outside the trace, which runs from " +
                     format_duration(trace.start_ns) + " to " + format_duration(trace.end_ns));
  std::ostream& out = options.output.empty() ? std::cout : file;
  out << analysis->render(format);
  out.flush();
  if (!out)
    throw UsageError((options.output.empty() ? "stdout" : options.output) + ": write failed");
  return analysis->report().has_error() ? 1 : 0;
}

const bool kRegistered = register_command(20, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "analyze",
      "Explain why agents are stuck (deadlocks, full-channel cycles, lost wakeups) "
      "and what else is wrong");
  auto options = std::make_shared<AnalyzeCommandOptions>();
  sub->add_option("file", options->file, "Trace file (.tscope)")->required();
  auto* at = sub->add_option("--at", options->at,
                             "Analyze the state at this time (2.5s, 1500ms, ns) within the trace");
  sub->add_option("--stall", options->stall, "Report agents blocked longer than this (default 1s)");
  sub->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "dot"}));
  sub->add_option("-o,--output", options->output, "Write the report to this file");
  sub->add_flag("--partial", options->partial,
                "Analyze a truncated or damaged trace (every complete, valid frame)");
  return Command{sub, [options, at] {
                   options->at_given = at->count() > 0;
                   return run_analyze(*options);
                 }};
});

}  // namespace
}  // namespace taskscope::cli
