#include <algorithm>
#include <cstdint>

#include "trackers.hpp"

namespace taskscope::model::replay {

void AgentTracker::thread_start(const model::ThreadStart& v) {
  Agent& agent = context_->agent(v.agent());
  agent.type = AgentType::kThread;
  agent.observed = true;
  agent.from_snapshot = v.snapshot();
  if (!agent.from_snapshot) agent.start_ns = v.ts_ns();
  context_->set_name(agent, v.name());
  context_->set_parent(agent, v.spawner());
  if (agent.state == RunState::kUnknown || agent.state == RunState::kEnded)
    context_->set_state(agent, agent.waiting ? RunState::kBlocked : RunState::kRunning, v.ts_ns());
}

Agent& AgentTracker::thread_agent(AgentId id) {
  Agent& agent = context_->agent(id);
  if (agent.type == AgentType::kUnknown) agent.type = AgentType::kThread;
  return agent;
}

void AgentTracker::thread_end(const model::ThreadEnd& v) {
  Agent& agent = thread_agent(v.agent());
  end(agent, v.ts_ns());
  agent.exit_location = v.exit_location();
  ++context_->state().ended_threads;
  context_->ended(agent.id);
}

void AgentTracker::thread_detach(const model::ThreadDetach& v) {
  Agent& agent = thread_agent(v.agent());
  agent.detached = true;
  agent.detach_location = v.location();
}

// The creator's record of a new thread: its parent and creation site. The
// thread is announced (and runs) only at its own kThreadStart.
void AgentTracker::thread_create(const model::ThreadCreate& v, AgentId acting) {
  Agent& agent = thread_agent(v.agent());
  agent.spawn_location = v.location();
  context_->set_parent(agent, acting);
}

void AgentTracker::agent_name(const model::AgentName& v) {
  context_->set_name(context_->agent(v.agent()), v.name());
}

void AgentTracker::task_spawn(const model::TaskSpawn& v, AgentId acting) {
  Agent& task = context_->agent(v.task());
  task.type = AgentType::kTask;
  task.observed = true;
  task.from_snapshot = v.snapshot();
  // A spawn seen live starts with no wakers; a snapshot lists every live waker
  // (one kWakerClone each) right after its spawns. Either way the count is exact.
  task.wakers_known = true;
  if (!task.from_snapshot) task.start_ns = v.ts_ns();
  task.spawn_location = v.location();
  context_->set_name(task, v.name());
  // A snapshot spawn names the task's parent in `thread` (the acting agent).
  if (!v.snapshot() || acting != v.task()) context_->set_parent(task, acting);
  if (task.state == RunState::kUnknown) context_->set_state(task, RunState::kRunnable, v.ts_ns());
}

void AgentTracker::poll_begin(const model::PollBegin& v, Agent& thread) {
  // Task 0 names nobody; model::ActingAgents ignores such a poll too.
  if (v.task() == 0) {
    context_->flag_inconsistency();
    return;
  }
  Agent& task = context_->agent(v.task());
  if (task.type == AgentType::kUnknown) {
    task.type = AgentType::kTask;
    task.observed = true;
    context_->mark_partial();
  }
  if (task.polled_by != 0 && task.polled_by != thread.id) context_->flag_inconsistency();
  thread.polling.push_back(task.id);
  thread.worker = true;
  task.polled_by = thread.id;
  task.poll_begin_ns = v.ts_ns();
  task.poll_begin_cpu_ns = v.snapshot() ? -1 : v.cpu_ns();
  task.woken_since_poll = false;
  task.registered_on.clear();
  ++task.polls;
  context_->set_state(task, task.waiting ? RunState::kBlocked : RunState::kRunning, v.ts_ns());
}

void AgentTracker::poll_end(const model::PollEnd& v, Agent& thread) {
  auto it = std::find(thread.polling.rbegin(), thread.polling.rend(), v.task());
  if (it == thread.polling.rend()) {
    context_->mark_partial();  // its PollBegin was before the window
  } else {
    if (it != thread.polling.rbegin()) context_->flag_inconsistency();
    thread.polling.erase(std::next(it).base());
  }
  Agent& task = context_->agent(v.task());
  if (task.type == AgentType::kUnknown) task.type = AgentType::kTask;
  task.observed = true;
  task.polled_by = 0;
  task.last_poll_end_ns = v.ts_ns();
  task.last_poll_pending = v.result() == format::PollResult::kPending;
  if (task.waiting) {
    // A wait still open when the poll returns pending is the task suspended on it
    // (an async send, recv, join...): the task stays blocked, its worker is free.
    // Returning ready from inside a wait cannot happen.
    if (task.last_poll_pending) {
      if (task.state != RunState::kEnded) context_->set_state(task, RunState::kBlocked, v.ts_ns());
      return;
    }
    context_->flag_inconsistency();
    context_->clear_wait(task);
  }
  if (task.state == RunState::kEnded) return;
  const bool idle = task.last_poll_pending && !task.woken_since_poll;
  context_->set_state(task, idle ? RunState::kIdle : RunState::kRunnable, v.ts_ns());
}

void AgentTracker::task_end(const model::TaskEnd& v) {
  Agent& task = context_->agent(v.task());
  if (task.type == AgentType::kUnknown) task.type = AgentType::kTask;
  if (task.polled_by != 0) {
    if (Agent* thread = context_->state().agents.find(task.polled_by)) {
      auto it = std::find(thread->polling.begin(), thread->polling.end(), task.id);
      if (it != thread->polling.end()) thread->polling.erase(it);
    }
    task.polled_by = 0;
  }
  end(task, v.ts_ns());
  ++context_->state().ended_tasks;
  context_->ended(task.id);
}

void AgentTracker::memory(const model::Memory& v, AgentId acting) {
  Agent* owner = context_->state().agents.find(v.agent() != 0 ? v.agent() : acting);
  if (owner == nullptr) return;
  // A sum past int64 is no real program's memory but a damaged or forged trace:
  // saturate, and count the event as contradicting the state.
  const int64_t delta = v.delta();
  if (__builtin_add_overflow(owner->memory_live, delta, &owner->memory_live)) {
    owner->memory_live = delta < 0 ? INT64_MIN : INT64_MAX;
    context_->flag_inconsistency();
  }
  owner->memory_peak = std::max(owner->memory_peak, owner->memory_live);
}

void AgentTracker::end(Agent& agent, int64_t ts) {
  agent.observed = true;
  agent.end_ns = ts;
  context_->clear_wait(agent);
  for (AgentId polled : agent.polling)
    if (Agent* task = context_->state().agents.find(polled)) task->polled_by = 0;
  agent.polling.clear();
  agent.spans.clear();
  agent.registered_on.clear();
  agent.live_wakers.clear();
  context_->set_state(agent, RunState::kEnded, ts);
}

}  // namespace taskscope::model::replay
