// Rendering an analysis: the text report (verdict first, then each finding as a
// story, then warnings, census and a trace line), the JSON report
// (schema taskscope.report/2, docs/report-schema.md) and the wait-for graph
// as Graphviz dot.
#pragma once

#include <string>
#include <vector>

#include "taskscope/analyzer/analysis.hpp"

namespace taskscope::analyzer {

std::string render_text(const Analysis& analysis);
// The kinds told as the story of stuck agents (deadlock, channel-full cycle,
// blocked forever, lost wakeup): they decide the verdict of every rendering.
bool is_stuck_story(FindingKind kind);
// How a finding is headed: "CHANNEL-FULL CYCLE", "POSSIBLE LOCK ORDER INVERSION".
std::string finding_heading(const Finding& finding);
// The cycle of a stuck finding drawn top to bottom from its in-cycle wait edges,
// each agent waiting for the next; empty when it has none.
std::vector<std::string> cycle_diagram(const Finding& finding);
// One edge as a step of the story: "waits to lock mutex "b", owned by",
// "sends to channel "x" (bounded, 8/8 full); receiver held by".
std::string wait_step_phrase(const Finding& finding, const FindingWait& wait);
std::string render_json(const Analysis& analysis);
std::string render_dot(const Analysis& analysis);

// One structure of the JSON report as it appears there (Finding, AgentRef,
// ResourceRef, SourceLocation), for documents that share them (docs/top.md).
template <typename Structure>
std::string render_json_part(const Structure& structure);

// JSON string literal with escapes ("\"a\\nb\"").
std::string json_quote(std::string_view text);

}  // namespace taskscope::analyzer
