#include <algorithm>

#include "trackers.hpp"

namespace taskscope::analyzer::replay {

namespace {
bool is_snapshot(const Event& e) { return (e.flags & format::kFlagSnapshot) != 0; }
}  // namespace

void AgentTracker::thread_start(const Event& e) {
  Agent& agent = context_->agent(e.a);
  agent.type = AgentType::kThread;
  agent.observed = true;
  agent.from_snapshot = is_snapshot(e);
  if (!agent.from_snapshot) agent.start_ns = e.ts_ns;
  context_->set_name(agent, e.str);
  context_->set_parent(agent, e.b);
  if (agent.state == RunState::kUnknown || agent.state == RunState::kEnded)
    context_->set_state(agent, agent.waiting ? RunState::kBlocked : RunState::kRunning, e.ts_ns);
}

Agent& AgentTracker::thread_agent(AgentId id) {
  Agent& agent = context_->agent(id);
  if (agent.type == AgentType::kUnknown) agent.type = AgentType::kThread;
  return agent;
}

void AgentTracker::thread_end(const Event& e) {
  Agent& agent = thread_agent(e.a);
  end(agent, e.ts_ns);
  agent.exit_location = e.str;
  ++context_->state().ended_threads;
  context_->ended(agent.id);
}

void AgentTracker::thread_detach(const Event& e) {
  Agent& agent = thread_agent(e.a);
  agent.detached = true;
  agent.detach_location = e.str;
}

// The creator's record of a new thread: its parent and creation site. The
// thread is announced (and runs) only at its own kThreadStart.
void AgentTracker::thread_create(const Event& e, AgentId acting) {
  Agent& agent = thread_agent(e.a);
  agent.spawn_location = e.str;
  context_->set_parent(agent, acting);
}

void AgentTracker::agent_name(const Event& e) { context_->set_name(context_->agent(e.a), e.str); }

void AgentTracker::task_spawn(const Event& e, AgentId acting) {
  Agent& task = context_->agent(e.a);
  task.type = AgentType::kTask;
  task.observed = true;
  task.from_snapshot = is_snapshot(e);
  // A spawn seen live starts with no wakers; a snapshot lists every live waker
  // (one kWakerClone each) right after its spawns. Either way the count is exact.
  task.wakers_known = true;
  if (!task.from_snapshot) task.start_ns = e.ts_ns;
  task.spawn_location = e.str;
  context_->set_name(task, static_cast<StringId>(e.b));
  // A snapshot spawn names the task's parent in `thread` (the acting agent).
  if (!is_snapshot(e) || acting != e.a) context_->set_parent(task, acting);
  if (task.state == RunState::kUnknown) context_->set_state(task, RunState::kRunnable, e.ts_ns);
}

void AgentTracker::poll_begin(const Event& e, Agent& thread) {
  Agent& task = context_->agent(e.a);
  if (task.type == AgentType::kUnknown) {
    task.type = AgentType::kTask;
    task.observed = true;
    context_->mark_partial();
  }
  if (task.polled_by != 0 && task.polled_by != thread.id) context_->flag_inconsistency();
  thread.polling.push_back(task.id);
  thread.worker = true;
  task.polled_by = thread.id;
  task.poll_begin_ns = e.ts_ns;
  task.poll_begin_cpu_ns = is_snapshot(e) ? -1 : poll_begin_cpu_ns(e);
  task.woken_since_poll = false;
  task.registered_on.clear();
  ++task.polls;
  context_->set_state(task, task.waiting ? RunState::kBlocked : RunState::kRunning, e.ts_ns);
}

void AgentTracker::poll_end(const Event& e, Agent& thread) {
  auto it = std::find(thread.polling.rbegin(), thread.polling.rend(), e.a);
  if (it == thread.polling.rend()) {
    context_->mark_partial();  // its PollBegin was before the window
  } else {
    if (it != thread.polling.rbegin()) context_->flag_inconsistency();
    thread.polling.erase(std::next(it).base());
  }
  Agent& task = context_->agent(e.a);
  if (task.type == AgentType::kUnknown) task.type = AgentType::kTask;
  task.observed = true;
  task.polled_by = 0;
  task.last_poll_end_ns = e.ts_ns;
  task.last_poll_pending = e.op == static_cast<uint8_t>(format::PollResult::kPending);
  if (task.waiting) {
    // A wait still open when the poll returns pending is the task suspended on it
    // (an async send, recv, join...): the task stays blocked, its worker is free.
    // Returning ready from inside a wait cannot happen.
    if (task.last_poll_pending) {
      if (task.state != RunState::kEnded) context_->set_state(task, RunState::kBlocked, e.ts_ns);
      return;
    }
    context_->flag_inconsistency();
    context_->clear_wait(task);
  }
  if (task.state == RunState::kEnded) return;
  const bool idle = task.last_poll_pending && !task.woken_since_poll;
  context_->set_state(task, idle ? RunState::kIdle : RunState::kRunnable, e.ts_ns);
}

void AgentTracker::task_end(const Event& e) {
  Agent& task = context_->agent(e.a);
  if (task.type == AgentType::kUnknown) task.type = AgentType::kTask;
  if (task.polled_by != 0) {
    if (Agent* thread = context_->state().agents.find(task.polled_by)) {
      auto it = std::find(thread->polling.begin(), thread->polling.end(), task.id);
      if (it != thread->polling.end()) thread->polling.erase(it);
    }
    task.polled_by = 0;
  }
  end(task, e.ts_ns);
  ++context_->state().ended_tasks;
  context_->ended(task.id);
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
  context_->set_state(agent, RunState::kEnded, ts);
}

}  // namespace taskscope::analyzer::replay
