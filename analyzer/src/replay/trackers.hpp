// The replay trackers, one concern each. Each applies the events of its family
// to the shared State through a ReplayContext; `acting` is the agent the event
// is attributed to (the polled task, else the recording thread).
#pragma once

#include "context.hpp"

namespace taskscope::analyzer::replay {

// Threads and tasks: start, end, names, spawn parents, polls. Invariant: a
// thread's `polling` stack and a task's `polled_by` agree; a task is kRunning
// exactly while polled (kBlocked if its poll is inside a wait).
class AgentTracker {
 public:
  explicit AgentTracker(ReplayContext* context) : context_(context) {}
  void thread_start(const Event& e);
  void thread_end(const Event& e);
  void thread_detach(const Event& e);
  void thread_create(const Event& e, AgentId acting);
  void agent_name(const Event& e);
  void task_spawn(const Event& e, AgentId acting);
  void poll_begin(const Event& e, Agent& thread);
  void poll_end(const Event& e, Agent& thread);
  void task_end(const Event& e);

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
  void wait_begin(const Event& e, AgentId acting);
  void wait_end(const Event& e, AgentId acting);

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
  void acquired(const Event& e, AgentId acting);
  void released(const Event& e, AgentId acting);
  void sem_post(const Event& e, AgentId acting);

 private:
  ReplayContext* context_;
};

// Resource lifetime (create/destroy) for every kind.
class ResourceTracker {
 public:
  explicit ResourceTracker(ReplayContext* context) : context_(context) {}
  void create(const Event& e);
  void destroy(const Event& e);

 private:
  ReplayContext* context_;
};

// Channels: depth, close, endpoints and who holds them (docs/design.md "Who holds a
// channel endpoint"). Invariant: a channel's `endpoints` lists exactly its open
// endpoints seen in the window; `endpoints_known` says whether that is all of them.
class ChannelTracker {
 public:
  explicit ChannelTracker(ReplayContext* context) : context_(context) {}
  void send(const Event& e, AgentId acting);
  void recv(const Event& e, AgentId acting);
  void close(const Event& e);
  void endpoint_open(const Event& e, AgentId acting);
  void endpoint_close(const Event& e);
  void endpoint_use(const Event& e, AgentId acting);
  void endpoint_hand(const Event& e);

 private:
  ReplayContext* context_;
};

// Condition-variable notifications: who notified, and notifies that found no
// waiter (the first half of a lost wakeup).
class CondvarTracker {
 public:
  explicit CondvarTracker(ReplayContext* context) : context_(context) {}
  void notify(const Event& e, AgentId acting);

 private:
  ReplayContext* context_;
};

// Async wakers: live waker count per task, where they were registered, wakes
// and self-wakes. The count is exact only for tasks whose spawn was seen.
class WakerTracker {
 public:
  explicit WakerTracker(ReplayContext* context) : context_(context) {}
  void clone(const Event& e);
  void drop(const Event& e);
  void wake(const Event& e, AgentId acting);

 private:
  ReplayContext* context_;
};

// User spans: a stack per acting agent, bounded in depth.
class SpanTracker {
 public:
  static constexpr size_t kMaxDepth = 64;
  explicit SpanTracker(ReplayContext* context) : context_(context) {}
  void enter(const Event& e, AgentId acting);
  void exit(const Event& e, AgentId acting);

 private:
  ReplayContext* context_;
};

// Lost events: ranges per thread, merged so that their number stays small.
class DropTracker {
 public:
  static constexpr size_t kMaxRanges = 64;
  explicit DropTracker(ReplayContext* context) : context_(context) {}
  void dropped(const Event& e);

 private:
  ReplayContext* context_;
};

}  // namespace taskscope::analyzer::replay
