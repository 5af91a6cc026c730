// `taskscope report`: the analysis of one trace as a single self-contained HTML
// page (docs/html-report.md): the verdict and findings as in the text report,
// each cycle drawn as a graph, a per-agent table, a timeline of every thread and
// task, agents by state over time and the depth of every channel. Styles,
// scripts and data are inline; the page loads nothing from the network.
#pragma once

#include <iosfwd>
#include <string>

#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/diff.hpp"

namespace taskscope::analyzer {

// Writes the page of `analysis`, made from the trace at `trace_path` (read again
// for the per-agent statistics and the timeline; format::TraceError when that
// fails). Memory and output are bounded whatever the trace's length.
void write_html_report(const Analysis& analysis, const std::string& trace_path, std::ostream& out);

// `taskscope diff --format html`: the changes of `new_path` against `base_path`
// (as diff_traces() finds them), with the two distributions of each
// significant metric drawn side by side.
void write_diff_html(const std::string& base_path, const std::string& new_path,
                     const DiffOptions& options, std::ostream& out);

}  // namespace taskscope::analyzer
