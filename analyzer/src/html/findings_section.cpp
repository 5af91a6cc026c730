// Verdict and findings as HTML (see findings_section.hpp).
#include "html/findings_section.hpp"

#include <algorithm>

#include "html/cycle_graph.hpp"
#include "taskscope/analyzer/report.hpp"
#include "html/html_text.hpp"

namespace taskscope::analyzer::html {
namespace {

std::string when(const Report& report) {
  const bool at_end = report.at_ns >= report.trace.end_ns;
  std::string text = "at " + Names::time(report.at_ns);
  if (at_end) text += ", the end of the trace";
  if (at_end && !report.trace.reason.empty()) text += " (written on " + report.trace.reason + ")";
  return text;
}

// Explanation lines: sentences become paragraphs; agent lines, laid out in
// columns with double spaces, stay preformatted.
std::string explanation(const Finding& finding) {
  std::string out;
  std::string block;
  auto flush = [&] {
    if (!block.empty()) out += "<pre class=\"agents\">" + block + "</pre>\n";
    block.clear();
  };
  for (const std::string& line : finding.explanation) {
    const bool prose = line.find("  ") == std::string::npos && !line.empty() && line[0] != ' ';
    if (prose) {
      flush();
      out += "<p>" + escape(line) + "</p>\n";
    } else {
      block += escape(line) + "\n";
    }
  }
  flush();
  return out;
}

std::string waits_table(const Finding& finding) {
  if (finding.wait_edges.empty()) return std::string();
  std::string out =
      "<table class=\"waits\"><thead><tr><th>agent</th><th>waits</th><th>on</th>"
      "<th>for</th><th>since</th><th>where</th></tr></thead><tbody>\n";
  for (const FindingWait& w : finding.wait_edges) {
    out += std::string("<tr") + (w.in_cycle ? " class=\"in-cycle\"" : "") + ">";
    out += "<td>" + escape(w.agent.name) + "</td>";
    out += "<td>" + escape(wait_kind_name(w.kind)) + "</td>";
    out += "<td>" + (w.resource ? escape(w.resource->name) : std::string()) + "</td>";
    out += "<td>" + (w.waits_for ? escape(w.waits_for->name) : std::string("&mdash;"));
    if (w.reason)
      out += " <span class=\"muted\">(" + escape(wait_reason_name(*w.reason)) + ")</span>";
    if (w.assumed) out += " <span class=\"muted\">(assumed)</span>";
    out += "</td>";
    out += "<td>" + (w.since_ns >= 0 ? escape(Names::time(w.since_ns)) : std::string()) + "</td>";
    out += "<td class=\"location\">" + escape(w.location.text) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string agents_list(const Finding& finding) {
  std::string out;
  for (const AgentRef& agent : finding.agents) {
    if (!agent.spawned_at.known() && agent.holds.empty()) continue;
    out += "<li><b>" + escape(agent.name) + "</b> <span class=\"muted\">" + escape(agent.state) +
           "</span>";
    if (agent.spawned_at.known()) {
      out += " spawned";
      if (!agent.spawn_chain.empty()) out += " by " + escape(agent.spawn_chain.front().name);
      out += " at <span class=\"location\">" + escape(agent.spawned_at.text) + "</span>";
    }
    for (const AgentHold& hold : agent.holds)
      out += "; holds " + escape(hold.resource.name) +
             (hold.location.known()
                  ? " (taken at <span class=\"location\">" + escape(hold.location.text) + "</span>)"
                  : std::string());
    out += "</li>\n";
  }
  return out.empty() ? out : "<ul class=\"finding-agents\">\n" + out + "</ul>\n";
}

std::string finding_article(const Finding& finding, size_t index) {
  const std::string severity(severity_name(finding.severity));
  std::string out = "<article class=\"finding " + severity + "\" id=\"finding-" +
                    std::to_string(index) + "\" data-kind=\"" +
                    escape(finding_kind_name(finding.kind)) + "\">\n";
  out += "<h3><span class=\"badge " + severity + "\">" + escape(finding_heading(finding)) +
         "</span> <span class=\"summary\">" + escape(finding.summary) + "</span></h3>\n";
  if (finding.since_ns >= 0)
    out += "<p class=\"muted\">since " + escape(Names::time(finding.since_ns)) + "</p>\n";
  // A graph when there is a cycle or a chain to see; one wait reads as well in the table.
  const bool drawn = finding.wait_edges.size() > 1 ||
                     std::any_of(finding.wait_edges.begin(), finding.wait_edges.end(),
                                 [](const FindingWait& w) { return w.in_cycle; });
  const std::string svg = drawn ? cycle_svg(finding, "f" + std::to_string(index)) : "";
  const std::vector<std::string> diagram = cycle_diagram(finding);
  if (!svg.empty() || !diagram.empty()) {
    out += "<div class=\"story\">\n";
    if (!svg.empty()) out += "<figure class=\"graph\">" + svg + "</figure>\n";
    if (!diagram.empty()) {
      out += "<pre class=\"diagram\">";
      for (const std::string& line : diagram) out += escape(line) + "\n";
      out += "</pre>\n";
    }
    out += "</div>\n";
  }
  out += explanation(finding);
  out += waits_table(finding);
  out += agents_list(finding);
  return out + "</article>\n";
}

}  // namespace

std::string verdict_section(const Report& report) {
  const auto story = std::find_if(report.findings.begin(), report.findings.end(),
                                  [](const Finding& f) { return is_stuck_story(f.kind); });
  const size_t stalled =
      std::count_if(report.findings.begin(), report.findings.end(),
                    [](const Finding& f) { return f.kind == FindingKind::kStalled; });
  const size_t warnings =
      std::count_if(report.findings.begin(), report.findings.end(),
                    [](const Finding& f) { return f.severity == Severity::kWarning; });
  std::string cls, text;
  if (story != report.findings.end()) {
    cls = story->severity == Severity::kError ? "error" : "warning";
    text = finding_heading(*story) + ": " + story->summary;
  } else if (stalled > 0) {
    cls = "warning";
    text = "STALLED: " + std::to_string(stalled) + (stalled == 1 ? " agent" : " agents") +
           " made no progress, none provably stuck";
  } else {
    cls = warnings > 0 ? "warning" : "ok";
    text = "OK: no agent is stuck";
    if (warnings > 0)
      text += ", but " + std::to_string(warnings) + " warning" + (warnings == 1 ? "" : "s");
  }
  return "<section id=\"verdict\" class=\"verdict " + cls + "\">\n<p class=\"headline\">" +
         escape(text) + "</p>\n<p>State " + escape(when(report)) + "</p>\n</section>\n";
}

std::string findings_section(const Report& report) {
  std::string out = "<section id=\"findings\">\n<h2>Findings</h2>\n";
  if (report.findings.empty()) out += "<p class=\"muted\">No findings.</p>\n";
  for (size_t i = 0; i < report.findings.size(); ++i) out += finding_article(report.findings[i], i);
  return out + "</section>\n";
}

}  // namespace taskscope::analyzer::html
