// Agents by state over time, in a bounded number of intervals.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "taskscope/analyzer/stats.hpp"

namespace taskscope::analyzer::stats {

// Integrates the number of agents in each state over time into equal-width
// intervals starting at the first event. The trace length is unknown while
// streaming, so the width starts at 1 us and doubles (merging neighbours) whenever
// the trace outgrows `max_intervals`. Invariant: area_.size() <= max_intervals and
// area_[i][s] is the integral of count(s) over interval i (agent * ns).
class StateTimeline {
 public:
  static constexpr int kNoState = -1;

  explicit StateTimeline(size_t max_intervals);
  // Moves one agent from state `from` to state `to` (either may be kNoState) at `ts`.
  void change(int64_t ts, int from, int to);
  void finish(int64_t end_ns);
  std::vector<StateInterval> intervals() const;

 private:
  void advance(int64_t ts);
  // Points the cursor at the interval that holds last_ns_.
  void seek();

  size_t max_intervals_;
  bool started_ = false;
  int64_t origin_ns_ = 0;
  int64_t width_ns_ = 1000;
  int64_t last_ns_ = 0;
  // The interval that holds last_ns_ and where it ends; valid while
  // last_ns_ < cursor_end_ns_ and the width is unchanged. Most events fall in
  // the interval of the one before, which then costs no division.
  size_t cursor_ = 0;
  int64_t cursor_end_ns_ = std::numeric_limits<int64_t>::min();
  std::array<int64_t, kAgentStates> counts_{};
  std::vector<std::array<double, kAgentStates>> area_;
};

}  // namespace taskscope::analyzer::stats
