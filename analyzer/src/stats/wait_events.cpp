// Blocking waits: blocked time by cause per agent, span and resource, and the
// run slices of the recording thread (see stats_collector.hpp).
#include "stats/stats_collector.hpp"
#include "taskscope/model/wait_kinds.hpp"

namespace taskscope::analyzer::stats {

using model::waits_on_resource;
using format::WaitOp;

namespace {

constexpr int kRunning = static_cast<int>(AgentState::kRunning);
constexpr int kBlocked = static_cast<int>(AgentState::kBlocked);
constexpr int kIdle = static_cast<int>(AgentState::kIdle);

bool is_contention(WaitOp op) {
  return op == WaitOp::kLock || op == WaitOp::kReadLock || op == WaitOp::kAcquire;
}

}  // namespace

void StatsCollector::on_wait_begin(const model::WaitBegin& v) {
  const WaitOp op = v.op();
  LiveAgent& agent = acting_agent(v);
  LiveAgent* thread = recording_thread(v);
  if (agent.waiting) end_wait(agent, v.ts_ns(), nullptr);  // begin without end
  agent.waiting = true;
  agent.wait_op = op;
  agent.wait_resource = v.resource();
  agent.wait_since = v.ts_ns();
  if (agent.poll_since >= 0) agent.waited_in_poll = true;
  if (waits_on_resource(op, v.resource())) {
    LiveResource& res = resource(v.resource(), model::resource_kind_waited_on(op), v.ts_ns());
    used_at(res, v.location());
    if (is_contention(op) && !v.snapshot()) {
      ++res.group->contended;
      ++agent.group->contended;
    }
  }
  // A sync wait inside a poll blocks the task and its worker thread alike.
  set_state(agent, kBlocked, v.ts_ns());
  if (thread) {
    if (thread->run_since >= 0) thread->group->busy.add(span_ns(thread->run_since, v.ts_ns()));
    thread->run_since = -1;
    set_state(*thread, kBlocked, v.ts_ns());
  }
}

void StatsCollector::on_wait_end(const model::WaitEnd& v) {
  LiveAgent& agent = acting_agent(v);
  if (!agent.waiting) return;  // the wait began before the trace did
  end_wait(agent, v.ts_ns(), recording_thread(v));
}

void StatsCollector::end_wait(LiveAgent& agent, int64_t ts, LiveAgent* thread) {
  const int64_t blocked = span_ns(agent.wait_since, ts);
  const auto cause = static_cast<size_t>(block_cause_of(agent.wait_op));
  agent.group->blocked[cause].add(blocked);
  // Inclusive span time: each span on the stack counts the wait once.
  for (size_t i = 0; i < agent.spans.size(); ++i) {
    SpanStats* group = agent.spans[i].group;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = agent.spans[j].group == group;
    if (!seen) group->blocked[cause].add(blocked);
  }
  if (waits_on_resource(agent.wait_op, agent.wait_resource)) {
    if (LiveResource* res = resources_.find(agent.wait_resource))
      res->group->waits[cause].add(blocked);
  }
  agent.waiting = false;
  if (agent.is_task && agent.state == kBlocked)
    set_state(agent, agent.poll_since >= 0 ? kRunning : kIdle, ts);
  if (thread && thread->run_since < 0) {
    thread->run_since = ts;
    set_state(*thread, kRunning, ts);
  }
}

}  // namespace taskscope::analyzer::stats
