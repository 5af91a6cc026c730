#include "trackers.hpp"

namespace taskscope::model::replay {

void CondvarTracker::notify(const model::Notify& v, AgentId acting) {
  Resource& cv = context_->resource(v.condvar(), format::ResourceKind::kCondvar, v.ts_ns());
  ++cv.notifies;
  cv.notifiers.add(acting);
  cv.last_notify_ns = v.ts_ns();
  // No waiter by our count and none by the recorder's: this notification is lost
  // on anyone who waits later without re-checking a predicate.
  if (cv.waiters == 0 && v.waiters() == 0) {
    cv.lonely_notify_ns = v.ts_ns();
    cv.lonely_notifier = acting;
  }
}

}  // namespace taskscope::model::replay
