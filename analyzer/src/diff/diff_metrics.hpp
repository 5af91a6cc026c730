// The aggregates of one trace as a flat list of named metrics, the unit the diff
// compares (private to the analyzer).
#pragma once

#include <string>
#include <vector>

#include "taskscope/analyzer/diff.hpp"
#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer::stats {

// How a metric is summarised and tested.
enum class Measure {
  kTotalTime,  // sum of per-event durations; rank test on the events, count test on how many
  kCount,      // how often something happened; Poisson count test
  kMean,       // mean of per-event values (bytes, depth); rank test
  kUntested,   // derived figure without per-event samples (max depth, utilisation)
};

// One metric of one name. `dist` points into the TraceStats it came from, which
// must outlive the series.
struct MetricSeries {
  DiffKind kind = DiffKind::kTask;
  std::string subject;  // "task", "thread", "span", "mutex", "channel", ...
  std::string name;
  std::string metric;
  std::string unit;
  Measure measure = Measure::kUntested;
  const Distribution* dist = nullptr;
  double value = 0;
  uint64_t count = 0;

  std::string key() const;        // identifies the metric across traces
  std::string owner_key() const;  // identifies the name (kind, subject, name)
};

std::vector<MetricSeries> flatten(const TraceStats& stats);

// Total time attributed to each name (busy + blocked, span time, hold + wait),
// keyed by owner_key(), with kind/subject/name filled in.
std::vector<NameOnlyInOne> name_totals(const TraceStats& stats);
std::string owner_key(DiffKind kind, const std::string& subject, const std::string& name);

}  // namespace taskscope::analyzer::stats
