// The text report: the verdict first; then each stuck-set
// finding as a story (the cycle drawn, every stuck agent with its wait, holds,
// spawn chain and span stack, why it cannot resolve, what fixes it); then the
// other warnings; then the census and a line about the trace itself.
#include <algorithm>
#include <cctype>

#include "taskscope/analyzer/report.hpp"
#include "report/symbols_line.hpp"

namespace taskscope::analyzer {

namespace {

std::string headline(const Finding& finding) {
  return finding_heading(finding) + ": " + finding.summary;
}

constexpr size_t kProseWidth = 96;

// Prose lines (sentences; agent lines are laid out in columns with double
// spaces and keep their length) wrap at word boundaries, continuation lines
// indented under the first.
void add_line(const std::string& line, const std::string& indent, std::string& out) {
  const bool prose = line.find("  ") == std::string::npos && !line.empty() && line[0] != ' ';
  if (!prose || line.size() <= kProseWidth) {
    out += indent + line + "\n";
    return;
  }
  size_t begin = 0;
  std::string lead = indent;
  while (line.size() - begin > kProseWidth) {
    size_t cut = line.rfind(' ', begin + kProseWidth);
    if (cut == std::string::npos || cut <= begin) cut = line.find(' ', begin + kProseWidth);
    if (cut == std::string::npos) break;
    out += lead + line.substr(begin, cut - begin) + "\n";
    begin = cut + 1;
    lead = indent + "  ";
  }
  out += lead + line.substr(begin) + "\n";
}

void story(const Finding& finding, bool with_headline, std::string& out) {
  if (with_headline) out += headline(finding) + "\n";
  out += "\n";
  if (const std::vector<std::string> diagram = cycle_diagram(finding); !diagram.empty()) {
    for (const auto& line : diagram) out += "  " + line + "\n";
    out += "\n";
  }
  for (const auto& line : finding.explanation) add_line(line, "  ", out);
  out += "\n";
}

}  // namespace

bool is_stuck_story(FindingKind kind) {
  return kind == FindingKind::kDeadlock || kind == FindingKind::kChannelFullCycle ||
         kind == FindingKind::kBlockedForever || kind == FindingKind::kLostWakeup;
}

std::string finding_heading(const Finding& finding) {
  std::string kind(finding_kind_name(finding.kind));
  for (char& c : kind) c = c == '_' ? ' ' : static_cast<char>(std::toupper(c));
  if (finding.kind == FindingKind::kChannelFullCycle) kind = "CHANNEL-FULL CYCLE";
  if (finding.severity != Severity::kError) kind = "POSSIBLE " + kind;
  return kind;
}

std::string render_text(const Analysis& analysis) {
  const Report& report = analysis.report();
  std::string out;
  std::vector<const Finding*> stories, warnings, notes;
  for (const Finding& finding : report.findings) {
    if (is_stuck_story(finding.kind))
      stories.push_back(&finding);
    else if (finding.severity == Severity::kInfo)
      notes.push_back(&finding);
    else
      warnings.push_back(&finding);
  }

  // Verdict.
  // Why the file was written (the watchdog, a signal) describes its end: an
  // earlier --at says nothing about it.
  const bool at_end = report.at_ns >= report.trace.end_ns;
  std::string when = "at " + Names::time(report.at_ns);
  if (at_end) when += ", the end of the trace";
  if (at_end && !report.trace.reason.empty()) when += " (written on " + report.trace.reason + ")";
  if (!stories.empty()) {
    out += headline(*stories.front());
    if (stories.size() > 1) out += "  [+" + std::to_string(stories.size() - 1) + " more below]";
    out += "\n";
    out += "State " + when + "\n";
    story(*stories.front(), false, out);
    for (size_t i = 1; i < stories.size(); ++i) story(*stories[i], true, out);
  } else if (size_t stalled = std::count_if(warnings.begin(), warnings.end(), [](const Finding* f) {
               return f->kind == FindingKind::kStalled;
             });
             stalled > 0) {
    // Waits that went on and on, but that the trace cannot prove endless.
    out += "STALLED: " + std::to_string(stalled) + (stalled == 1 ? " agent" : " agents") +
           " made no progress, none provably stuck, " + when + "\n\n";
  } else {
    out += "OK: no agent is stuck " + when;
    if (!warnings.empty())
      out += ", but " + std::to_string(warnings.size()) + " warning" +
             (warnings.size() == 1 ? "" : "s");
    out += "\n";
    if (at_end && report.trace.reason == "hang" && warnings.empty())
      add_line(
          "The watchdog saw no progress, but no recorded wait explains it: a thread outside "
          "recorded waits may be blocked where nothing is recorded (std::future, atomic waits, "
          "C++20 semaphores, raw futex calls) or busy without recording anything.",
          "", out);
    out += "\n";
  }

  if (!warnings.empty()) {
    out += "Warnings\n";
    for (const Finding* finding : warnings) {
      out += "  " + std::string(finding_kind_name(finding->kind)) + "  " + finding->summary + "\n";
      for (const auto& line : finding->explanation) add_line(line, "      ", out);
    }
    out += "\n";
  }
  if (!notes.empty()) {
    out += "Notes\n";
    for (const Finding* finding : notes) {
      out += "  " + std::string(finding_kind_name(finding->kind)) + "  " + finding->summary + "\n";
      for (const auto& line : finding->explanation) add_line(line, "      ", out);
    }
    out += "\n";
  }
  for (const auto& line : report.census) out += line + "\n";
  const TraceInfo& trace = report.trace;
  out += "Trace: " + (trace.path.empty() ? std::string() : trace.path + ", ") +
         Names::count(trace.events) + " events over " + Names::duration(trace.duration_ns) + ", " +
         Names::count(trace.dropped_events) + " dropped, " +
         (trace.status.empty() ? std::string(trace.truncated ? "truncated" : "complete")
                               : trace.status) +
         ".\n";
  if (trace.inconsistent_events > 0)
    out += "  " + Names::count(trace.inconsistent_events) +
           (trace.inconsistent_events == 1 ? " event contradicted" : " events contradicted") +
           " the state before it (a lost event or a damaged trace); replay kept the later "
           "word.\n";
  if (!trace.missing_modules.empty()) out += "  " + symbols_line(trace.missing_modules) + "\n";
  return out;
}

}  // namespace taskscope::analyzer
