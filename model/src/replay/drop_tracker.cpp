#include <algorithm>

#include "trackers.hpp"

namespace taskscope::model::replay {

void DropTracker::dropped(const model::Dropped& v) {
  State& state = context_->state();
  const int64_t ts = v.ts_ns();
  const int64_t first = v.first_lost_ns() != 0 ? std::min(v.first_lost_ns(), ts) : ts;
  state.dropped_events += v.lost();
  for (DroppedRange& range : state.dropped) {
    if (range.thread == v.thread() && first <= range.last_ns + 1'000'000'000) {
      range.events += v.lost();
      range.first_ns = std::min(range.first_ns, first);
      range.last_ns = std::max(range.last_ns, ts);
      return;
    }
  }
  if (state.dropped.size() >= kMaxRanges) {
    // Widen the range of this thread (or the last one) rather than grow.
    auto it = std::find_if(state.dropped.begin(), state.dropped.end(),
                           [&](const DroppedRange& r) { return r.thread == v.thread(); });
    DroppedRange& range = it != state.dropped.end() ? *it : state.dropped.back();
    range.events += v.lost();
    range.first_ns = std::min(range.first_ns, first);
    range.last_ns = std::max(range.last_ns, ts);
    return;
  }
  state.dropped.push_back(DroppedRange{v.thread(), v.lost(), first, ts});
}

}  // namespace taskscope::model::replay
