#include <algorithm>

#include "trackers.hpp"

namespace taskscope::analyzer::replay {

void DropTracker::dropped(const Event& e) {
  State& state = context_->state();
  const int64_t first = e.b != 0 ? std::min<int64_t>(static_cast<int64_t>(e.b), e.ts_ns) : e.ts_ns;
  state.dropped_events += e.a;
  for (DroppedRange& range : state.dropped) {
    if (range.thread == e.thread && first <= range.last_ns + 1'000'000'000) {
      range.events += e.a;
      range.first_ns = std::min(range.first_ns, first);
      range.last_ns = std::max(range.last_ns, e.ts_ns);
      return;
    }
  }
  if (state.dropped.size() >= kMaxRanges) {
    // Widen the range of this thread (or the last one) rather than grow.
    auto it = std::find_if(state.dropped.begin(), state.dropped.end(),
                           [&](const DroppedRange& r) { return r.thread == e.thread; });
    DroppedRange& range = it != state.dropped.end() ? *it : state.dropped.back();
    range.events += e.a;
    range.first_ns = std::min(range.first_ns, first);
    range.last_ns = std::max(range.last_ns, e.ts_ns);
    return;
  }
  state.dropped.push_back(DroppedRange{e.thread, e.a, first, e.ts_ns});
}

}  // namespace taskscope::analyzer::replay
