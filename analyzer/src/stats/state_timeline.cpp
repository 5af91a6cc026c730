// Agents by state over time (see state_timeline.hpp).
#include "stats/state_timeline.hpp"

#include <algorithm>
#include <climits>

namespace taskscope::analyzer::stats {

StateTimeline::StateTimeline(size_t max_intervals)
    : max_intervals_(std::max<size_t>(max_intervals, 2)) {}

void StateTimeline::change(int64_t ts, int from, int to) {
  advance(ts);
  if (from >= 0) --counts_[static_cast<size_t>(from)];
  if (to >= 0) ++counts_[static_cast<size_t>(to)];
}

void StateTimeline::finish(int64_t end_ns) { advance(end_ns); }

// Spans between trace times may not fit in int64 (a damaged or forged trace
// can hold any time): they are computed in 128 bits, and the width stops
// doubling before it overflows.
using Wide = __int128;

namespace {
int64_t clamp_ns(Wide ns) {
  return static_cast<int64_t>(std::clamp<Wide>(ns, INT64_MIN, INT64_MAX));
}
}  // namespace

void StateTimeline::seek() {
  cursor_ = static_cast<size_t>((Wide{last_ns_} - origin_ns_) / width_ns_);
  cursor_end_ns_ = clamp_ns(origin_ns_ + Wide(cursor_ + 1) * width_ns_);
  if (area_.size() <= cursor_) area_.resize(cursor_ + 1);
}

void StateTimeline::advance(int64_t ts) {
  if (!started_) {
    started_ = true;
    origin_ns_ = last_ns_ = ts;
    return;
  }
  if (ts <= last_ns_) return;
  if (ts >= cursor_end_ns_) {
    const auto max = static_cast<Wide>(max_intervals_);
    while (Wide{ts} - origin_ns_ > Wide{width_ns_} * max && width_ns_ <= INT64_MAX / 2) {
      // Double the width: interval i of the new layout is old 2i and 2i+1.
      std::vector<std::array<double, kAgentStates>> merged((area_.size() + 1) / 2);
      for (size_t i = 0; i < area_.size(); ++i)
        for (size_t s = 0; s < kAgentStates; ++s) merged[i / 2][s] += area_[i][s];
      area_ = std::move(merged);
      width_ns_ *= 2;
      cursor_end_ns_ = std::numeric_limits<int64_t>::min();
    }
  }
  while (last_ns_ < ts) {
    if (last_ns_ >= cursor_end_ns_) seek();
    const int64_t until = std::min(ts, cursor_end_ns_);
    int64_t span = 0;
    const double length = __builtin_sub_overflow(until, last_ns_, &span)
                              ? static_cast<double>(Wide{until} - last_ns_)
                              : static_cast<double>(span);
    for (size_t s = 0; s < kAgentStates; ++s)
      area_[cursor_][s] += static_cast<double>(counts_[s]) * length;
    last_ns_ = until;
  }
}

std::vector<StateInterval> StateTimeline::intervals() const {
  std::vector<StateInterval> out;
  for (size_t i = 0; i < area_.size(); ++i) {
    StateInterval interval;
    interval.start_ns = clamp_ns(origin_ns_ + Wide(i) * width_ns_);
    interval.end_ns = std::min(clamp_ns(Wide{interval.start_ns} + width_ns_), last_ns_);
    const double length = static_cast<double>(Wide{interval.end_ns} - interval.start_ns);
    if (length <= 0) continue;
    for (size_t s = 0; s < kAgentStates; ++s) interval.mean[s] = area_[i][s] / length;
    out.push_back(interval);
  }
  return out;
}

}  // namespace taskscope::analyzer::stats
