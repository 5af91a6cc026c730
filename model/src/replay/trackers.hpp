// The replay trackers, one concern each. Each applies the events of its family
// to the shared State through a ReplayContext. They take the typed views of the
// event model (taskscope/model/event_views.hpp), never raw fields; `acting` is
// the agent the event is attributed to, as model::ActingAgents resolves it
// (docs/event-model.md, "The acting agent").
#pragma once

#include "context.hpp"
#include "taskscope/model/event_views.hpp"

namespace taskscope::model::replay {

// Threads and tasks: start, end, names, spawn parents, polls, memory. Invariant:
// a thread's `polling` stack and a task's `polled_by` agree, and agree with
// model::ActingAgents (detectors read `polling`; replay resolves the acting agent
// there); a task is kRunning exactly while polled (kBlocked if its poll is inside
// a wait).
class AgentTracker {
 public:
  explicit AgentTracker(ReplayContext* context) : context_(context) {}
  void thread_start(const model::ThreadStart& v);
  void thread_end(const model::ThreadEnd& v);
  void thread_detach(const model::ThreadDetach& v);
  void thread_create(const model::ThreadCreate& v, AgentId acting);
  void agent_name(const model::AgentName& v);
  void task_spawn(const model::TaskSpawn& v, AgentId acting);
  void poll_begin(const model::PollBegin& v, Agent& thread);
  void poll_end(const model::PollEnd& v, Agent& thread);
  void task_end(const model::TaskEnd& v);
  // A signed byte delta of the agent it names, else of the acting agent.
  void memory(const model::Memory& v, AgentId acting);

 private:
  // The agent `id`, typed as a thread if nothing said otherwise yet.
  Agent& thread_agent(AgentId id);
  void end(Agent& agent, int64_t ts);
  ReplayContext* context_;
};

// Waits: begin/end pairs. Invariant: an agent has at most one wait in progress;
// a resource's `waiters` counts the agents inside a wait on it.
class WaitTracker {
 public:
  explicit WaitTracker(ReplayContext* context) : context_(context) {}
  void wait_begin(const model::WaitBegin& v, AgentId acting);
  void wait_end(const model::WaitEnd& v, AgentId acting);

 private:
  ReplayContext* context_;
};

// Ownership of mutexes, rwlocks and semaphores. Invariant: a lock has at most
// one exclusive owner; ownership changes only through kAcquired/kReleased. An
// event that contradicts this (release by a non-owner, acquisition of a lock
// someone else holds) is applied and counted as an inconsistency.
class LockTracker {
 public:
  explicit LockTracker(ReplayContext* context) : context_(context) {}
  void acquired(const model::Acquired& v, AgentId acting);
  void released(const model::Released& v, AgentId acting);
  void sem_post(const model::SemPost& v, AgentId acting);

 private:
  ReplayContext* context_;
};

// Resource lifetime (create/destroy) for every kind.
class ResourceTracker {
 public:
  explicit ResourceTracker(ReplayContext* context) : context_(context) {}
  void create(const model::ResourceCreate& v, AgentId acting);
  void destroy(const model::ResourceDestroy& v);

 private:
  ReplayContext* context_;
};

// Channels: depth, close, endpoints and who holds them (docs/wait-semantics.md "Who holds a
// channel endpoint"). Invariant: a channel's `endpoints` lists exactly its open
// endpoints seen in the window; `endpoints_known` says whether that is all of them.
class ChannelTracker {
 public:
  explicit ChannelTracker(ReplayContext* context) : context_(context) {}
  void send(const model::ChannelSend& v, AgentId acting);
  void recv(const model::ChannelRecv& v, AgentId acting);
  void close(const model::ChannelClose& v);
  void endpoint_open(const model::EndpointOpen& v, AgentId acting);
  void endpoint_close(const model::EndpointClose& v);
  void endpoint_use(const model::EndpointUse& v, AgentId acting);
  void endpoint_hand(const model::EndpointHand& v, AgentId acting);

 private:
  ReplayContext* context_;
};

// Condition-variable notifications: who notified, and notifies that found no
// waiter (the first half of a lost wakeup).
class CondvarTracker {
 public:
  explicit CondvarTracker(ReplayContext* context) : context_(context) {}
  void notify(const model::Notify& v, AgentId acting);

 private:
  ReplayContext* context_;
};

// Async wakers: live waker count per task, where they were registered (and by
// whom, for snapshots), wakes and self-wakes. The count is exact only for tasks
// whose spawn was seen.
class WakerTracker {
 public:
  explicit WakerTracker(ReplayContext* context) : context_(context) {}
  void clone(const model::WakerClone& v, AgentId acting);
  void drop(const model::WakerDrop& v);
  void wake(const model::Wake& v, AgentId acting);

 private:
  ReplayContext* context_;
};

// User spans: a stack per acting agent, bounded in depth.
class SpanTracker {
 public:
  static constexpr size_t kMaxDepth = 64;
  explicit SpanTracker(ReplayContext* context) : context_(context) {}
  void enter(const model::SpanEnter& v, AgentId acting);
  void exit(const model::SpanExit& v, AgentId acting);

 private:
  ReplayContext* context_;
};

// Lost events: ranges per thread, merged so that their number stays small.
class DropTracker {
 public:
  static constexpr size_t kMaxRanges = 64;
  explicit DropTracker(ReplayContext* context) : context_(context) {}
  void dropped(const model::Dropped& v);

 private:
  ReplayContext* context_;
};

}  // namespace taskscope::model::replay
