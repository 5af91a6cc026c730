// `taskscope diff BASE NEW [--by task|span|resource] [--format text|json|html]`:
// between two runs, where did the time go, and is the change beyond noise?
#include "taskscope/analyzer/diff.hpp"

#include <iostream>
#include <memory>

#include "command.hpp"
#include "taskscope/analyzer/html_report.hpp"

namespace taskscope::cli {
namespace {

struct DiffCommandOptions {
  std::string base, now;
  std::string by;
  std::string format = "text";
};

int run_diff(const DiffCommandOptions& options) {
  analyzer::DiffOptions diff_options;
  if (options.by == "task") diff_options.by = analyzer::DiffKind::kTask;
  if (options.by == "span") diff_options.by = analyzer::DiffKind::kSpan;
  if (options.by == "resource") diff_options.by = analyzer::DiffKind::kResource;
  if (options.format == "html") {  // docs/html-report.md
    analyzer::write_diff_html(options.base, options.now, diff_options, std::cout);
    std::cout.flush();
    return std::cout ? 0 : 2;
  }
  const analyzer::DiffResult diff = analyzer::diff_traces(options.base, options.now, diff_options);
  if (options.format == "json")
    analyzer::write_diff_json(diff, std::cout);
  else
    analyzer::write_diff_text(diff, std::cout);
  std::cout.flush();
  return std::cout ? 0 : 2;
}

const bool kRegistered = register_command(41, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "diff", "Compare two traces: what changed, by how much, and whether beyond noise");
  auto options = std::make_shared<DiffCommandOptions>();
  sub->add_option("base", options->base, "Trace of the baseline run")->required();
  sub->add_option("new", options->now, "Trace of the new run")->required();
  sub->add_option("--by", options->by, "Only compare names of this kind")
      ->check(CLI::IsMember({"task", "span", "resource"}));
  sub->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "html"}));
  return Command{sub, [options] { return run_diff(*options); }};
});

}  // namespace
}  // namespace taskscope::cli
