// Sentences and values of the diff report (see diff_words.hpp).
#include "diff/diff_words.hpp"

#include <cmath>
#include <cstdio>

#include "common/units.hpp"

namespace taskscope::analyzer::stats {

std::string p_text(double p) {
  if (p < 0.001) return "p < 0.001";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "p = %.3f", p);
  return buffer;
}

std::string show_value(const MetricChange& c, double v) {
  if (c.unit == "ns") return stats::format_duration(static_cast<int64_t>(std::llround(v)));
  if (c.unit == "bytes") return stats::format_bytes(static_cast<int64_t>(std::llround(v)));
  if (c.unit == "count") return stats::format_count(static_cast<uint64_t>(std::llround(v)));
  if (c.unit == "ratio") return stats::format_percent(v);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

// "time blocked on mutex `cache_lock`", "busy time of thread `fetcher`", ...
std::string describe(const MetricChange& c) {
  const std::string who = c.subject + " `" + printable(c.name) + "`";
  const std::string& m = c.metric;
  if (m.rfind("blocked_", 0) == 0) {
    const std::string cause = m.substr(8);
    if (c.kind == DiffKind::kResource) {
      if (cause == "send") return "time blocked sending on " + who;
      if (cause == "recv") return "time blocked receiving on " + who;
      return "time blocked on " + who;
    }
    const std::string what = cause == "send"   ? "channel send"
                             : cause == "recv" ? "channel recv"
                                               : cause;
    if (c.kind == DiffKind::kSpan) return "time blocked on " + what + " inside " + who;
    return "time " + who + " was blocked on " + what;
  }
  if (m == "hold_time") return "time " + who + " was held";
  if (m == "busy_time") return "busy time of " + who;
  if (m == "sched_latency") return "scheduling latency of " + who;
  if (m == "duration") return "time in " + who;
  if (m == "agents") return "number of " + c.subject + "s named `" + printable(c.name) + "`";
  if (m == "memory_peak") return "mean peak memory of " + who;
  if (m == "depth_mean") return "mean depth of " + who;
  if (m == "depth_max") return "maximum depth of " + who;
  if (m == "contended") return "contended acquisitions of " + who;
  return m + " of " + who;
}

}  // namespace taskscope::analyzer::stats
