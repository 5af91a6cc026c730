// Event dispatch (through the model's views), agent bookkeeping and the end of
// the trace (see stats_collector.hpp).
#include "stats/stats_collector.hpp"

#include <algorithm>

#include "common/saturating.hpp"
#include "taskscope/format/reader.hpp"

namespace taskscope::analyzer {
namespace stats {

using format::Event;
using format::EventKind;

StatsCollector::StatsCollector(const StatsOptions& options, NameResolver::Lookup strings)
    : options_(options), names_(std::move(strings)), timeline_(options.timeline_intervals) {}

Distribution StatsCollector::new_distribution() const {
  Distribution d;
  d.keep_samples(options_.reservoir_size);
  return d;
}

void StatsCollector::on_event(const Event& event) {
  if (!started_) {
    started_ = true;
    timeline_.change(event.ts_ns, StateTimeline::kNoState, StateTimeline::kNoState);
  }
  model::visit(
      event,
      model::overloaded{
          [&](const model::ThreadStart& v) { on_thread_start(v); },
          [&](const model::ThreadEnd& v) { retire(v.agent(), v.ts_ns()); },
          [&](const model::AgentName& v) {
            if (LiveAgent* agent = find_agent(v.agent())) rename(*agent, v.name());
          },
          [&](const model::TaskSpawn& v) { on_task_spawn(v); },
          [&](const model::PollBegin& v) { on_poll_begin(v); },
          [&](const model::PollEnd& v) { on_poll_end(v); },
          [&](const model::TaskEnd& v) { retire(v.task(), v.ts_ns()); },
          [&](const model::Wake& v) { on_wake(v); },
          [&](const model::WaitBegin& v) { on_wait_begin(v); },
          [&](const model::WaitEnd& v) { on_wait_end(v); },
          [&](const model::Acquired& v) { on_acquired(v); },
          [&](const model::Released& v) { on_released(v); },
          [&](const model::ResourceCreate& v) { on_resource_create(v); },
          [&](const model::ResourceDestroy& v) { on_resource_destroy(v); },
          [&](const model::ChannelSend& v) {
            on_channel_op(v.channel(), v.depth(), true, v.snapshot() ? 0 : v.location(), v);
          },
          [&](const model::ChannelRecv& v) {
            on_channel_op(v.channel(), v.depth(), false, v.location(), v);
          },
          [&](const model::Notify& v) {
            if (!v.snapshot())
              ++resource(v.condvar(), format::ResourceKind::kCondvar, v.ts_ns()).group->notifies;
          },
          [&](const model::SpanEnter& v) { on_span_enter(v); },
          [&](const model::SpanExit& v) { on_span_exit(v); },
          [&](const model::Memory& v) { on_memory(v); },
          [&](const model::ModuleMap& v) {
            names_.add_module(v.load_address(), v.size(), v.path());
          },
          [&](const model::ModuleBuildId& v) {
            names_.add_build_id(v.load_address(), v.build_id());
          },
          [](const auto&) {}});
  acting_.apply(event);
}

LiveAgent* StatsCollector::find_agent(uint64_t id) { return agents_.find(id); }

AgentGroup* StatsCollector::agent_group(bool is_task, StringId name) {
  auto& slot = agent_groups_[uint64_t{name} << 1 | (is_task ? 1 : 0)];
  if (!slot) {
    slot = std::make_unique<AgentGroup>();
    slot->recorded_name = name;
    slot->is_task = is_task;
    slot->busy = new_distribution();
    slot->sched_latency = new_distribution();
    slot->memory_peak = new_distribution();
    init_group(*slot);
  }
  return slot.get();
}

void StatsCollector::rename(LiveAgent& agent, StringId name) {
  AgentGroup* group = agent_group(agent.is_task, name);
  if (group == agent.group) return;
  if (agent.group) --agent.group->agents;
  ++group->agents;
  agent.group = group;
}

LiveAgent& StatsCollector::thread_agent(uint64_t id, int64_t ts) {
  bool added = false;
  LiveAgent& agent = agents_.get_or_insert(id, &added);
  if (added) {
    agent.id = id;
    agent.born_ns = agent.run_since = ts;
    agent.group = agent_group(false, 0);
    ++agent.group->agents;
    set_state(agent, static_cast<int>(AgentState::kRunning), ts);
  }
  return agent;
}

LiveAgent& StatsCollector::task_agent(uint64_t id, int64_t ts) {
  bool added = false;
  LiveAgent& agent = agents_.get_or_insert(id, &added);
  if (added) {
    agent.id = id;
    agent.is_task = true;
    agent.born_ns = ts;
    agent.group = agent_group(true, 0);
    ++agent.group->agents;
    set_state(agent, static_cast<int>(AgentState::kIdle), ts);
  }
  return agent;
}

LiveAgent* StatsCollector::recording_thread(const model::ViewBase& v) {
  if (v.snapshot()) {
    LiveAgent* agent = find_agent(v.thread());
    return agent && !agent->is_task ? agent : nullptr;
  }
  if (cached_thread_ && cached_thread_id_ == v.thread()) return cached_thread_;
  LiveAgent& thread = thread_agent(v.thread(), v.ts_ns());
  cached_thread_id_ = v.thread();
  cached_thread_ = &thread;
  return &thread;
}

LiveAgent& StatsCollector::acting_agent(const model::ViewBase& v) {
  const AgentId acting = acting_.acting(v.event);
  if (v.snapshot()) {
    if (LiveAgent* agent = find_agent(acting)) return *agent;
    return thread_agent(acting, v.ts_ns());
  }
  if (acting != v.thread()) {
    if (LiveAgent* task = find_agent(acting)) return *task;
  }
  return *recording_thread(v);
}

void StatsCollector::set_state(LiveAgent& agent, int state, int64_t ts) {
  if (agent.state == state) return;
  timeline_.change(ts, agent.state, state);
  agent.state = state;
}

void StatsCollector::on_thread_start(const model::ThreadStart& v) {
  LiveAgent& agent = thread_agent(v.agent(), v.ts_ns());
  if (v.name()) rename(agent, v.name());
}

void StatsCollector::on_task_spawn(const model::TaskSpawn& v) {
  const bool known = agents_.find(v.task()) != nullptr;
  LiveAgent& task = task_agent(v.task(), v.ts_ns());
  if (v.name()) rename(task, v.name());
  if (!known && !v.snapshot()) {
    // A spawned task is runnable: spawn to first poll counts as scheduling latency.
    task.runnable_since = v.ts_ns();
    set_state(task, static_cast<int>(AgentState::kRunnable), v.ts_ns());
  }
}

// Closes every interval the agent has open, as of `ts`.
void StatsCollector::close_agent(LiveAgent& agent, int64_t ts) {
  if (agent.waiting) end_wait(agent, ts, nullptr);
  AgentGroupStats& group = *agent.group;
  if (agent.is_task) {
    if (agent.poll_since >= 0) group.busy.add(span_ns(agent.poll_since, ts));
    agent.poll_since = -1;
  } else {
    if (agent.run_since >= 0) group.busy.add(span_ns(agent.run_since, ts));
    if (agent.polling_since >= 0)
      group.poll_ns = saturating_add(group.poll_ns, span_ns(agent.polling_since, ts));
    group.lifetime_ns = saturating_add(group.lifetime_ns, span_ns(agent.born_ns, ts));
    agent.run_since = agent.polling_since = -1;
  }
  for (const OpenSpan& span : agent.spans)
    if (span.since >= 0) span.group->duration.add(span_ns(span.since, ts));
  agent.spans.clear();
  if (agent.has_memory) {
    group.memory_peak.add(agent.memory_peak);
    group.memory_live = saturating_add(group.memory_live, agent.memory_now);
  }
  set_state(agent, StateTimeline::kNoState, ts);
}

void StatsCollector::retire(uint64_t id, int64_t ts) {
  LiveAgent* agent = agents_.find(id);
  if (!agent) return;
  close_agent(*agent, ts);
  if (cached_thread_ == agent) cached_thread_ = nullptr;
  agents_.erase(id);
}

namespace {

template <typename Group>
void sort_by(std::vector<Group>& groups, int64_t (*weight)(const Group&)) {
  std::stable_sort(groups.begin(), groups.end(), [&](const Group& x, const Group& y) {
    const int64_t wx = weight(x), wy = weight(y);
    return wx != wy ? wx > wy : x.name < y.name;
  });
}

template <typename Group, typename Key>
std::vector<Group> take(std::unordered_map<Key, std::unique_ptr<Group>>& groups) {
  std::vector<Group> out;
  out.reserve(groups.size());
  for (auto& [key, group] : groups) out.push_back(std::move(*group));
  groups.clear();
  return out;
}

}  // namespace

TraceStats StatsCollector::finish(int64_t end_ns) {
  agents_.for_each([&](uint64_t, LiveAgent& agent) { close_agent(agent, end_ns); });
  resources_.for_each([&](uint64_t, LiveResource& res) { close_resource(res, end_ns); });
  timeline_.finish(end_ns);
  agents_.clear();
  resources_.clear();
  cached_thread_ = nullptr;

  TraceStats stats;
  stats.agents = named_agent_groups();
  std::erase_if(stats.agents, [](const AgentGroupStats& g) {
    return g.agents == 0 && g.busy.empty() && g.blocked_ns() == 0;
  });
  sort_by<AgentGroupStats>(stats.agents, [](const AgentGroupStats& g) {
    return saturating_add(g.busy.sum(), g.blocked_ns());
  });
  stats.spans = take(span_groups_);
  sort_by<SpanStats>(stats.spans, [](const SpanStats& g) { return g.duration.sum(); });
  stats.resources = named_resource_groups();
  sort_by<ResourceStats>(stats.resources, [](const ResourceStats& g) {
    return saturating_add(g.hold.sum(), g.wait_ns());
  });
  stats.timeline = timeline_.intervals();
  return stats;
}

}  // namespace stats

TraceStats compute_stats(format::TraceReader& reader, const StatsOptions& options) {
  stats::StatsCollector collector(options, [&reader](uint32_t id) { return reader.string(id); });
  format::Event event;
  while (reader.next(event)) collector.on_event(event);
  const format::ReadStatus& status = reader.status();
  TraceStats result = collector.finish(status.end_ns());
  result.trace.path = reader.path();
  result.trace.process = reader.header().process_name;
  result.trace.holds = reader.header().holds;
  result.trace.events = status.events;
  // The range every command reports for this file (ReadStatus::start_ns/end_ns).
  result.trace.first_ns = status.start_ns();
  result.trace.last_ns = status.end_ns();
  result.trace.dropped_events = status.dropped_events;
  result.trace.truncated = status.truncated;
  result.trace.status = status.summary();
  return result;
}

TraceStats compute_stats(const std::string& path, const StatsOptions& options) {
  format::TraceReader reader(path);
  return compute_stats(reader, options);
}

}  // namespace taskscope::analyzer
