#include "trackers.hpp"

namespace taskscope::model::replay {

void SpanTracker::enter(const model::SpanEnter& v, AgentId acting) {
  Agent& agent = context_->agent(acting);
  // Past the cap (exits lost to dropped events) the oldest frames go first.
  if (agent.spans.size() >= kMaxDepth) agent.spans.erase(agent.spans.begin());
  agent.spans.push_back(SpanFrame{v.name(), v.argument(), v.location(), v.ts_ns()});
}

void SpanTracker::exit(const model::SpanExit& v, AgentId acting) {
  Agent& agent = context_->agent(acting);
  for (size_t i = agent.spans.size(); i-- > 0;) {
    if (agent.spans[i].name == v.name()) {
      agent.spans.resize(i);
      return;
    }
  }
  context_->mark_partial();  // entered before the window
}

}  // namespace taskscope::model::replay
