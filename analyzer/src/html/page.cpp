// The HTML report's page (see html_report.hpp and docs/html-report.md): the
// common head (page_frame.hpp), the server-rendered verdict, findings and
// tables, the data the scripts draw the timeline and charts from, and the
// scripts (assets/, embedded by embed_assets.cmake).
#include <algorithm>
#include <ostream>

#include "html/agent_table.hpp"
#include "html/findings_section.hpp"
#include "html/html_assets.hpp"
#include "html/html_text.hpp"
#include "html/page_data.hpp"
#include "html/page_frame.hpp"
#include "html/timeline_source.hpp"
#include "taskscope/analyzer/chrome_export.hpp"
#include "taskscope/analyzer/html_report.hpp"

namespace taskscope::analyzer {
namespace {

// The findings' agents keep every slice, and so does the time around each
// finding and the instant analyzed (TimelineSummary's focus).
html::TimelineSummary summarised_timeline(const Analysis& analysis, const std::string& path) {
  const Report& report = analysis.report();
  html::TimelineSummary timeline(report.trace.start_ns, report.trace.end_ns);
  const int64_t pad = std::max<int64_t>(report.trace.duration_ns / 50, 1);
  timeline.focus_time(report.at_ns - pad, report.at_ns);
  for (const Finding& finding : report.findings) {
    if (finding.severity == Severity::kInfo) continue;
    for (const AgentRef& agent : finding.agents)
      timeline.focus_agent(agent.type == "task" ? kChromeTasksPid : kChromeThreadsPid, agent.id);
    if (finding.since_ns >= 0) timeline.focus_time(finding.since_ns - pad, finding.since_ns + pad);
  }
  html::read_timeline(path, timeline);
  return timeline;
}

std::string trace_line(const TraceInfo& trace) {
  return (trace.path.empty() ? std::string() : trace.path + ", ") + Names::count(trace.events) +
         " events over " + Names::duration(trace.duration_ns) + ", " +
         Names::count(trace.dropped_events) + " dropped, " +
         (trace.status.empty() ? std::string(trace.truncated ? "truncated" : "complete")
                               : trace.status);
}

}  // namespace

void write_html_report(const Analysis& analysis, const std::string& trace_path, std::ostream& out) {
  using html::escape;
  const Report& report = analysis.report();
  StatsOptions stats_options;
  stats_options.timeline_intervals = 240;
  const TraceStats stats = compute_stats(trace_path, stats_options);
  const html::TimelineSummary timeline = summarised_timeline(analysis, trace_path);
  const std::string process = report.trace.process.empty() ? "process" : report.trace.process;

  out << html::page_head("taskscope report: " + process);
  out << "<header><h1>taskscope report <span class=\"process\">" << escape(process)
      << "</span></h1>\n<p class=\"muted\">" << escape(trace_line(report.trace)) << "</p>\n"
      << "<nav><a href=\"#findings\">Findings</a> <a href=\"#timeline\">Timeline</a> "
      << "<a href=\"#states\">States over time</a> <a href=\"#channels\">Channels</a> "
      << "<a href=\"#agents\">Agents</a></nav></header>\n<main>\n";
  out << html::verdict_section(report) << html::findings_section(report);
  out << "<section id=\"timeline\">\n<h2>Timeline</h2>\n"
      << "<p class=\"muted hint\">One lane per thread and task. Drag to pan, wheel to zoom, "
      << "hover for details.</p>\n<div id=\"timeline-view\"></div>\n</section>\n";
  out << "<section id=\"states\">\n<h2>Threads and tasks by state over time</h2>\n"
      << "<div id=\"state-chart\"></div>\n</section>\n";
  out << "<section id=\"channels\">\n<h2>Channel depth over time</h2>\n"
      << "<div id=\"channel-charts\"></div>\n</section>\n";
  out << "<section id=\"agents\">\n<h2>Agents</h2>\n<p class=\"muted hint\">Per task or "
      << "thread name; click a column to sort.</p>\n<div class=\"table-wrap\">"
      << html::agent_table(analysis, stats) << "</div>\n</section>\n";
  out << "<section id=\"census\">\n<h2>Census</h2>\n";
  for (const std::string& line : report.census) out << "<p>" << escape(line) << "</p>\n";
  out << "</section>\n</main>\n";
  out << "<script type=\"application/json\" id=\"taskscope-data\">"
      << html::page_data_json(analysis, stats, timeline) << "</script>\n";
  out << "<script>\n" << html::kSortableJs << "</script>\n";
  out << "<script>\n" << html::kReportJs << "</script>\n</body>\n</html>\n";
}

}  // namespace taskscope::analyzer
