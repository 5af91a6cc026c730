// `taskscope export FILE --format chrome -o OUT.json`: a timeline for
// ui.perfetto.dev or chrome://tracing.
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "taskscope/analyzer/chrome_export.hpp"
#include "taskscope/format/trace.hpp"

namespace taskscope::cli {
namespace {

struct ExportOptions {
  std::string file;
  std::string format;
  std::string output;
};

int run_export(const ExportOptions& options) {
  analyzer::ChromeExportSummary summary;
  try {
    summary = analyzer::export_chrome(options.file, options.output);
  } catch (const format::TraceError&) {
    throw;  // unreadable input: main reports it
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());  // the output could not be written
  }
  if (options.output != "-")
    std::fprintf(stderr,
                 "wrote %s: %llu slices, %llu flows, %llu counter samples from %llu events; "
                 "open it at https://ui.perfetto.dev (Open trace file)\n",
                 options.output.c_str(), static_cast<unsigned long long>(summary.slices),
                 static_cast<unsigned long long>(summary.flows),
                 static_cast<unsigned long long>(summary.counters),
                 static_cast<unsigned long long>(summary.events_read));
  return 0;
}

const bool kRegistered = register_command(42, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "export", "Export a trace as Chrome trace-event JSON (Perfetto, chrome://tracing)");
  auto options = std::make_shared<ExportOptions>();
  sub->add_option("file", options->file, "Trace file (.tscope)")->required();
  sub->add_option("--format", options->format, "Export format")
      ->required()
      ->check(CLI::IsMember({"chrome"}));
  sub->add_option("-o,--output", options->output, "Output file (- for standard output)")
      ->required();
  return Command{sub, [options] { return run_export(*options); }};
});

}  // namespace
}  // namespace taskscope::cli
