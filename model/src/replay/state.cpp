#include "taskscope/model/state.hpp"

#include <algorithm>

#include "taskscope/model/event_views.hpp"

namespace taskscope::model {

const char* agent_type_name(AgentType type) {
  switch (type) {
    case AgentType::kThread:
      return "thread";
    case AgentType::kTask:
      return "task";
    case AgentType::kUnknown:
      break;
  }
  return "agent";
}

const char* run_state_name(RunState state) {
  switch (state) {
    case RunState::kUnknown:
      return "unknown";
    case RunState::kRunning:
      return "running";
    case RunState::kBlocked:
      return "blocked";
    case RunState::kIdle:
      return "idle";
    case RunState::kRunnable:
      return "runnable";
    case RunState::kEnded:
      return "ended";
  }
  return "unknown";
}

const char* endpoint_strength_name(EndpointStrength strength) {
  switch (strength) {
    case EndpointStrength::kCreated:
      return "created";
    case EndpointStrength::kHanded:
      return "handed";
    case EndpointStrength::kUsed:
      return "used";
  }
  return "created";
}

void AgentSet::add(AgentId id) {
  if (id == 0 || overflowed || contains(id)) return;
  if (ids.size() >= kCapacity) {
    overflowed = true;
    return;
  }
  ids.push_back(id);
}

bool AgentSet::contains(AgentId id) const {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

void Agent::recycle() {
  std::vector<Hold> keep_holds = std::move(holds);
  std::vector<SpanFrame> keep_spans = std::move(spans);
  std::vector<AgentId> keep_polling = std::move(polling);
  std::vector<ResourceId> keep_registered = std::move(registered_on);
  std::vector<LiveWakers> keep_wakers = std::move(live_wakers);
  *this = Agent{};
  keep_holds.clear();
  keep_spans.clear();
  keep_polling.clear();
  keep_registered.clear();
  keep_wakers.clear();
  holds = std::move(keep_holds);
  spans = std::move(keep_spans);
  polling = std::move(keep_polling);
  registered_on = std::move(keep_registered);
  live_wakers = std::move(keep_wakers);
}

AgentId State::acting_agent(AgentId thread) const {
  const Agent* record = agents.find(thread);
  if (record == nullptr || record->polling.empty()) return thread;
  return record->polling.back();
}

uint32_t State::name_count(StringId name) const {
  auto it = name_counts.find(name);
  return it == name_counts.end() ? 0 : it->second;
}

namespace {
// The recorder probes a thread's CPU clock at most once a millisecond and at
// the end of every poll at least this long (recorder/src/hot_path/events.cpp).
constexpr int64_t kCpuProbeIntervalNs = 1'000'000;
}  // namespace

int64_t poll_begin_cpu_ns(const format::Event& poll_begin) {
  return model::PollBegin{{poll_begin}}.cpu_ns();
}

int64_t poll_cpu_ns(int64_t begin_cpu_ns, const format::Event& poll_end, int64_t wall_ns) {
  if (begin_cpu_ns < 0) return -1;
  const int64_t end_cpu_ns = model::PollEnd{{poll_end}}.cpu_ns();
  if (end_cpu_ns < 0) return wall_ns >= 0 && wall_ns < kCpuProbeIntervalNs ? wall_ns : -1;
  return end_cpu_ns > begin_cpu_ns ? end_cpu_ns - begin_cpu_ns : 0;
}

}  // namespace taskscope::model
