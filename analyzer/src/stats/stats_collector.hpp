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
#include "taskscope/analyzer/stats.hpp"
#include "taskscope/format/event.hpp"

namespace taskscope::analyzer::stats {

using StringLookup = std::function<std::string_view(uint32_t)>;

struct OpenSpan {
  uint32_t name = 0;
  SpanStats* group = nullptr;
  int64_t since = 0;
};

// A live thread or task. Invariant: `state` is the state the timeline counts
// this agent in (StateTimeline::kNoState once done); a thread's `polling` lists
// the tasks currently polled on it, innermost last (the acting agent). A task's
// wait may span polls (an async send on a full channel: WaitBegin in one poll,
// WaitEnd in a later one); it blocks the worker thread only until its poll ends.
struct LiveAgent {
  uint64_t id = 0;
  bool is_task = false;
  AgentGroupStats* group = nullptr;
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
  std::vector<uint64_t> polling;
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
  ResourceStats* group = nullptr;
  int64_t created_ns = 0;
  uint64_t depth = 0;
  int64_t depth_since = 0;
  std::vector<Holder> holders;
};

// Consumes events in time order and fills a TraceStats. The acting agent of an
// event is the task polled on its thread, else the thread (docs/design.md, event
// model); snapshot events name the acting agent in `thread` and establish state
// without counting as occurrences.
class StatsCollector {
 public:
  StatsCollector(const StatsOptions& options, StringLookup strings);
  void on_event(const format::Event& event);
  // Closes everything still open at `end_ns` and returns the sorted result.
  TraceStats finish(int64_t end_ns);

 private:
  // stats_collector.cpp: agents, groups, lifecycle.
  LiveAgent* find_agent(uint64_t id);
  LiveAgent& thread_agent(uint64_t id, int64_t ts);
  LiveAgent& task_agent(uint64_t id, int64_t ts);
  LiveAgent* recording_thread(const format::Event& event);
  LiveAgent& acting_agent(const format::Event& event);
  AgentGroupStats* agent_group(bool is_task, uint32_t name);
  void rename(LiveAgent& agent, uint32_t name);
  void set_state(LiveAgent& agent, int state, int64_t ts);
  void close_agent(LiveAgent& agent, int64_t ts);
  void retire(uint64_t id, int64_t ts);
  void on_thread_start(const format::Event& event);
  void on_task_spawn(const format::Event& event);
  // agent_events.cpp: polls, wakes, spans, memory.
  void on_poll_begin(const format::Event& event);
  void on_poll_end(const format::Event& event);
  void on_wake(const format::Event& event);
  void on_span_enter(const format::Event& event);
  void on_span_exit(const format::Event& event);
  void on_memory(const format::Event& event);
  SpanStats* span_group(uint32_t name);
  // wait_events.cpp: wait begin/end.
  void on_wait_begin(const format::Event& event);
  void on_wait_end(const format::Event& event);
  // Samples the agent's wait; `thread` (if any) resumes its run slice.
  void end_wait(LiveAgent& agent, int64_t ts, LiveAgent* thread);
  // resource_events.cpp: resources, ownership, channels.
  LiveResource& resource(uint64_t id, format::ResourceKind kind_hint, int64_t ts);
  ResourceStats* resource_group(format::ResourceKind kind, const std::string& name);
  void on_resource_create(const format::Event& event);
  void on_resource_destroy(const format::Event& event);
  void on_acquired(const format::Event& event);
  void on_released(const format::Event& event);
  void on_channel_op(const format::Event& event);
  void close_resource(LiveResource& res, int64_t ts);
  void sample_depth(LiveResource& res, int64_t ts);

  Distribution new_distribution() const;
  template <typename Group>
  void init_group(Group& group) const {
    for (auto& d : group.blocked) d.keep_samples(options_.reservoir_size);
  }

  StatsOptions options_;
  StringLookup strings_;
  StateTimeline timeline_;
  IdMap<LiveAgent> agents_;
  IdMap<LiveResource> resources_;
  std::unordered_map<std::string, std::unique_ptr<AgentGroupStats>> agent_groups_;
  std::unordered_map<std::string, std::unique_ptr<ResourceStats>> resource_groups_;
  std::unordered_map<std::string, std::unique_ptr<SpanStats>> span_groups_;
  std::unordered_map<uint32_t, SpanStats*> span_by_id_;
  bool started_ = false;
  uint64_t cached_thread_id_ = 0;
  LiveAgent* cached_thread_ = nullptr;
};

// Duration of a closed interval, never negative (late events are clamped).
inline int64_t span_ns(int64_t from, int64_t to) { return to > from ? to - from : 0; }

}  // namespace taskscope::analyzer::stats
