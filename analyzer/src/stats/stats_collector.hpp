// The streaming aggregation behind `taskscope stats` (private to the analyzer).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stats/id_map.hpp"
#include "stats/state_timeline.hpp"
#include "taskscope/analyzer/name_resolver.hpp"
#include "taskscope/analyzer/stats.hpp"
#include "taskscope/format/event.hpp"
#include "taskscope/model/acting_agents.hpp"
#include "taskscope/model/event_views.hpp"

namespace taskscope::analyzer::stats {

// The agents that got one recorded name (a string id): a group of the pass.
// Groups are keyed by what the trace records, cheap to look up; the naming
// service reads them once, at the end, and groups that read the same (two
// start routines named alike, or none resolvable) are merged then.
struct AgentGroup : AgentGroupStats {
  StringId recorded_name = 0;
};

// The resources that got one recorded name, or one unnamed resource, with the
// first location any of them was used at (what names an unnamed resource).
struct ResourceGroup : ResourceStats {
  StringId recorded_name = 0;
  ResourceId first_id = 0;
  StringId first_location = 0;
};

struct OpenSpan {
  uint32_t name = 0;
  SpanStats* group = nullptr;
  int64_t since = 0;
};

// A live thread or task. Invariant: `state` is the state the timeline counts
// this agent in (StateTimeline::kNoState once done); a thread's polling_since is
// set while any task is polled on it (model::ActingAgents says which). A task's
// wait may span polls (an async send on a full channel: WaitBegin in one poll,
// WaitEnd in a later one); it blocks the worker thread only until its poll ends.
struct LiveAgent {
  uint64_t id = 0;
  bool is_task = false;
  AgentGroup* group = nullptr;
  int state = StateTimeline::kNoState;
  int64_t born_ns = 0;
  // Current wait of this agent.
  bool waiting = false;
  format::WaitOp wait_op = format::WaitOp::kOther;
  uint64_t wait_resource = 0;
  int64_t wait_since = 0;
  // Tasks.
  int64_t runnable_since = -1;  // woken or spawned, not yet polled
  bool woken_in_poll = false;
  int64_t poll_since = -1;
  int64_t poll_cpu_since = -1;  // the thread's CPU clock at poll begin, -1 unknown
  bool waited_in_poll = false;  // a recorded wait began during the current poll
  // Threads.
  int64_t run_since = -1;      // current run slice: not inside any wait on this thread
  int64_t polling_since = -1;  // the outermost poll began
  // Memory and spans.
  bool has_memory = false;
  int64_t memory_now = 0, memory_peak = 0;
  std::vector<OpenSpan> spans;
};

// One agent holding a resource. Holds and waits already in progress at a
// snapshot count from the snapshot: a lower bound, which is what a hang needs.
struct Holder {
  uint64_t agent = 0;
  int64_t since = 0;
  uint32_t depth = 0;  // recursive acquisitions
};

// A live resource. Invariant: depth_since is when `depth` last changed (or the
// resource appeared), so depth * (now - depth_since) is the area not yet added.
struct LiveResource {
  ResourceGroup* group = nullptr;
  int64_t created_ns = 0;
  uint64_t depth = 0;
  int64_t depth_since = 0;
  std::vector<Holder> holders;
};

// Consumes events in time order and fills a TraceStats. The acting agent of an
// event is the task polled on its thread, else the thread, as model::ActingAgents
// resolves it (docs/event-model.md, "The acting agent"); snapshot events name the
// acting agent in `thread` and establish state without counting as occurrences.
// Groups are named by the naming service (name_resolver.hpp) in finish().
class StatsCollector {
 public:
  StatsCollector(const StatsOptions& options, NameResolver::Lookup strings);
  void on_event(const format::Event& event);
  // Closes everything still open at `end_ns` and returns the sorted result.
  TraceStats finish(int64_t end_ns);

 private:
  // stats_collector.cpp: agents, groups, lifecycle.
  LiveAgent* find_agent(uint64_t id);
  LiveAgent& thread_agent(uint64_t id, int64_t ts);
  LiveAgent& task_agent(uint64_t id, int64_t ts);
  // The recording thread of a live event; for a snapshot event, its acting
  // agent when that is a thread, else null.
  LiveAgent* recording_thread(const model::ViewBase& v);
  LiveAgent& acting_agent(const model::ViewBase& v);
  AgentGroup* agent_group(bool is_task, StringId name);
  void rename(LiveAgent& agent, StringId name);
  void set_state(LiveAgent& agent, int state, int64_t ts);
  void close_agent(LiveAgent& agent, int64_t ts);
  void retire(uint64_t id, int64_t ts);
  void on_thread_start(const model::ThreadStart& v);
  void on_task_spawn(const model::TaskSpawn& v);
  // agent_events.cpp: polls, wakes, spans, memory.
  void on_poll_begin(const model::PollBegin& v);
  void on_poll_end(const model::PollEnd& v);
  void on_wake(const model::Wake& v);
  void on_span_enter(const model::SpanEnter& v);
  void on_span_exit(const model::SpanExit& v);
  void on_memory(const model::Memory& v);
  SpanStats* span_group(StringId name);
  // wait_events.cpp: wait begin/end.
  void on_wait_begin(const model::WaitBegin& v);
  void on_wait_end(const model::WaitEnd& v);
  // Samples the agent's wait; `thread` (if any) resumes its run slice.
  void end_wait(LiveAgent& agent, int64_t ts, LiveAgent* thread);
  // resource_events.cpp: resources, ownership, channels.
  LiveResource& resource(uint64_t id, format::ResourceKind kind_hint, int64_t ts);
  // Where the resource was used: its first use names it if it has no name.
  void used_at(LiveResource& res, StringId location);
  ResourceGroup* resource_group(format::ResourceKind kind, StringId name, ResourceId id);
  void on_resource_create(const model::ResourceCreate& v);
  void on_resource_destroy(const model::ResourceDestroy& v);
  void on_acquired(const model::Acquired& v);
  void on_released(const model::Released& v);
  void on_channel_op(uint64_t channel, uint64_t depth, bool send, StringId location,
                     const model::ViewBase& v);
  void close_resource(LiveResource& res, int64_t ts);
  void sample_depth(LiveResource& res, int64_t ts);
  // group_names.cpp: the groups named by the naming service, merged by name.
  std::vector<AgentGroupStats> named_agent_groups();
  std::vector<ResourceStats> named_resource_groups();

  Distribution new_distribution() const;
  template <typename Group>
  void init_group(Group& group) const {
    for (auto& d : group.blocked) d.keep_samples(options_.reservoir_size);
  }

  StatsOptions options_;
  NameResolver names_;
  model::ActingAgents acting_;
  StateTimeline timeline_;
  IdMap<LiveAgent> agents_;
  IdMap<LiveResource> resources_;
  // Keyed by recorded name id << 1 | is_task.
  std::unordered_map<uint64_t, std::unique_ptr<AgentGroup>> agent_groups_;
  // Keyed by kind and recorded name id, or kind and id for an unnamed resource.
  std::unordered_map<std::string, std::unique_ptr<ResourceGroup>> resource_groups_;
  std::unordered_map<std::string, std::unique_ptr<SpanStats>> span_groups_;
  std::unordered_map<uint32_t, SpanStats*> span_by_id_;
  bool started_ = false;
  uint64_t cached_thread_id_ = 0;
  LiveAgent* cached_thread_ = nullptr;
};

// Duration of a closed interval, never negative (late events are clamped),
// saturating (a forged trace can put its events 2^63 ns apart).
inline int64_t span_ns(int64_t from, int64_t to) {
  int64_t span;
  if (to <= from) return 0;
  return __builtin_sub_overflow(to, from, &span) ? INT64_MAX : span;
}

}  // namespace taskscope::analyzer::stats
