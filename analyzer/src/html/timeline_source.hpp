// Where the HTML report's timeline comes from: the Chrome trace-event export
// (chrome_export.hpp), which already turns the trace into slices per thread and
// task (polls, waits, spans, lock holds, spawn arrows, channel depth). The
// export streams through a pipe into RapidJSON's SAX reader, which feeds a
// TimelineSummary, so memory stays bounded by the summary (and the export's
// own state), not by the trace (docs/html-report.md).
#pragma once

#include <string>

#include "html/timeline_summary.hpp"

namespace taskscope::analyzer::html {

// Reads the trace at `trace_path` (format::TraceError when unreadable) and adds
// its timeline to `summary`.
void read_timeline(const std::string& trace_path, TimelineSummary& summary);

}  // namespace taskscope::analyzer::html
