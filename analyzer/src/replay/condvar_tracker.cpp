#include "trackers.hpp"

namespace taskscope::analyzer::replay {

void CondvarTracker::notify(const Event& e, AgentId acting) {
  Resource& cv = context_->resource(e.a, format::ResourceKind::kCondvar, e.ts_ns);
  ++cv.notifies;
  cv.notifiers.add(acting);
  cv.last_notify_ns = e.ts_ns;
  // No waiter by our count and none by the recorder's: this notification is lost
  // on anyone who waits later without re-checking a predicate.
  if (cv.waiters == 0 && e.b == 0) {
    cv.lonely_notify_ns = e.ts_ns;
    cv.lonely_notifier = acting;
  }
}

}  // namespace taskscope::analyzer::replay
