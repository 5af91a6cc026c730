// Polls, wakes, spans and memory deltas of agents (see stats_collector.hpp).
#include <algorithm>

#include "common/saturating.hpp"
#include "stats/stats_collector.hpp"
#include "taskscope/analyzer/state.hpp"

namespace taskscope::analyzer::stats {

namespace {
constexpr int kRunning = static_cast<int>(AgentState::kRunning);
constexpr int kRunnable = static_cast<int>(AgentState::kRunnable);
constexpr int kBlocked = static_cast<int>(AgentState::kBlocked);
constexpr int kIdle = static_cast<int>(AgentState::kIdle);

// Off-CPU time in one poll worth telling (analyze's default poll threshold).
constexpr int64_t kDescheduledPollNs = 10'000'000;
}  // namespace

// Called before model::ActingAgents applies the PollBegin: the task acts on its
// thread from the next event on.
void StatsCollector::on_poll_begin(const model::PollBegin& v) {
  if (v.snapshot()) return;
  LiveAgent* thread = recording_thread(v);
  LiveAgent& task = task_agent(v.task(), v.ts_ns());
  if (thread->polling_since < 0) {  // the outermost poll on this thread
    thread->polling_since = v.ts_ns();
    ++thread->group->polls;
  }
  if (task.runnable_since >= 0)
    task.group->sched_latency.add(span_ns(task.runnable_since, v.ts_ns()));
  task.runnable_since = -1;
  task.woken_in_poll = false;
  task.poll_since = v.ts_ns();
  task.poll_cpu_since = v.cpu_ns();
  task.waited_in_poll = false;
  ++task.group->polls;
  set_state(task, kRunning, v.ts_ns());
}

void StatsCollector::on_poll_end(const model::PollEnd& v) {
  if (v.snapshot()) return;
  LiveAgent* thread = recording_thread(v);
  // The thread stops polling when this end leaves no poll in progress on it
  // (ActingAgents applies the end after this).
  const size_t polls = acting_.polls_on(v.thread());
  const bool last = polls == 0 || (polls == 1 && acting_.polled_on(v.thread()) == v.task());
  if (last && thread->polling_since >= 0) {
    thread->group->poll_ns =
        saturating_add(thread->group->poll_ns, span_ns(thread->polling_since, v.ts_ns()));
    thread->polling_since = -1;
  }
  // A wait begun in the poll blocked the thread until now; the task may go on
  // waiting (an async wait spans polls), but its worker is free again.
  if (thread->run_since < 0) {
    thread->run_since = v.ts_ns();
    set_state(*thread, kRunning, v.ts_ns());
  }
  LiveAgent* task = find_agent(v.task());
  if (!task || !task->is_task) return;
  if (task->poll_since >= 0) {
    const int64_t wall = span_ns(task->poll_since, v.ts_ns());
    task->group->busy.add(wall);
    // Off the CPU for long, with no recorded wait to explain it: the worker was
    // descheduled (or blocked where nothing is recorded). Not the task's doing
    // as far as the trace can prove, so it is told here, not by `analyze`.
    const int64_t cpu = poll_cpu_ns(task->poll_cpu_since, v.event, wall);
    if (cpu >= 0 && !task->waited_in_poll && wall - cpu > kDescheduledPollNs) {
      ++thread->group->descheduled_polls;
      thread->group->descheduled_max_ns = std::max(thread->group->descheduled_max_ns, wall - cpu);
    }
  }
  task->poll_since = -1;
  if (v.result() == format::PollResult::kReady) {
    set_state(*task, StateTimeline::kNoState, v.ts_ns());  // finished; TaskEnd follows
  } else if (task->woken_in_poll) {
    // Woken while running: it becomes runnable when this poll returns.
    task->runnable_since = v.ts_ns();
    set_state(*task, kRunnable, v.ts_ns());
  } else {
    set_state(*task, task->waiting ? kBlocked : kIdle, v.ts_ns());
  }
  task->woken_in_poll = false;
}

void StatsCollector::on_wake(const model::Wake& v) {
  if (v.snapshot()) return;
  LiveAgent& task = task_agent(v.task(), v.ts_ns());
  if (!task.is_task) return;
  if (task.poll_since >= 0) {
    task.woken_in_poll = true;
  } else if (task.runnable_since < 0) {
    // The first wake since the last poll starts the scheduling-latency clock.
    task.runnable_since = v.ts_ns();
    set_state(task, kRunnable, v.ts_ns());
  }
}

SpanStats* StatsCollector::span_group(StringId name) {
  if (auto it = span_by_id_.find(name); it != span_by_id_.end()) return it->second;
  std::string text(names_.text(name));
  if (text.empty()) text = "(unnamed span)";
  auto& slot = span_groups_[text];
  if (!slot) {
    slot = std::make_unique<SpanStats>();
    slot->name = text;
    slot->duration = new_distribution();
    init_group(*slot);
  }
  span_by_id_[name] = slot.get();
  return slot.get();
}

void StatsCollector::on_span_enter(const model::SpanEnter& v) {
  LiveAgent& agent = acting_agent(v);
  const StringId name = v.name();
  // A span open before a snapshot has an unknown start: tracked, never sampled.
  agent.spans.push_back({name, span_group(name), v.snapshot() ? -1 : v.ts_ns()});
}

void StatsCollector::on_span_exit(const model::SpanExit& v) {
  LiveAgent& agent = acting_agent(v);
  const StringId name = v.name();
  auto& spans = agent.spans;
  auto it = std::find_if(spans.rbegin(), spans.rend(),
                         [name](const OpenSpan& span) { return span.name == name; });
  if (it == spans.rend()) return;
  if (it->since >= 0) it->group->duration.add(span_ns(it->since, v.ts_ns()));
  spans.erase(std::next(it).base());
}

void StatsCollector::on_memory(const model::Memory& v) {
  LiveAgent* agent = v.agent() ? find_agent(v.agent()) : &acting_agent(v);
  if (!agent) return;
  const int64_t delta = v.delta();
  agent->has_memory = true;
  // Deltas are what the program said; sums past int64 (a forged trace)
  // saturate, as replay's do.
  agent->memory_now = saturating_add(agent->memory_now, delta);
  agent->memory_peak = std::max(agent->memory_peak, agent->memory_now);
  if (delta > 0)
    agent->group->memory_allocated = saturating_add(agent->group->memory_allocated, delta);
}

}  // namespace taskscope::analyzer::stats
