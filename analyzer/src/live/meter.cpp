#include "live/meter.hpp"

#include <algorithm>
#include <cmath>

namespace taskscope::analyzer {

using format::EventKind;

void LatencyQuantiles::add(uint64_t value) {
  if (histogram_.count() == 0 && exact_.size() < kExact) {
    exact_.push_back(value);
    return;
  }
  for (uint64_t kept : exact_) histogram_.add(kept);
  exact_.clear();
  exact_.shrink_to_fit();
  histogram_.add(value);
}

uint64_t LatencyQuantiles::quantile(double q) const {
  if (exact_.empty()) return histogram_.quantile(q);
  std::vector<uint64_t> sorted = exact_;
  std::sort(sorted.begin(), sorted.end());
  const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size()));
  return sorted[static_cast<size_t>(std::max(rank, 1.0)) - 1];
}

uint64_t LiveSession::Meter::kinds() const {
  return kind_bit(EventKind::kPollBegin) | kind_bit(EventKind::kPollEnd) |
         kind_bit(EventKind::kWaitEnd);
}

void LiveSession::Meter::observe(const format::Event& e, AgentId acting, const State& state) {
  if (e.flags & format::kFlagSnapshot) return;  // a window's start: no durations to take
  switch (e.kind) {
    case EventKind::kPollBegin: {
      const Agent* task = state.agents.find(e.a);
      if (task != nullptr && task->state == RunState::kRunnable && e.ts_ns >= task->state_since_ns)
        agents_[e.a].sched_latency.add(static_cast<uint64_t>(e.ts_ns - task->state_since_ns));
      const Agent* thread = state.agents.find(e.thread);
      if (thread == nullptr || thread->polling.empty()) agents_[e.thread].poll_begin_ns = e.ts_ns;
      break;
    }
    case EventKind::kPollEnd: {
      const Agent* task = state.agents.find(e.a);
      if (task != nullptr && task->poll_begin_ns >= 0 && e.ts_ns >= task->poll_begin_ns)
        agents_[e.a].poll_ns += e.ts_ns - task->poll_begin_ns;
      const Agent* thread = state.agents.find(e.thread);
      if (thread != nullptr && thread->polling.size() <= 1) {
        Measures& worker = agents_[e.thread];
        if (worker.poll_begin_ns >= 0 && e.ts_ns >= worker.poll_begin_ns)
          worker.poll_ns += e.ts_ns - worker.poll_begin_ns;
        worker.poll_begin_ns = -1;
      }
      break;
    }
    case EventKind::kWaitEnd: {
      const Agent* agent = state.agents.find(acting);
      if (agent == nullptr || !agent->waiting || e.ts_ns < agent->wait.since_ns) break;
      Measures& measures = agents_[acting];
      measures.wait_ns += e.ts_ns - agent->wait.since_ns;
      measures.recent.insert(measures.recent.begin(), {agent->wait, e.ts_ns});
      if (measures.recent.size() > recent_waits_) measures.recent.pop_back();
      break;
    }
    default:
      break;
  }
}

int64_t LiveSession::Meter::busy_ns(const Agent& agent, int64_t now_ns) const {
  const auto it = agents_.find(agent.id);
  const int64_t poll_ns = it == agents_.end() ? 0 : it->second.poll_ns;
  const int64_t wait_ns = it == agents_.end() ? 0 : it->second.wait_ns;
  if (agent.type == AgentType::kTask)
    return poll_ns + (agent.polled_by != 0 && agent.poll_begin_ns >= 0
                          ? std::max<int64_t>(now_ns - agent.poll_begin_ns, 0)
                          : 0);
  if (agent.worker) {
    const int64_t begin = it == agents_.end() ? -1 : it->second.poll_begin_ns;
    return poll_ns + (!agent.polling.empty() && begin >= 0 ? std::max<int64_t>(now_ns - begin, 0) : 0);
  }
  const int64_t open_wait =
      agent.waiting ? std::max<int64_t>(now_ns - agent.wait.since_ns, 0) : 0;
  const int64_t alive = now_ns - std::max<int64_t>(agent.start_ns, 0);
  return std::max<int64_t>(alive - wait_ns - open_wait, 0);
}

LiveSession::Meter::Measures* LiveSession::Meter::find(AgentId id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

void LiveSession::Meter::forget(const State& state) {
  std::erase_if(agents_, [&](const auto& entry) { return state.agents.find(entry.first) == nullptr; });
}

}  // namespace taskscope::analyzer
