// The data the HTML report's scripts draw, as one JSON document embedded in the
// page (private to the analyzer; its fields are listed in docs/html-report.md).
#pragma once

#include <string>

#include "html/timeline_summary.hpp"
#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer::html {

// Times are nanoseconds from the trace's start. The result is safe inside a
// <script type="application/json"> element (no "</" in it).
std::string page_data_json(const Analysis& analysis, const TraceStats& stats,
                           const TimelineSummary& timeline);

// The timeline part alone ("timeline" in the document): lanes, strings,
// slices, folded cells and arrows; its size is what the summary bounds.
std::string timeline_json(const TimelineSummary& timeline);

// JSON text made safe to embed in a <script> element: "</" becomes "<\/", which
// JSON reads back as the same string.
std::string script_safe(std::string json);

}  // namespace taskscope::analyzer::html
