#include <algorithm>

#include "trackers.hpp"

namespace taskscope::model::replay {

namespace {
constexpr size_t kMaxRegistrations = 4;
}  // namespace

void WakerTracker::clone(const model::WakerClone& v, AgentId acting) {
  Agent& task = context_->agent(v.task());
  if (task.type == AgentType::kUnknown) task.type = AgentType::kTask;
  ++task.wakers;
  context_->state().wakers_instrumented = true;
  const ResourceId on = v.resource();
  auto same = std::find_if(
      task.live_wakers.begin(), task.live_wakers.end(),
      [&](const LiveWakers& w) { return w.registered_on == on && w.cloner == acting; });
  if (same != task.live_wakers.end())
    ++same->count;
  else if (task.live_wakers.size() < Agent::kMaxLiveWakers)
    task.live_wakers.push_back(LiveWakers{on, acting, 1});
  if (on != 0 && task.registered_on.size() < kMaxRegistrations &&
      std::find(task.registered_on.begin(), task.registered_on.end(), on) ==
          task.registered_on.end())
    task.registered_on.push_back(on);
}

void WakerTracker::drop(const model::WakerDrop& v) {
  Agent& task = context_->agent(v.task());
  if (!task.live_wakers.empty() && --task.live_wakers.back().count == 0)
    task.live_wakers.pop_back();
  if (--task.wakers < 0) {
    // A waker made before the window: the count was never exact.
    task.wakers = 0;
    task.wakers_known = false;
    context_->mark_partial();
  }
}

void WakerTracker::wake(const model::Wake& v, AgentId acting) {
  Agent& task = context_->agent(v.task());
  if (task.type == AgentType::kUnknown) task.type = AgentType::kTask;
  ++task.wakes;
  if (acting == task.id) ++task.self_wakes;
  task.woken_since_poll = true;
  if (task.state == RunState::kIdle) context_->set_state(task, RunState::kRunnable, v.ts_ns());
}

}  // namespace taskscope::model::replay
