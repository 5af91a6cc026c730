// Agents by state over time (see state_timeline.hpp).
#include "stats/state_timeline.hpp"

#include <algorithm>

namespace taskscope::analyzer::stats {

StateTimeline::StateTimeline(size_t max_intervals)
    : max_intervals_(std::max<size_t>(max_intervals, 2)) {}

void StateTimeline::change(int64_t ts, int from, int to) {
  advance(ts);
  if (from >= 0) --counts_[static_cast<size_t>(from)];
  if (to >= 0) ++counts_[static_cast<size_t>(to)];
}

void StateTimeline::finish(int64_t end_ns) { advance(end_ns); }

void StateTimeline::advance(int64_t ts) {
  if (!started_) {
    started_ = true;
    origin_ns_ = last_ns_ = ts;
    return;
  }
  if (ts <= last_ns_) return;
  const auto max = static_cast<int64_t>(max_intervals_);
  while (ts - origin_ns_ > width_ns_ * max) {
    // Double the width: interval i of the new layout is old 2i and 2i+1.
    std::vector<std::array<double, kAgentStates>> merged((area_.size() + 1) / 2);
    for (size_t i = 0; i < area_.size(); ++i)
      for (size_t s = 0; s < kAgentStates; ++s) merged[i / 2][s] += area_[i][s];
    area_ = std::move(merged);
    width_ns_ *= 2;
  }
  while (last_ns_ < ts) {
    const auto index = static_cast<size_t>((last_ns_ - origin_ns_) / width_ns_);
    const int64_t interval_end = origin_ns_ + (static_cast<int64_t>(index) + 1) * width_ns_;
    const int64_t until = std::min(ts, interval_end);
    if (area_.size() <= index) area_.resize(index + 1);
    for (size_t s = 0; s < kAgentStates; ++s)
      area_[index][s] += static_cast<double>(counts_[s]) * static_cast<double>(until - last_ns_);
    last_ns_ = until;
  }
}

std::vector<StateInterval> StateTimeline::intervals() const {
  std::vector<StateInterval> out;
  for (size_t i = 0; i < area_.size(); ++i) {
    StateInterval interval;
    interval.start_ns = origin_ns_ + static_cast<int64_t>(i) * width_ns_;
    interval.end_ns = std::min(interval.start_ns + width_ns_, last_ns_);
    const double length = static_cast<double>(interval.end_ns - interval.start_ns);
    if (length <= 0) continue;
    for (size_t s = 0; s < kAgentStates; ++s) interval.mean[s] = area_[i][s] / length;
    out.push_back(interval);
  }
  return out;
}

}  // namespace taskscope::analyzer::stats
