// The HTML report's per-agent table (private to the analyzer): one row per task
// or thread name from `taskscope stats` (busy time, blocked time by kind,
// scheduling latency, memory), with who spawned agents of that name, from the
// replay state. The page's script sorts it by any column (data-sort values).
#pragma once

#include <string>

#include "taskscope/analyzer/analysis.hpp"
#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer::html {

std::string agent_table(const Analysis& analysis, const TraceStats& stats);

}  // namespace taskscope::analyzer::html
