// `taskscope diff BASE NEW`: between two runs, where did the time go?
//
// Both traces are aggregated as by `taskscope stats` (keeping a bounded reservoir
// of per-event samples per name and metric), matched by name, and every metric is
// reported with its absolute and relative change, sorted by the change's effect on
// total time. The names are the naming service's (name_resolver.hpp): a thread by
// its start routine, a static lock by its variable, an unnamed lock by the line
// of its first use; never an address, which moves with each run of a PIE. A change is significant only when
//   - a test says the runs differ: Mann-Whitney U on the per-event samples (the
//     rank test Go's benchstat uses) or, for how often something happened, a
//     Poisson count test, at p < alpha; and
//   - the effect is large enough to matter: the median (for a shift) or the count
//     moved by at least min_change, and so did the total.
// A metric with so few per-event values that no test could reach alpha (one
// wait a side) is not tested at all, and said to be: it is not "within noise".
// The second rule exists because per-event samples are large: with 4096 waits a
// side, a 0.5 % shift caused by a warmer cache is "significant" to any test yet
// means nothing to the user. Everything else is marked `~` (within noise).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer {

// What a changed name is: an agent (task or thread), a span or a resource.
enum class DiffKind : uint8_t { kTask, kSpan, kResource };
std::string_view diff_kind_name(DiffKind kind);  // "task", "span", "resource"

struct DiffOptions {
  std::optional<DiffKind> by;      // only names of this kind; all kinds when empty
  double alpha = 0.05;             // significance level, as benchstat's default
  double min_change = 0.05;        // smallest relative change that counts as an effect
  uint32_t reservoir_size = 4096;  // per-event samples kept per name and metric
};

struct MetricChange {
  DiffKind kind = DiffKind::kTask;
  std::string name;
  std::string subject;       // what the name is, for sentences: "mutex", "thread", "span"
  std::string metric;        // "blocked_lock", "hold_time", "busy_time", "acquisitions", ...
  std::string unit;          // "ns", "count", "bytes", "items", "ratio"
  double base = 0, now = 0;  // totals (ns, count) or means (bytes, items, ratio)
  uint64_t base_events = 0, new_events = 0;  // per-event values behind base and now
  // Median per event (time and mean metrics): what "the typical wait" did, which
  // decides significance together with the test; a total can move on tails alone.
  std::optional<double> base_median, new_median;
  double delta() const { return now - base; }
  std::optional<double> relative() const;  // delta / base; empty when base is 0
  std::optional<double> p;                 // empty when the metric is not tested
  bool too_few_samples = false;            // not tested: no outcome could reach alpha
  bool significant = false;
  double effect_ns() const;  // |delta| for time metrics, else 0: the sort key
};

struct NameOnlyInOne {
  DiffKind kind = DiffKind::kTask;
  std::string name;
  std::string subject;
  int64_t total_ns = 0;  // busy + blocked, span time, or hold + wait time
};

struct DiffResult {
  TraceSummary base, now;
  bool same_program() const { return base.process == now.process; }
  DiffOptions options;
  std::vector<MetricChange> changes;  // largest effect on total time first
  std::vector<NameOnlyInOne> only_in_base, only_in_new;
  std::string headline;  // where the change concentrates, in one sentence
};

DiffResult diff_stats(const TraceStats& base, const TraceStats& now, const DiffOptions& options);
// Reads both traces (format::TraceError on unreadable input) and diffs them.
DiffResult diff_traces(const std::string& base_path, const std::string& new_path,
                       const DiffOptions& options);

void write_diff_text(const DiffResult& diff, std::ostream& out);
// {"schema": "taskscope.diff/1", "changes": [{"name", "kind", "metric", "base", "new",
//  "delta", "significant", ...}], ...}, changes largest effect first.
void write_diff_json(const DiffResult& diff, std::ostream& out);

}  // namespace taskscope::analyzer
